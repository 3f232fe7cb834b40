"""Requests through the SUT's Inway (the harness as Outway) and Outway (the harness as client),
and the transaction log records the SUT's Manager shows for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.http.mock_server import Received
from cgconform.model.outcomes import NotApplicable
from cgconform.suites.fsc.harness.contracts import uuid7
from cgconform.suites.fsc.harness.expect import listing
from cgconform.suites.fsc.harness.peers import Harness

PROBE_PATH = "/cgconform/probe"
KEEP = object()  # "generate a Transaction ID"


@dataclass
class Call:
    exchange: Exchange
    transaction_id: str | None
    arrived: list[Received]  # what the mock Service / Inway received
    # the SUT's log as Peer A saw it at the moment the request arrived (N17)
    log_at_arrival: list[Any] = field(default_factory=list)


def inway_call(
    h: Harness,
    token: str | None,
    *,
    client: HttpClient | None = None,
    transaction_id: object = KEEP,
    probe_log: bool = False,
) -> Call:
    """A request to the SUT's Inway as an Outway (Peer A's certificate unless `client`)."""
    if not h.settings.inway:
        raise NotApplicable("no Inway to test: give urls.inway in target.toml")
    txid = uuid7() if transaction_id is KEEP else transaction_id
    headers: dict[str, str | None] = {
        "Fsc-Authorization": token,
        "Fsc-Transaction-Id": txid if isinstance(txid, str) else None,
    }
    seen: list[Any] = []
    if probe_log and isinstance(txid, str):
        h.mock_service.on_request = lambda _r: seen.append(log_records(h, txid, reader=True))
    mark = h.servers["service"].mark()
    try:
        exchange = (client or h.a.http).get(
            f"{h.settings.inway}{PROBE_PATH}", params={"q": "1"}, headers=headers
        )
    finally:
        h.mock_service.on_request = None
    arrived = h.servers["service"].requests_since(mark)
    return Call(exchange, txid if isinstance(txid, str) else None, arrived, seen)


def require_outway(h: Harness) -> None:
    """NotApplicable when the target names no Outway."""
    if not h.settings.outway:
        raise NotApplicable("no Outway to test: give urls.outway in target.toml")


def outway_call(
    h: Harness, grant_hash: str | None, *, probe_log: bool = False, method: str = "GET"
) -> Call:
    """A client request to the SUT's Outway naming the Grant (N14)."""
    require_outway(h)
    seen: list[Any] = []
    if probe_log:

        def probe(request: Received) -> None:
            txid = request.header("Fsc-Transaction-Id")
            seen.append(log_records(h, txid, reader=True) if txid else None)

        h.mock_inway.on_request = probe
    mark = h.servers["inway"].mark()
    client = h.anonymous or h.a.http
    try:
        exchange = client.request(
            method,
            f"{h.settings.outway}{PROBE_PATH}",
            params={"q": "1"},
            headers={h.settings.grant_header: grant_hash},
        )
    finally:
        h.mock_inway.on_request = None
    arrived = h.servers["inway"].requests_since(mark)
    txid = exchange.headers.get("Fsc-Transaction-Id")
    if arrived:
        txid = arrived[0].header("Fsc-Transaction-Id") or txid
    return Call(exchange, txid, arrived, seen)


def log_records(
    h: Harness,
    transaction_id: str,
    *,
    reader: bool = False,
    as_: str = "peer-a",
    client: HttpClient | None = None,
    manager: str | None = None,
) -> list[Any]:
    """A Manager's log records with this Transaction ID, as a Peer sees them (the SUT's
    Manager as Peer A unless told otherwise)."""
    client = client or (h.log_reader if reader else None) or h.party(as_).http
    url = f"{manager}/v1/logs" if manager else h.manager_url("/logs")
    exchange = client.get(url, params={"transaction_ids": transaction_id})
    h.last_log_exchange = exchange
    return [r for r in listing(exchange, "records") if r.get("transaction_id") == transaction_id]
