"""The reference Logboek (fixtures/logboek/) against the real OpenTelemetry SDK exporter, over plain
OTLP/HTTP (TLS, gRPC, the read API and the defects have test_reference_logboek_*.py): what the
SDK writes over OTLP/HTTP (protobuf, and gzip) is confirmed and kept exactly (ids, parent link,
times, status, `dpl.core.*` attributes); the same spans as OTLP/JSON give the same rows; a body it
cannot store (undecodable, a short trace or span id) gets 400 and nothing of it is kept.

Skipped when opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http or opentelemetry-proto is
not installed, except in CI (`CI=true`), which installs them with the test extra and must run these.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import requests

if not os.environ.get("CI"):
    for _name in (
        "opentelemetry.sdk",
        "opentelemetry.exporter.otlp.proto.http",
        "opentelemetry.proto",
    ):
        pytest.importorskip(_name, reason=f"{_name} is not installed (pip install -e '.[test]')")

from google.protobuf import json_format

# googleapis-common-protos (a dependency of the exporter) has .pyi files but no py.typed
from google.rpc.status_pb2 import Status as Status_pb  # type: ignore[import-untyped]
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, Status, StatusCode

from cgconform.fixtures.logboek.server import RunningLogboek, serve_logboek
from cgconform.fixtures.logboek.store import (
    DPL_DATA_SUBJECT_ID,
    DPL_DATA_SUBJECT_ID_TYPE,
    DPL_PROCESSING_ACTIVITY_ID,
    STATUS_ERROR,
    STATUS_UNSET,
    ProcessingRecord,
    SpanStore,
)

ACTIVITY = "https://register.example.nl/verwerkingsactiviteiten/parkeervergunning-aanvragen"
PARENT_ATTRS: dict[str, Any] = {
    DPL_PROCESSING_ACTIVITY_ID: ACTIVITY,
    "dpl.core.foreign_operation.trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    "dpl.core.foreign_operation.span_id": "00f067aa0ba902b7",
    "dpl.core.foreign_operation.processor": "https://aanvrager.example.nl",
}
CHILD_ATTRS: dict[str, Any] = {
    DPL_PROCESSING_ACTIVITY_ID: ACTIVITY,
    DPL_DATA_SUBJECT_ID: "a3f1c9e2-pseudoniem",
    DPL_DATA_SUBJECT_ID_TYPE: "BSN",
    "retries": 2,
    "cached": False,
}


@pytest.fixture
def logboek() -> Iterator[RunningLogboek]:
    with serve_logboek() as running:
        yield running
        assert running.errors == []


def _processing(provider: TracerProvider) -> None:
    """One processing: a root action with a failing child action (a parent and a child span)."""
    tracer = provider.get_tracer("cgconform.tests.logboek")
    with (
        tracer.start_as_current_span("aanvraag-behandelen", attributes=PARENT_ATTRS),
        tracer.start_as_current_span("brp-opvragen", attributes=CHILD_ATTRS) as child,
    ):
        child.set_status(Status(StatusCode.ERROR, "BRP answered 500"))


def _sdk_spans() -> list[ReadableSpan]:
    """A processing as the SDK finishes it (kept in memory; not exported yet)."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "cgconform-tests"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    _processing(provider)
    provider.shutdown()
    spans = list(memory.get_finished_spans())
    assert [span.name for span in spans] == ["brp-opvragen", "aanvraag-behandelen"]
    return spans


def _trace_id(spans: Sequence[ReadableSpan]) -> str:
    context = spans[0].get_span_context()
    assert context is not None
    return f"{context.trace_id:032x}"


