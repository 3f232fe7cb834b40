"""OTLP trace exports on the wire, both ways: decoding what an application exports to the
receiver cgconform plays (OTLP/HTTP protobuf and JSON, OTLP/gRPC), and encoding what cgconform
writes to a Logboek under test.

OTLP/JSON differs from protobuf's JSON mapping in one place: trace and span ids are hex, not
base64 (OTLP specification, "JSON Protobuf Encoding").
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
_HEX_ID_FIELDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")


class Undecodable(ValueError):
    """The body is not a write that can be read (or, for the reference Logboek, stored); the
    reason is the message."""


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def decode_request(body: bytes, content_type: str) -> ExportTraceServiceRequest:
    """Parse an export request in the given encoding (`PROTOBUF` or `JSON`)."""
    if content_type == PROTOBUF:
        request = ExportTraceServiceRequest()
        try:
            request.ParseFromString(body)
        except (DecodeError, RuntimeWarning, ValueError) as exc:
            raise Undecodable(f"not an ExportTraceServiceRequest in protobuf: {exc}") from exc
        return request
    if content_type == JSON:
        return _decode_json(body)
    raise Undecodable(f"unsupported content type {content_type!r}")


def _decode_json(body: bytes) -> ExportTraceServiceRequest:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise Undecodable(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise Undecodable("the JSON body is not an object")
    for span in _json_spans(data):
        _hex_ids_to_base64(span, "span")
        for link in _json_list(span, "links"):
            _hex_ids_to_base64(link, "link")
    request = ExportTraceServiceRequest()
    try:
        json_format.ParseDict(data, request, ignore_unknown_fields=True)
    except (json_format.ParseError, RecursionError) as exc:
        raise Undecodable(f"not an ExportTraceServiceRequest in OTLP/JSON: {exc}") from exc
    return request


def _json_list(obj: dict[str, Any], *names: str) -> list[dict[str, Any]]:
    for name in names:
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise Undecodable(f"{name} is not a list of objects")
        return value
    return []


def _json_spans(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource_spans in _json_list(data, "resourceSpans", "resource_spans"):
        for scope_spans in _json_list(resource_spans, "scopeSpans", "scope_spans"):
            yield from _json_list(scope_spans, "spans")


def _hex_ids_to_base64(obj: dict[str, Any], what: str) -> None:
    for name in _HEX_ID_FIELDS:
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Undecodable(f"{what} {name} is not a string")
        try:
            raw = bytes.fromhex(value)
        except ValueError as exc:
            raise Undecodable(f"{what} {name} {value[:40]!r} is not hex") from exc
        obj[name] = base64.b64encode(raw).decode("ascii")


def any_value(value: AnyValue) -> Any:
    """An OTLP AnyValue as a JSON value (bytes as lower-case hex)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return binascii.hexlify(value.bytes_value).decode("ascii")
    if kind == "double_value" and not math.isfinite(value.double_value):
        return str(value.double_value)  # "nan", "inf": JSON has no such numbers
    return getattr(value, kind)


def attributes(pairs: Any) -> dict[str, Any]:
    """OTLP KeyValue pairs as a JSON object (a repeated key: the last one wins)."""
    return {pair.key: any_value(pair.value) for pair in pairs}


def rejected_spans(body: bytes, content_type: str) -> int | None:
    """`partial_success.rejected_spans` of an export response (None: not readable)."""
    response = ExportTraceServiceResponse()
    try:
        if content_type == JSON:
            json_format.Parse(body.decode("utf-8") or "{}", response, ignore_unknown_fields=True)
        else:
            response.ParseFromString(body)
    except (DecodeError, json_format.ParseError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return int(response.partial_success.rejected_spans)


# -- encoding, for writing to a Logboek ---------------------------------------------------------


def _any(value: Any) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, list | tuple):
        result = AnyValue()
        result.array_value.values.extend(_any(item) for item in value)
        return result
    return AnyValue(string_value=str(value))


def key_values(values: Mapping[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=key, value=_any(value)) for key, value in values.items()]


def export_request(
    spans: Sequence[Mapping[str, Any]], resource: Mapping[str, Any], scope: str = "cgconform"
) -> ExportTraceServiceRequest:
    """An export of `spans`, each a mapping with trace_id, span_id, parent_span_id (hex),
    name, start_ns, end_ns, status ("Unset"|"Ok"|"Error"), status_message, kind (int),
    attributes."""
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.extend(key_values(resource))
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = scope
    codes = {"Unset": 0, "Ok": 1, "Error": 2}
    for item in spans:
        span = scope_spans.spans.add()
        span.trace_id = bytes.fromhex(item["trace_id"])
        span.span_id = bytes.fromhex(item["span_id"])
        if item.get("parent_span_id"):
            span.parent_span_id = bytes.fromhex(item["parent_span_id"])
        span.name = item["name"]
        span.kind = int(item.get("kind", 1))  # type: ignore[assignment]
        span.start_time_unix_nano = int(item["start_ns"])
        span.end_time_unix_nano = int(item["end_ns"])
        span.status.code = codes[item.get("status", "Unset")]  # type: ignore[assignment]
        if item.get("status_message"):
            span.status.message = item["status_message"]
        span.attributes.extend(key_values(item.get("attributes", {})))
    return request


def encode_json(request: ExportTraceServiceRequest) -> bytes:
    """OTLP/JSON: protobuf's JSON mapping with hex ids and camelCase field names."""
    data = json_format.MessageToDict(request)
    for span in _json_spans(data):
        for name in ("traceId", "spanId", "parentSpanId"):
            if name in span:
                span[name] = base64.b64decode(span[name]).hex()
    return json.dumps(data).encode("utf-8")
