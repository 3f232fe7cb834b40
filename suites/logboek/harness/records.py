"""One processing record ("Logregel") as the checks see it, whatever carried it: an OTLP span
(OTLP/HTTP protobuf or JSON, OTLP/gRPC), a `logboek.v1` ProcessingOperation, or an item of the
read extension's answer. Ids are lower-case hex; times are nanoseconds since the epoch (the
standard says milliseconds, OTLP carries nanoseconds: docs/logboek-notes.md reading 4).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from cgconform.suites.logboek.harness.otlp import attributes

SUBJECT = "dpl.core.data_subject_id"
SUBJECT_TYPE = "dpl.core.data_subject_id_type"
ACTIVITY = "dpl.core.processing_activity_id"
FOREIGN = "dpl.core.foreign_operation."
PROCESSOR = "dpl.core.foreign_operation.processor"
READ_API = "dpl.read.externalReadAPI_id"

OTLP_STATUS = {0: "Unset", 1: "Ok", 2: "Error"}
V1_STATUS = {0: "Unset", 1: "Ok", 2: "Error"}  # STATUS_CODE_UNKNOWN counts as not set
_STATUS_WORDS = {"unset": "Unset", "ok": "Ok", "error": "Error"}
SPAN_KINDS = {
    0: "UNSPECIFIED",
    1: "INTERNAL",
    2: "SERVER",
    3: "CLIENT",
    4: "PRODUCER",
    5: "CONSUMER",
}


@dataclass(frozen=True)
class Record:
    trace_id: str  # hex, as carried ("" when absent)
    span_id: str
    parent_span_id: str  # "" for a root action
    name: str
    start_ns: int | None
    end_ns: int | None
    status: str  # "Unset" | "Ok" | "Error", or the odd value as carried
    status_message: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    resource: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    kind: str = "UNSPECIFIED"
    resource_shown: bool = True  # False: a read-API item without a resource
    source_text: str = ""  # a read-API item as JSON text (to find a value in its own shape)
    transport: str = (
        ""  # "otlp-http-protobuf", "otlp-http-json", "otlp-grpc", "logboek-v1", "read-api"
    )
    received_at: float = 0.0

    @property
    def subject(self) -> Any:
        return self.attributes.get(SUBJECT)

    @property
    def activity(self) -> Any:
        return self.attributes.get(ACTIVITY)

    def foreign(self) -> dict[str, Any]:
        return {k: v for k, v in self.attributes.items() if k.startswith(FOREIGN)}

    def has_exception_detail(self) -> bool:
        keys = ("exception.message", "exception.type")
        if any(k in self.attributes for k in keys):
            return True
        return any(
            name == "exception" or any(k in attrs for k in keys) for name, attrs in self.events
        )

    def summary(self) -> dict[str, Any]:
        """The record as evidence: what the checks read (personal data masked by the report)."""
        return {
            "trace_id": self.trace_id,
            "span_id": self.span_id,
            "parent_span_id": self.parent_span_id,
            "name": self.name[:200],
            "status": self.status,
            "kind": self.kind,
            "start_ns": self.start_ns,
            "end_ns": self.end_ns,
            "attributes": {k: _short(v) for k, v in list(self.attributes.items())[:40]},
            "via": self.transport,
        }

    def line(self) -> str:
        return json.dumps(self.summary(), ensure_ascii=False, default=str)


def _short(value: Any) -> Any:
    return value[:300] if isinstance(value, str) else value


def from_otlp(
    request: ExportTraceServiceRequest, transport: str, received_at: float
) -> list[Record]:
    result: list[Record] = []
    for resource_spans in request.resource_spans:
        resource = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                result.append(
                    Record(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        name=span.name,
                        start_ns=int(span.start_time_unix_nano) or None,
                        end_ns=int(span.end_time_unix_nano) or None,
                        status=OTLP_STATUS.get(int(span.status.code), str(span.status.code)),
                        status_message=span.status.message,
                        attributes=attributes(span.attributes),
                        resource=resource,
                        events=tuple(
                            (event.name, attributes(event.attributes)) for event in span.events
                        ),
                        kind=SPAN_KINDS.get(int(span.kind), str(span.kind)),
                        transport=transport,
                        received_at=received_at,
                    )
                )
    return result


def from_logboek_v1(request: Any, received_at: float) -> list[Record]:
    """Records of a `logboek.v1` ExportOperationsRequest. `foreign_operation{trace_id,
    operation_id, entity}` becomes the `dpl.core.foreign_operation.*` attributes (trace_id,
    span_id, processor), so that the checks read one vocabulary (docs/logboek-notes.md
    reading 1)."""
    resource = {"service.name": request.resource.name, "service.version": request.resource.version}
    result: list[Record] = []
    for operation in request.operations:
        attrs: dict[str, Any] = {pair.key: pair.value for pair in operation.attributes}
        if operation.HasField("foreign_operation"):
            foreign = operation.foreign_operation
            if foreign.trace_id:
                attrs[FOREIGN + "trace_id"] = foreign.trace_id.hex()
            if foreign.operation_id:
                attrs[FOREIGN + "span_id"] = foreign.operation_id.hex()
            if foreign.entity:
                attrs.setdefault(PROCESSOR, foreign.entity)
        result.append(
            Record(
                trace_id=operation.trace_id.hex(),
                span_id=operation.operation_id.hex(),
                parent_span_id=operation.parent_operation_id.hex(),
                name=operation.name,
                start_ns=_timestamp_ns(operation, "start_time"),
                end_ns=_timestamp_ns(operation, "end_time"),
                status=V1_STATUS.get(int(operation.status_code), str(operation.status_code)),
                attributes=attrs,
                resource=resource,
                transport="logboek-v1",
                received_at=received_at,
            )
        )
    return result


def _timestamp_ns(message: Any, name: str) -> int | None:
    if not message.HasField(name):
        return None
    stamp = getattr(message, name)
    return int(stamp.seconds) * 1_000_000_000 + int(stamp.nanos) or None


# -- the read extension's answer ----------------------------------------------------------------

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_KEYS = {
    "trace_id": ("traceId", "trace_id", "traceID", "TraceId"),
    "span_id": ("spanId", "span_id", "spanID", "operationId", "operation_id"),
    "parent_span_id": ("parentSpanId", "parent_span_id", "parentSpanID", "parentOperationId"),
    "name": ("name",),
    "start": ("startTime", "start_time", "startTimeUnixNano", "start_time_unix_nano"),
    "end": ("endTime", "end_time", "endTimeUnixNano", "end_time_unix_nano"),
    "status": ("status", "statusCode", "status_code"),
}
_LIST_KEYS = ("processingActivities", "records", "items", "data", "results", "operations", "spans")


def hex_id(value: Any) -> str:
    """An id as lower-case hex: hex as it is, a UUID without its dashes (reading 12)."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    if _UUID.match(value):
        return value.replace("-", "").lower()
    return value.strip().lower()


