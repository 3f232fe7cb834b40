"""Reading what the organisations keep: an FSC Manager's transaction log (`GET /v1/logs`, with
the organisation's client certificate) and an organisation's read API (the read extension,
`POST {read_api}/processing-activities {"traceId": ...}`) as its auditor or as a citizen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Outcome
from cgconform.suites.chain.harness.settings import Organisation
from cgconform.suites.logboek.harness.records import Record, from_read_item, read_items


@dataclass
class Reading:
    """What one question gave: records (None: no usable answer, `error` says why)."""

    what: str
    items: list[Any] | None = None
    exchange: Exchange | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.items is not None

    def evidence(self) -> list[dict[str, Any]]:
        if self.exchange is not None:
            return [self.exchange.to_evidence()]
        return [{"note": f"{self.what}: {self.error}"}] if self.error else []

    def line(self) -> str:
        if self.items is None:
            return f"{self.what}: no answer ({self.error})"
        return f"{self.what}: {len(self.items)} record(s)"


@dataclass
class LogboekReading(Reading):
    records: list[Record] = field(default_factory=list)


def transaction_log(http: HttpClient, org: Organisation) -> Reading:
    """The records the organisation's Manager gives it (newest first, up to 1000)."""
    log = org.transaction_log
    what = f"the FSC transaction log of {org.name}"
    if log is None:
        return Reading(what, error="no [chain.organisations.transaction_log] stated")
    client = http.with_identity(log.client_cert, verify=log.ca_bundle or http.verify)
    try:
        exchange = client.get(
            log.url,
            params={"limit": 1000, "sort_order": "SORT_ORDER_DESCENDING"},
            authenticated=False,
        )
    except Outcome as exc:
        return Reading(what, error=exc.message)
    finally:
        client.close()
    try:
        data = exchange.json()
    except ValueError:
        data = None
    records = data.get("records") if isinstance(data, dict) else None
    if exchange.status != 200 or not isinstance(records, list):
        return Reading(what, exchange=exchange, error=f"HTTP {exchange.status} without records")
    return Reading(what, [r for r in records if isinstance(r, dict)], exchange)


def read_trace(
    http: HttpClient, org: Organisation, trace_id: str, token: str | None, who: str
) -> LogboekReading:
    """The records of one trace that `who` (bearer `token`) gets from the read API."""
    what = f"{who} at the read API of {org.name} (trace {trace_id})"
    if token is None:
        return LogboekReading(what, error="no token")
    return _query(http, org, what, {"traceId": trace_id}, token)


def read_activity(
    http: HttpClient, org: Organisation, start_s: float, end_s: float, token: str
) -> LogboekReading:
    """The records of the organisation's own activity written between two instants (ms
    filters of the read extension's OpenAPI), as its auditor."""
    what = f"the auditor at the read API of {org.name} (activity {org.activity}, by time)"
    query = {
        "dpl.core.processing_activity_id": org.activity,
        "startTime": int(start_s * 1000) - 50,
        "endTime": int(end_s * 1000) + 50,
    }
    return _query(http, org, what, query, token)


def _query(
    http: HttpClient, org: Organisation, what: str, query: dict[str, Any], token: str
) -> LogboekReading:
    """POST a query to the organisation's read API; its records, or why there are none."""
    try:
        exchange = http.post(
            org.read_api + "/processing-activities",
            json=query,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            authenticated=False,
        )
    except Outcome as exc:
        return LogboekReading(what, error=exc.message)
    try:
        items = read_items(exchange.json()) if exchange.status == 200 else None
    except ValueError:
        items = None
    if items is None:
        return LogboekReading(what, exchange=exchange, error=f"HTTP {exchange.status}")
    return LogboekReading(what, list(items), exchange, records=[from_read_item(i) for i in items])