def _assert_kept(store_rows: Sequence[ProcessingRecord], spans: Sequence[ReadableSpan]) -> None:
    """Each span has exactly one row, with ids, parent link, times, status and attributes."""
    assert len(store_rows) == len(spans)
    by_span = {row.span_id: row for row in store_rows}
    for span in spans:
        context = span.get_span_context()
        assert context is not None
        row = by_span[f"{context.span_id:016x}"]
        assert row.trace_id == f"{context.trace_id:032x}"
        assert row.parent_span_id == (f"{span.parent.span_id:016x}" if span.parent else "")
        assert row.name == span.name
        assert (row.start_time_unix_nano, row.end_time_unix_nano) == (
            span.start_time,
            span.end_time,
        )
        assert row.start_time_unix_nano <= row.end_time_unix_nano
        assert dict(row.attributes) == dict(span.attributes or {})
        assert row.resource_attributes["service.name"] == "cgconform-tests"
        assert row.scope_name == "cgconform.tests.logboek"


def _check_processing(rows: Sequence[ProcessingRecord]) -> None:
    """The parent/child shape of `_processing`, from the rows alone."""
    parent, child = (
        next(row for row in rows if row.name == name)
        for name in ("aanvraag-behandelen", "brp-opvragen")
    )
    assert parent.parent_span_id == ""
    assert child.parent_span_id == parent.span_id
    assert child.trace_id == parent.trace_id
    assert len(parent.trace_id) == 32 and len(parent.span_id) == 16
    assert parent.attributes == PARENT_ATTRS
    assert parent.foreign_operation == {
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "span_id": "00f067aa0ba902b7",
        "processor": "https://aanvrager.example.nl",
    }
    assert child.attributes == CHILD_ATTRS
    assert (parent.status_code, child.status_code) == (STATUS_UNSET, STATUS_ERROR)
    assert child.status_message == "BRP answered 500"
    assert parent.start_time_unix_nano <= child.start_time_unix_nano
    assert child.end_time_unix_nano <= parent.end_time_unix_nano


def _to_otlp_json(request: ExportTraceServiceRequest) -> dict[str, Any]:
    """OTLP/JSON of a request: protobuf's JSON mapping, with ids in hex and enums as integers."""
    data = json_format.MessageToDict(request, use_integers_for_enums=True)
    for resource_spans in data["resourceSpans"]:
        for scope_spans in resource_spans["scopeSpans"]:
            for span in scope_spans["spans"]:
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64decode(span[key]).hex()
    return data


# (1) the real SDK exporter -------------------------------------------------------------------


