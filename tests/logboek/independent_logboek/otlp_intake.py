"""Turning an OTLP/HTTP export request (binary protobuf or JSON) into records, and the answers."""

from __future__ import annotations

import base64
import gzip
import json
import zlib
from dataclasses import dataclass, replace
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from google.rpc import status_pb2  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from .store import Record

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_STATUS = {
    Status.STATUS_CODE_UNSET: "Unset",
    Status.STATUS_CODE_OK: "Ok",
    Status.STATUS_CODE_ERROR: "Error",
}
_INVALID_ARGUMENT = 3


class IntakeError(Exception):
    """The request cannot be taken in: answered with `status` and a google.rpc.Status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Intake:
    """The records of one request, and those of its spans that are not valid records."""

    records: list[Record]
    invalid: list[str]  # one line per invalid span: which and why


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    encoding = (content_encoding or "identity").strip().lower()
    try:
        if encoding == "gzip":
            return gzip.decompress(body)
        if encoding == "deflate":
            return zlib.decompress(body)
    except (OSError, zlib.error, EOFError) as exc:
        raise IntakeError(400, f"cannot decompress the {encoding} body: {exc}") from None
    if encoding != "identity":
        raise IntakeError(415, f"unsupported Content-Encoding {encoding!r}")
    return body


def parse_request(body: bytes, content_type: str) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    if content_type == PROTOBUF:
        try:
            request.ParseFromString(body)
        except DecodeError as exc:
            raise IntakeError(400, f"not an ExportTraceServiceRequest: {exc}") from None
        return request
    if content_type == JSON:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise IntakeError(400, f"not JSON: {exc}") from None
        if not isinstance(document, dict):
            raise IntakeError(400, "the OTLP/JSON body is not an object")
        _hex_ids_to_base64(document)
        try:
            json_format.ParseDict(document, request, ignore_unknown_fields=True)
        except json_format.ParseError as exc:
            raise IntakeError(400, f"not an OTLP/JSON ExportTraceServiceRequest: {exc}") from None
        return request
    raise IntakeError(415, f"unsupported Content-Type {content_type!r}; send {PROTOBUF} or {JSON}")


def _hex_ids_to_base64(document: dict[str, Any]) -> None:
    """OTLP/JSON writes trace and span ids in hex, protobuf's JSON mapping wants base64."""

    def convert(holder: dict[str, Any], key: str) -> None:
        value = holder.get(key)
        if isinstance(value, str) and value:
            try:
                holder[key] = base64.b64encode(bytes.fromhex(value)).decode()
            except ValueError:
                raise IntakeError(400, f"{key} {value!r} is not hexadecimal") from None

    for resource_spans in _objects(document.get("resourceSpans")):
        for scope_spans in _objects(resource_spans.get("scopeSpans")):
            for span in _objects(scope_spans.get("spans")):
                for key in ("traceId", "spanId", "parentSpanId"):
                    convert(span, key)
                for link in _objects(span.get("links")):
                    convert(link, "traceId")
                    convert(link, "spanId")


def _objects(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def any_value(value: AnyValue) -> Any:
    """An OTLP attribute value as plain JSON, keeping its type."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    if kind is None:
        return None
    return getattr(value, kind)


def attributes(pairs: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for pair in pairs:
        assert isinstance(pair, KeyValue)
        result[pair.key] = any_value(pair.value)
    return result


def _problem(span: Span) -> str | None:
    if len(span.trace_id) != 16 or not any(span.trace_id):
        return f"trace_id must be 16 bytes, not all zero (got {len(span.trace_id)} bytes)"
    if len(span.span_id) != 8 or not any(span.span_id):
        return f"span_id must be 8 bytes, not all zero (got {len(span.span_id)} bytes)"
    if len(span.parent_span_id) not in (0, 8):
        return f"parent_span_id must be empty or 8 bytes (got {len(span.parent_span_id)} bytes)"
    if not span.name:
        return "name is empty"
    if not span.start_time_unix_nano or not span.end_time_unix_nano:
        return "start_time and end_time are required"
    if span.end_time_unix_nano < span.start_time_unix_nano:
        return "end_time is before start_time"
    return None


def take_in(request: ExportTraceServiceRequest) -> Intake:
    records: list[Record] = []
    invalid: list[str] = []
    for r_index, resource_spans in enumerate(request.resource_spans):
        resource = {"attributes": attributes(resource_spans.resource.attributes)}
        for s_index, scope_spans in enumerate(resource_spans.scope_spans):
            scope = {"name": scope_spans.scope.name, "version": scope_spans.scope.version}
            for index, span in enumerate(scope_spans.spans):
                problem = _problem(span)
                if problem is not None:
                    where = f"resourceSpans[{r_index}].scopeSpans[{s_index}].spans[{index}]"
                    invalid.append(f"{where} ({span.name!r}): {problem}")
                    continue
                records.append(
                    Record(
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        name=span.name,
                        status=_STATUS.get(span.status.code, "Unset"),
                        status_message=span.status.message,
                        start_ns=span.start_time_unix_nano,
                        end_ns=span.end_time_unix_nano,
                        attributes=attributes(span.attributes),
                        resource=resource,
                        scope=scope,
                    )
                )
    return Intake(records, invalid)


def alter(record: Record, defects: frozenset[str]) -> Record:
    """The record as a defective Logboek would store it (unchanged without defects)."""
    attrs = record.attributes
    if "attributes_truncated" in defects:  # a fixed-width column for all but the indexed ones
        attrs = {
            k: v[:16] if isinstance(v, str) and not k.startswith("dpl.core.") else v
            for k, v in attrs.items()
        }
    if "attributes_stringified" in defects:
        attrs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in attrs.items()}
    if "foreign_operation_dropped" in defects:
        attrs = {k: v for k, v in attrs.items() if not k.startswith("dpl.core.foreign_operation.")}
    if "foreign_attributes_dropped" in defects:
        attrs = {k: v for k, v in attrs.items() if k.startswith("dpl.")}
    changed = replace(record, attributes=attrs)
    if "status_lost" in defects:
        changed = replace(changed, status="Unset", status_message="")
    if "parent_dropped" in defects:
        changed = replace(changed, parent_span_id="")
    if "resource_dropped" in defects:
        changed = replace(changed, resource={"attributes": {}})
    return changed


def success(content_type: str, *, rejected: int = 0, message: str = "") -> bytes:
    response = ExportTraceServiceResponse()
    if rejected:
        response.partial_success.rejected_spans = rejected
        response.partial_success.error_message = message
    if content_type == JSON:
        return json_format.MessageToJson(response).encode()
    return response.SerializeToString()


def failure(content_type: str, message: str) -> bytes:
    status = status_pb2.Status(code=_INVALID_ARGUMENT, message=message)
    if content_type == JSON:
        return json_format.MessageToJson(status).encode()
    return bytes(status.SerializeToString())


__all__ = [
    "JSON",
    "PROTOBUF",
    "Intake",
    "IntakeError",
    "alter",
    "decode_body",
    "failure",
    "media_type",
    "parse_request",
    "success",
    "take_in",
]
