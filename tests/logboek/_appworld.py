"""The world the reference application lives in for its self-tests: the reference Logboek
(OTLP/HTTP, and a small OTLP/gRPC receiver for the gRPC export path), a mock BRP and a mock RDW
that record every call's headers, and helpers to start processings and read their records.

Sources answer by what they are asked, so that no test needs to switch them:
- BRP: `FAILING_BSN` gets a 500; any other BSN is a person;
- RDW: `FAILING_KENTEKEN` gets a 500, `SLOW_KENTEKEN` an answer after `SLOW_S` (longer than
  the `SOURCE_TIMEOUT` the test applications wait), `UNKNOWN_KENTEKEN` an empty list.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
import requests
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from cgconform.fixtures.logboek import otlp
from cgconform.fixtures.logboek.application import RunningApplication, serve_application
from cgconform.fixtures.logboek.server import RunningLogboek
from cgconform.fixtures.logboek.store import ProcessingRecord, SpanStore
from cgconform.http.mock_server import MockServer, Received, Reply

BSN = "999993653"
PARTNER_BSN = "999990019"
FAILING_BSN = "999991772"
KENTEKEN = "AB123C"
FAILING_KENTEKEN = "ZZ999Z"
SLOW_KENTEKEN = "TT999T"
UNKNOWN_KENTEKEN = "XX999X"
SOURCE_TIMEOUT = 0.4
SLOW_S = 1.0
CALLER_URL = "https://cgconform.example/aanroepende-applicatie"
CALLER_STATE = "cgconform=https%3A//cgconform.example/aanroepende-applicatie"
READ_APIS = {
    "brp": "https://lezen.brp.example.nl/logboek/v1",
    "rdw": "https://lezen.rdw.example.nl/logboek/v1",
}


def brp_answer(received: Received) -> Reply:
    numbers = received.json().get("burgerservicenummer", [])
    if FAILING_BSN in numbers:
        return Reply.json(500, {"title": "Internal Server Error", "status": 500})
    personen = [
        {
            "burgerservicenummer": n,
            "naam": {"voornamen": "Test", "geslachtsnaam": "Persoon"},
            "adressering": {"adresregel1": "Teststraat 1", "adresregel2": "1234 AB  TESTDORP"},
        }
        for n in numbers
    ]
    return Reply.json(200, {"type": "RaadpleegMetBurgerservicenummer", "personen": personen})


def rdw_answer(received: Received) -> Reply:
    kenteken = dict(received.query).get("kenteken", "")
    if kenteken == FAILING_KENTEKEN:
        return Reply.json(500, {"message": "internal error"})
    if kenteken == UNKNOWN_KENTEKEN:
        return Reply.json(200, [])
    if kenteken == SLOW_KENTEKEN:
        time.sleep(SLOW_S)
    vehicle = {"kenteken": kenteken, "merk": "TESTMERK", "handelsbenaming": "TESTMODEL"}
    return Reply.json(200, [{**vehicle, "voertuigsoort": "Personenauto"}])


@dataclass
class Processed:
    """One processing sent: the answer, its trace (from `traceresponse`), and the calls the
    sources saw while it ran."""

    response: requests.Response
    trace_id: str
    calls: list[Received]

    @property
    def status(self) -> int:
        return self.response.status_code


@dataclass
class World:
    logboek: RunningLogboek
    brp: MockServer
    rdw: MockServer

    @property
    def sources(self) -> dict[str, str]:
        return {"brp": self.brp.url, "rdw": self.rdw.url}

    @contextmanager
    def app(self, *defects: str, **options: Any) -> Iterator[RunningApplication]:
        options.setdefault("logboek", self.logboek.base_url)
        options.setdefault("source_timeout", SOURCE_TIMEOUT)
        with serve_application(
            sources=self.sources, read_apis=READ_APIS, defects=frozenset(defects), **options
        ) as app:
            yield app
            assert app.errors == []

    def send(
        self,
        app: RunningApplication,
        method: str = "POST",
        path: str = "/v1/aanvragen",
        *,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        partner: bool = False,
        kenteken: str = KENTEKEN,
        bsn: str = BSN,
    ) -> Processed:
        """Start one processing (by default the application for BSN with KENTEKEN)."""
        if body is None and method == "POST":
            body = {"bsn": bsn, "kenteken": kenteken}
            if partner:
                body["partner_bsn"] = PARTNER_BSN
        marks = self.brp.mark(), self.rdw.mark()
        if isinstance(body, bytes):
            response = requests.request(
                method, app.url + path, data=body, headers=dict(headers or {}), timeout=10
            )
        else:
            response = requests.request(
                method, app.url + path, json=body, headers=dict(headers or {}), timeout=10
            )
        calls = self.brp.requests_since(marks[0]) + self.rdw.requests_since(marks[1])
        traceresponse = response.headers.get("traceresponse", "")
        return Processed(response, traceresponse.split("-")[1] if traceresponse else "", calls)

    def records(self, app: RunningApplication, trace_id: str) -> list[ProcessingRecord]:
        """The records of `trace_id`, after the application exported everything it has."""
        assert app.flush(), "the application could not export its records within 10 s"
        return self.logboek.store.by_trace(trace_id)

    def burst(
        self, app: RunningApplication, count: int, headers: list[dict[str, str]]
    ) -> list[Processed]:
        """`count` processings from 8 callers at once (headers[i] for the i-th)."""
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(lambda i: self.send(app, headers=headers[i]), range(count)))


def otlp_http(store: SpanStore) -> Callable[[Received], Reply]:
    """A MockServer handler that keeps OTLP/HTTP protobuf exports in `store` (for TLS)."""

    def handle(received: Received) -> Reply:
        store.add(otlp.records(otlp.decode_request(received.body, otlp.PROTOBUF)))
        return Reply(200, {"Content-Type": otlp.PROTOBUF}, otlp.encode_response(otlp.PROTOBUF))

    return handle


# -- OTLP/gRPC --------------------------------------------------------------------------------


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, store: SpanStore) -> None:
        self.store = store

    def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: Any
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        self.store.add(otlp.records(request))
        return trace_service_pb2.ExportTraceServiceResponse()


@contextmanager
def grpc_logboek() -> Iterator[tuple[str, SpanStore]]:
    """An OTLP/gRPC receiver on 127.0.0.1 (plain): (its `http://host:port`, its store)."""
    store = SpanStore(":memory:")
    server = grpc.server(ThreadPoolExecutor(4))
    add = trace_service_pb2_grpc.add_TraceServiceServicer_to_server  # generated, untyped
    add(_TraceService(store), server)  # type: ignore[no-untyped-call]
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"http://127.0.0.1:{port}", store
    finally:
        server.stop(grace=None)
        store.close()
