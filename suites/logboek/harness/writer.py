"""cgconform as the writing application of `logboek-dataverwerkingen`: it writes records to
the Logboek over each transport the target speaks (OTLP/HTTP protobuf and JSON, OTLP/gRPC,
`logboek.v1`) and says whether each write was confirmed.

A record here is a plain mapping (trace_id, span_id, parent_span_id as hex; name; start_ns,
end_ns; status "Unset" | "Ok" | "Error"; kind; attributes), so that what was written can be
compared with what the read extension gives back.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cgconform.http.grpc import GrpcResult, strip_scheme, unary_call
from cgconform.model.outcomes import Outcome
from cgconform.run.context import RunContext
from cgconform.suites.logboek.harness import wire
from cgconform.suites.logboek.harness.otlp import (
    JSON,
    PROTOBUF,
    encode_json,
    export_request,
    rejected_spans,
)
from cgconform.suites.logboek.harness.records import (
    ACTIVITY,
    FOREIGN,
    PROCESSOR,
    SUBJECT,
    SUBJECT_TYPE,
)
from cgconform.suites.logboek.harness.settings import TRANSPORT_NAMES

Span = dict[str, Any]
RESOURCE = {"service.name": "cgconform", "service.version": "conformance-test"}
V1_STATUS = {
    "Unset": wire.STATUS_CODE_UNKNOWN,
    "Ok": wire.STATUS_CODE_OK,
    "Error": wire.STATUS_CODE_ERROR,
}


@dataclass
class Written:
    """One write: how, what, and whether the Logboek confirmed it."""

    transport: str
    spans: list[Span]
    confirmed: bool
    reached: bool  # a Logboek answered at all
    detail: str  # one line: what was sent where, and what came back
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # the address does not offer it (gRPC UNIMPLEMENTED; OTLP/HTTP 415 for an encoding)
    unimplemented: bool = False

    @property
    def name(self) -> str:
        return TRANSPORT_NAMES.get(self.transport, self.transport)


def new_trace(
    name: str,
    *,
    activity: str,
    subjects: Sequence[str] = (),
    subject_type: str = "cgconform-pseudonym",
    error: bool = False,
    caller: str | None = None,
) -> list[Span]:
    """One processing: a root action (server) with a child action per subject, and, with
    `error`, a failed child action with exception detail. Every field of the interface is set."""
    trace = secrets.token_hex(16)
    now = time.time_ns()
    root = secrets.token_hex(8)
    # typed values too (OTLP carries int and bool; logboek.v1 writes them as text)
    attrs: dict[str, Any] = {ACTIVITY: activity, "cgconform.aantal": 2, "cgconform.proef": True}
    if caller:
        attrs[PROCESSOR] = caller
        attrs[FOREIGN + "trace_id"] = secrets.token_hex(16)
        attrs[FOREIGN + "span_id"] = secrets.token_hex(8)
    spans: list[Span] = [
        {
            "trace_id": trace,
            "span_id": root,
            "parent_span_id": "",
            "name": f"{name}: verwerking",
            "kind": 2,
            "start_ns": now - 50_000_000,
            "end_ns": now,
            "status": "Ok",
            "attributes": attrs,
        }
    ]
    for index, subject in enumerate(subjects):
        spans.append(
            {
                "trace_id": trace,
                "span_id": secrets.token_hex(8),
                "parent_span_id": root,
                "name": f"{name}: betrokkene {index + 1}",
                "kind": 1,
                "start_ns": now - 40_000_000 + index * 1_000_000,
                "end_ns": now - 30_000_000 + index * 1_000_000,
                "status": "Unset",
                "attributes": {ACTIVITY: activity, SUBJECT: subject, SUBJECT_TYPE: subject_type},
            }
        )
    if error:
        spans.append(
            {
                "trace_id": trace,
                "span_id": secrets.token_hex(8),
                "parent_span_id": root,
                "name": f"{name}: bron raadplegen",
                "kind": 3,
                "start_ns": now - 20_000_000,
                "end_ns": now - 10_000_000,
                "status": "Error",
                "status_message": "source answered 500",
                "attributes": {
                    ACTIVITY: activity,
                    "exception.type": "SourceError",
                    "exception.message": "source answered 500",
                },
            }
        )
    return spans


def _v1_request(spans: Sequence[Span]) -> Any:
    request = wire.ExportOperationsRequest()
    request.resource.name = RESOURCE["service.name"]
    request.resource.version = RESOURCE["service.version"]
    for span in spans:
        operation = request.operations.add()
        operation.trace_id = bytes.fromhex(span["trace_id"])
        operation.operation_id = bytes.fromhex(span["span_id"])
        if span.get("parent_span_id"):
            operation.parent_operation_id = bytes.fromhex(span["parent_span_id"])
        operation.name = span["name"]
        operation.start_time.CopyFrom(wire.timestamp(span["start_ns"]))
        operation.end_time.CopyFrom(wire.timestamp(span["end_ns"]))
        operation.status_code = V1_STATUS[span.get("status", "Unset")]
        attrs = dict(span.get("attributes", {}))
        if PROCESSOR in attrs:
            foreign = operation.foreign_operation
            foreign.entity = str(attrs.pop(PROCESSOR))
            foreign.trace_id = bytes.fromhex(attrs.pop(FOREIGN + "trace_id"))
            foreign.operation_id = bytes.fromhex(attrs.pop(FOREIGN + "span_id"))
        for key, value in attrs.items():
            operation.attributes.add(key=key, value=str(value))
    return request


def _excerpt(spans: Sequence[Span]) -> str:
    import json

    return json.dumps(list(spans), default=str)[:1500]


class Writer:
    """Writes to the Logboek at `[urls] logboek` (OTLP/HTTP) and `logboek_grpc`."""

    def __init__(self, context: RunContext) -> None:
        self.context = context
        urls = context.target.urls
        self.http_base = urls.get("logboek", "").rstrip("/")
        self.grpc_address = urls.get("logboek_grpc", "")

    @property
    def traces_url(self) -> str:
        if self.http_base.endswith("/v1/traces"):
            return self.http_base
        return self.http_base + "/v1/traces"

    def _grpc_tls(self, plain: bool) -> Any:
        _, secure = strip_scheme(self.grpc_address)
        if plain or secure is False:
            return None
        return self.context.target.tls

    def write(self, transport: str, spans: Sequence[Span], *, plain: bool = False) -> Written:
        """Write `spans` in one export. `plain`: over a connection without TLS (the same host
        and port), to see whether the Logboek refuses it."""
        if transport.startswith("otlp-http"):
            return self._http(transport, spans, plain=plain)
        return self._grpc(transport, spans, plain=plain)

    def _http(self, transport: str, spans: Sequence[Span], *, plain: bool) -> Written:
        request = export_request(spans, RESOURCE)
        content_type = JSON if transport == "otlp-http-json" else PROTOBUF
        body = encode_json(request) if content_type == JSON else request.SerializeToString()
        url = self.traces_url
        if plain:
            parts = urlsplit(url)
            url = urlunsplit(("http", parts.netloc, parts.path, parts.query, ""))
        try:
            exchange = self.context.http.post(
                url, data=body, headers={"Content-Type": content_type}, authenticated=False
            )
        except Outcome as exc:  # no answer: refused, reset, TLS alert, timeout
            return Written(
                transport,
                list(spans),
                confirmed=False,
                reached=False,
                detail=f"POST {url} ({content_type}): no answer: {exc}",
                evidence=[dict(e) for e in exc.evidence],
            )
        rejected = rejected_spans(exchange.body, content_type) if exchange.status == 200 else None
        confirmed = exchange.status == 200 and not rejected
        unsupported = exchange.status == 415  # this encoding is not offered (OTLP: SHOULD)
        detail = f"POST {url} ({content_type}, {len(spans)} spans) -> {exchange.status}"
        if rejected:
            detail += f", partial_success.rejected_spans = {rejected}"
        return Written(
            transport,
            list(spans),
            confirmed,
            True,
            detail,
            [exchange.to_evidence()],
            unimplemented=unsupported,
        )

    def _grpc(self, transport: str, spans: Sequence[Span], *, plain: bool) -> Written:
        if transport == "logboek-v1":
            method, payload = wire.LOGBOEK_EXPORT, _v1_request(spans).SerializeToString()
        else:
            method = wire.OTLP_TRACE_EXPORT
            payload = export_request(spans, RESOURCE).SerializeToString()
        result: GrpcResult = unary_call(
            self.grpc_address,
            method,
            payload,
            tls=self._grpc_tls(plain),
            timeout_s=self.context.target.budget.timeout_s,
            request_excerpt=_excerpt(spans),
        )
        confirmed = result.ok
        detail = result.line()
        if result.ok and transport == "otlp-grpc":
            rejected = rejected_spans(result.response or b"", PROTOBUF)
            if rejected:
                confirmed = False
                detail += f", partial_success.rejected_spans = {rejected}"
        return Written(
            transport,
            list(spans),
            confirmed,
            result.reached,
            detail,
            [result.to_evidence()],
            unimplemented=result.code == "UNIMPLEMENTED",
        )

    def unstorable(self) -> list[Span]:
        """A record no Logboek can store: a 5-byte trace id, no span id."""
        now = time.time_ns()
        return [
            {
                "trace_id": secrets.token_hex(5),
                "span_id": "",
                "parent_span_id": "",
                "name": "cgconform: onopslaanbaar",
                "start_ns": now,
                "end_ns": now,
                "status": "Unset",
                "attributes": {ACTIVITY: "https://cgconform.example/verwerkingsactiviteiten/x"},
            }
        ]


def ids_of(spans: Sequence[Mapping[str, Any]]) -> set[tuple[str, str]]:
    return {(s["trace_id"], s["span_id"]) for s in spans}