def uuid_notation(trace_id: str) -> str:
    h = trace_id.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_ID_LIST_KEYS = ("traceIds", "traceIDs", "trace_ids", "traces")


def read_trace_ids(answer: Any) -> list[str] | None:
    """An answer that lists only trace ids ("alle traceIDs terugkrijgen", reading 13): a list of
    strings at the top or under `traceIds` (or a spelling of it). None: no such list."""
    values: Any = answer
    if isinstance(answer, Mapping):
        values = next((answer[k] for k in _ID_LIST_KEYS if isinstance(answer.get(k), list)), None)
    if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
        return [hex_id(v) for v in values]
    return None


def read_items(answer: Any) -> list[Mapping[str, Any]] | None:
    """The record objects of a read-extension answer: the OpenAPI's `processingActivities`, or
    another list of objects at the top or one level down. None: no list of records."""
    if isinstance(answer, list):
        if answer and all(isinstance(item, str) for item in answer):
            return None  # trace ids only (read_trace_ids)
        return [item for item in answer if isinstance(item, Mapping)]
    if not isinstance(answer, Mapping):
        return None
    for key in _LIST_KEYS:
        value = answer.get(key)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, Mapping)]
    lists = [v for v in answer.values() if isinstance(v, list)]
    if len(lists) == 1 and not all(isinstance(v, str) for v in lists[0] or [None]):
        return [item for item in lists[0] if isinstance(item, Mapping)]
    if len(lists) == 1 and not lists[0]:
        return []
    return None


def _pick(item: Mapping[str, Any], what: str) -> Any:
    for key in _KEYS[what]:
        if key in item:
            return item[key]
    return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def time_ns(value: Any) -> int | None:
    """A read-API time as ns: RFC 3339 text, or a number in ms, µs or ns (by magnitude: a
    plausible instant after 2001), reading 4."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return time_ns(int(text))
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        if stamp.tzinfo is None:
            return None
        # in whole microseconds: a float timestamp loses the last digit of a 2026 instant
        return (stamp - _EPOCH) // timedelta(microseconds=1) * 1000
    if isinstance(value, int | float):
        for factor in (1_000_000_000, 1_000_000, 1_000, 1):  # s, ms, µs, ns
            # integers stay integers: ms * 10**6 as a float is off by tens of ns, enough to
            # push a time just past the millisecond it was written in
            ns = value * factor if isinstance(value, int) else int(value * factor)
            if 10**18 <= ns < 10**19:  # 2001 .. 2286
                return int(ns)
    return None


def status_word(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return OTLP_STATUS.get(value, str(value))
    if isinstance(value, Mapping):
        return status_word(value.get("code"))
    text = str(value or "").strip()
    word = text.lower().removeprefix("status_code_")
    return _STATUS_WORDS.get(word, "Unset" if word in ("", "unknown", "unspecified") else text)


def from_read_item(item: Mapping[str, Any]) -> Record:
    attrs = item.get("attributes")
    resource = item.get("resource")
    if isinstance(resource, Mapping) and isinstance(resource.get("attributes"), Mapping):
        resource = resource["attributes"]
    return Record(
        trace_id=hex_id(_pick(item, "trace_id")),
        span_id=hex_id(_pick(item, "span_id")),
        parent_span_id=hex_id(_pick(item, "parent_span_id") or ""),
        name=str(_pick(item, "name") or ""),
        start_ns=time_ns(_pick(item, "start")),
        end_ns=time_ns(_pick(item, "end")),
        status=status_word(_pick(item, "status")),
        attributes=dict(attrs) if isinstance(attrs, Mapping) else {},
        resource=dict(resource) if isinstance(resource, Mapping) else {},
        resource_shown="resource" in item,
        source_text=json.dumps(item, default=str)[:20000],
        transport="read-api",
    )


def by_trace(records: Iterable[Record]) -> dict[str, list[Record]]:
    result: dict[str, list[Record]] = {}
    for record in records:
        result.setdefault(record.trace_id, []).append(record)
    return result