def test_sdk_exporter_write_is_confirmed_and_kept(logboek: RunningLogboek) -> None:
    spans = _sdk_spans()
    exporter = OTLPSpanExporter(endpoint=logboek.traces_url, timeout=5)
    assert exporter.export(spans) == SpanExportResult.SUCCESS
    trace_id = _trace_id(spans)
    rows = logboek.store.by_trace(trace_id)
    _assert_kept(rows, spans)
    _check_processing(rows)
    assert logboek.rejected == []


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_sdk_pipeline_batch_processor(logboek: RunningLogboek, compression: Compression) -> None:
    """The ordinary set-up: TracerProvider + BatchSpanProcessor + force_flush."""
    exporter = OTLPSpanExporter(endpoint=logboek.traces_url, timeout=5, compression=compression)
    provider = TracerProvider(resource=Resource.create({"service.name": "cgconform-tests"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    _processing(provider)
    assert provider.force_flush(timeout_millis=10_000)
    provider.shutdown()
    rows = logboek.store.all()
    assert len(rows) == 2
    _check_processing(rows)
    assert {row.trace_id for row in rows} == {rows[0].trace_id}


def test_read_api_returns_what_was_written() -> None:
    """The read API gives back, by trace id, what the SDK wrote (times in ms, status by name)."""
    spans = _sdk_spans()
    with serve_logboek(read_api=True) as logboek:
        assert logboek.read_api_url is not None
        exporter = OTLPSpanExporter(endpoint=logboek.traces_url)
        assert exporter.export(spans) == SpanExportResult.SUCCESS
        trace_id = _trace_id(spans)
        answer = requests.post(
            logboek.read_api_url + "/processing-activities", json={"traceId": trace_id}, timeout=5
        )
        assert answer.status_code == 200
        found = {item["spanId"]: item for item in answer.json()["processingActivities"]}
        for row in logboek.store.by_trace(trace_id):
            item = found[row.span_id]
            assert item["traceId"] == trace_id
            assert item.get("parentSpanId", "") == row.parent_span_id
            assert item["startTime"] == row.start_time_unix_nano // 1_000_000
            assert item["attributes"] == row.attributes
        assert {item["status"] for item in found.values()} == {"Unset", "Error"}
        assert logboek.errors == []


def test_file_store_is_durable(tmp_path: Path) -> None:
    db = tmp_path / "logboek.sqlite"
    spans = _sdk_spans()
    with serve_logboek(db) as running:
        exporter = OTLPSpanExporter(endpoint=running.traces_url)
        assert exporter.export(spans) == SpanExportResult.SUCCESS
    reopened = SpanStore(db)
    try:
        _assert_kept(reopened.all(), spans)
    finally:
        reopened.close()


# (2) OTLP/JSON --------------------------------------------------------------------------------


def test_otlp_json_gives_the_same_rows(logboek: RunningLogboek) -> None:
    spans = _sdk_spans()
    assert OTLPSpanExporter(endpoint=logboek.traces_url).export(spans) == SpanExportResult.SUCCESS
    from_protobuf = [row.to_json() for row in logboek.store.all()]
    body = _to_otlp_json(encode_spans(spans))
    assert isinstance(
        body["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["startTimeUnixNano"], str
    )
    with serve_logboek() as other:
        answer = requests.post(other.traces_url, json=body, timeout=5)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.json() == {}
        assert [row.to_json() for row in other.store.all()] == from_protobuf
        assert other.errors == []


def test_handwritten_otlp_json(logboek: RunningLogboek) -> None:
    """An OTLP/JSON document as the specification's example writes it (hex ids, string times)."""
    trace_id = "5b8efff798038103d269b633813fc60c"
    body = {
        "resourceSpans": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "aanvragen"}}]
                },
                "scopeSpans": [
                    {
                        "scope": {"name": "handwritten"},
                        "spans": [
                            {
                                "traceId": trace_id,
                                "spanId": "eee19b7ec3c1b174",
                                "parentSpanId": "",
                                "name": "root",
                                "kind": 2,
                                "startTimeUnixNano": "1544712660000000000",
                                "endTimeUnixNano": "1544712661000000000",
                                "attributes": [
                                    {
                                        "key": DPL_PROCESSING_ACTIVITY_ID,
                                        "value": {"stringValue": ACTIVITY},
                                    },
                                    {"key": "n", "value": {"intValue": "42"}},
                                    {"key": "ok", "value": {"boolValue": True}},
                                ],
                                "status": {"code": 1},
                                "someFutureField": "ignored",
                            },
                            {
                                "traceId": trace_id,
                                "spanId": "eee19b7ec3c1b173",
                                "parentSpanId": "eee19b7ec3c1b174",
                                "name": "child",
                                "startTimeUnixNano": "1544712660300000000",
                                "endTimeUnixNano": "1544712660600000000",
                                "attributes": [
                                    {"key": DPL_DATA_SUBJECT_ID, "value": {"stringValue": "x"}}
                                ],
                            },
                        ],
                    }
                ],
            }
        ]
    }
    answer = requests.post(
        logboek.traces_url,
        data=json.dumps(body),
        headers={"Content-Type": "application/json; charset=utf-8"},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    root, child = logboek.store.by_trace(trace_id)
    assert (root.span_id, root.parent_span_id, root.kind, root.status_code) == (
        "eee19b7ec3c1b174",
        "",
        2,
        1,
    )
    assert (root.start_time_unix_nano, root.end_time_unix_nano) == (
        1544712660000000000,
        1544712661000000000,
    )
    assert root.attributes == {DPL_PROCESSING_ACTIVITY_ID: ACTIVITY, "n": 42, "ok": True}
    assert root.resource_attributes == {"service.name": "aanvragen"}
    assert (child.parent_span_id, child.attributes) == (
        "eee19b7ec3c1b174",
        {DPL_DATA_SUBJECT_ID: "x"},
    )


# (3) what cannot be stored is not confirmed ---------------------------------------------------


def _protobuf_with(trace_id: bytes, span_id: bytes) -> bytes:
    """A request with one good span and one span with the given ids."""
    request = encode_spans(_sdk_spans())
    bad = request.resource_spans[0].scope_spans[0].spans.add()
    bad.CopyFrom(request.resource_spans[0].scope_spans[0].spans[0])
    bad.trace_id, bad.span_id = trace_id, span_id
    return request.SerializeToString()


PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(b"\xff\xff\xff", PROTOBUF, id="protobuf-garbage"),
        pytest.param(b"not protobuf at all", PROTOBUF, id="protobuf-text"),
        pytest.param(b"{not json", JSON, id="json-garbage"),
        pytest.param(b"[]", JSON, id="json-not-object"),
        pytest.param(b'{"resourceSpans": "x"}', JSON, id="json-wrong-shape"),
        pytest.param(gzip.compress(b"x")[:5], {**PROTOBUF, "Content-Encoding": "gzip"}, id="gzip"),
    ],
)
def test_undecodable_body_is_refused(
    logboek: RunningLogboek, body: bytes, headers: dict[str, str]
) -> None:
    answer = requests.post(logboek.traces_url, data=body, headers=headers, timeout=5)
    assert answer.status_code == 400
    assert logboek.store.count() == 0


@pytest.mark.parametrize(
    ("trace_id", "span_id"),
    [
        pytest.param(b"\x01" * 8, b"\x02" * 8, id="short-trace-id"),
        pytest.param(b"", b"\x02" * 8, id="no-trace-id"),
        pytest.param(b"\x00" * 16, b"\x02" * 8, id="zero-trace-id"),
        pytest.param(b"\x01" * 16, b"\x02" * 4, id="short-span-id"),
        pytest.param(b"\x01" * 16, b"", id="no-span-id"),
    ],
)
def test_bad_ids_in_protobuf_are_refused(
    logboek: RunningLogboek, trace_id: bytes, span_id: bytes
) -> None:
    body = _protobuf_with(trace_id, span_id)
    answer = requests.post(logboek.traces_url, data=body, headers=PROTOBUF, timeout=5)
    assert answer.status_code == 400
    assert logboek.store.count() == 0  # the good span of the same request is not kept either
    assert len(logboek.rejected) == 1
    status = Status_pb().FromString(answer.content)  # OTLP/HTTP: a google.rpc.Status
    assert status.code == 3 and status.message == logboek.rejected[0]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("traceId", "5b8efff798038103"),  # 8 bytes
        ("traceId", "5b8efff798038103d269b633813fc60"),  # odd length
        ("traceId", "not-hex-not-hex-not-hex-not-hex-"),
        ("spanId", "eee19b7e"),
        ("parentSpanId", "eee19b"),
    ],
)
def test_bad_ids_in_json_are_refused(logboek: RunningLogboek, field: str, value: str) -> None:
    body = _to_otlp_json(encode_spans(_sdk_spans()))
    body["resourceSpans"][0]["scopeSpans"][0]["spans"][0][field] = value
    answer = requests.post(logboek.traces_url, json=body, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["code"] == 3  # google.rpc.Status, INVALID_ARGUMENT
    assert logboek.store.count() == 0


def test_sdk_exporter_sees_the_refusal(logboek: RunningLogboek) -> None:
    """A span the Logboek cannot keep (an all-zero trace id) makes the real exporter fail."""
    good = _sdk_spans()
    bad = ReadableSpan(
        name="zero-trace",
        context=SpanContext(trace_id=0, span_id=0x1234, is_remote=False),
        resource=good[0].resource,
        start_time=1,
        end_time=2,
    )
    exporter = OTLPSpanExporter(endpoint=logboek.traces_url, timeout=5)
    assert exporter.export([*good, bad]) == SpanExportResult.FAILURE
    assert logboek.store.count() == 0
    assert any("trace_id" in reason for reason in logboek.rejected)


def test_unsupported_content_type(logboek: RunningLogboek) -> None:
    answer = requests.post(
        logboek.traces_url, data=b"x", headers={"Content-Type": "text/plain"}, timeout=5
    )
    assert answer.status_code == 415
    assert logboek.store.count() == 0
