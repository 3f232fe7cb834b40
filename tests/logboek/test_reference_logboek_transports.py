"""The reference Logboek's transports against clients nobody here wrote: the OpenTelemetry SDK's
OTLP/HTTP exporter over TLS (a throw-away CA), its OTLP/gRPC exporter over TLS, and a `logboek.v1`
client made of grpcio and suites/logboek/harness/wire.py. With TLS, a plain connection to any port
is refused; a gRPC write that cannot be stored is INVALID_ARGUMENT and nothing of it is kept; all
transports write into one store, which the read API reads.

Skipped when the OpenTelemetry packages are not installed, except in CI (`CI=true`).
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

if not os.environ.get("CI"):
    for _name in (
        "opentelemetry.sdk",
        "opentelemetry.exporter.otlp.proto.http",
        "opentelemetry.exporter.otlp.proto.grpc",
    ):
        pytest.importorskip(_name, reason=f"{_name} is not installed (pip install -e '.[test]')")

import grpc
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
    OTLPSpanExporter as GrpcSpanExporter,
)
from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
    OTLPSpanExporter as HttpSpanExporter,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanContext, Status, StatusCode

from cgconform.fixtures.logboek.server import RunningLogboek, serve_logboek
from cgconform.fixtures.logboek.store import (
    DPL_DATA_SUBJECT_ID,
    DPL_PROCESSING_ACTIVITY_ID,
    STATUS_ERROR,
    STATUS_OK,
)
from cgconform.fixtures.tls import TlsFiles, make_tls_files
from cgconform.suites.logboek.harness import wire

ACTIVITY = "https://register.example.nl/verwerkingsactiviteiten/parkeervergunning-aanvragen"
TRACE = bytes.fromhex("4bf92f3577b34da6a3ce929d0e0e4736")
ROOT, CHILD = bytes.fromhex("00f067aa0ba902b7"), bytes.fromhex("b7ad6b7169203331")
START = 1_764_068_470_669_123_456


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("logboek-tls"))


@pytest.fixture
def logboek(tls: TlsFiles) -> Iterator[RunningLogboek]:
    with serve_logboek(tls=tls, grpc=True, read_api=True) as running:
        yield running
        assert running.errors == []


def _sdk_spans() -> list[ReadableSpan]:
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "cgconform-tests"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("cgconform.tests.logboek")
    with (
        tracer.start_as_current_span("aanvraag", attributes={DPL_PROCESSING_ACTIVITY_ID: ACTIVITY}),
        tracer.start_as_current_span(
            "brp-opvragen", attributes={DPL_PROCESSING_ACTIVITY_ID: ACTIVITY, "n": 3}
        ) as child,
    ):
        child.set_status(Status(StatusCode.ERROR, "BRP answered 500"))
    provider.shutdown()
    return list(memory.get_finished_spans())


def _trace_id(spans: list[ReadableSpan]) -> str:
    context = spans[0].get_span_context()
    assert context is not None
    return f"{context.trace_id:032x}"


def _assert_kept(logboek: RunningLogboek, spans: list[ReadableSpan]) -> None:
    rows = {row.span_id: row for row in logboek.store.by_trace(_trace_id(spans))}
    assert len(rows) == len(spans)
    for span in spans:
        context = span.get_span_context()
        assert context is not None
        row = rows[f"{context.span_id:016x}"]
        assert row.parent_span_id == (f"{span.parent.span_id:016x}" if span.parent else "")
        assert (row.start_time_unix_nano, row.end_time_unix_nano) == (
            span.start_time,
            span.end_time,
        )
        assert dict(row.attributes) == dict(span.attributes or {})
        assert row.status_code == span.status.status_code.value


def _channel(logboek: RunningLogboek, tls: TlsFiles) -> grpc.Channel:
    assert logboek.grpc_address is not None
    credentials = grpc.ssl_channel_credentials(root_certificates=tls.ca.read_bytes())
    return grpc.secure_channel(logboek.grpc_address, credentials)


def _export_v1(channel: grpc.Channel, request: Any) -> Any:
    export = channel.unary_unary(
        wire.LOGBOEK_EXPORT,
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=wire.ExportOperationsResponse.FromString,
    )
    return export(request, timeout=5)


def _operations() -> Any:
    return wire.ExportOperationsRequest(
        resource=wire.Resource(name="parkeren-api", version="2.4.0"),
        operations=[
            wire.ProcessingOperation(
                trace_id=TRACE,
                operation_id=ROOT,
                name="aanvraag-behandelen",
                start_time=wire.timestamp(START),
                end_time=wire.timestamp(START + 90_000_000),
                status_code=wire.STATUS_CODE_OK,
                foreign_operation=wire.ForeignProcessingOperation(
                    trace_id=b"\x11" * 16, operation_id=b"\x22" * 8, entity="gemeente-portaal"
                ),
                attributes=[wire.Attribute(key=DPL_PROCESSING_ACTIVITY_ID, value=ACTIVITY)],
            ),
            wire.ProcessingOperation(
                trace_id=TRACE,
                operation_id=CHILD,
                parent_operation_id=ROOT,
                name="betrokkene",
                start_time=wire.timestamp(START + 10_000_000),
                end_time=wire.timestamp(START + 20_000_000),
                status_code=wire.STATUS_CODE_ERROR,
                attributes=[
                    wire.Attribute(key=DPL_PROCESSING_ACTIVITY_ID, value=ACTIVITY),
                    wire.Attribute(key=DPL_DATA_SUBJECT_ID, value="pseudo-1"),
                ],
            ),
        ],
    )


# -- OTLP/HTTP over TLS --------------------------------------------------------------------------


def test_sdk_http_exporter_over_tls(
    logboek: RunningLogboek, tls: TlsFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests lets these variables win over a session's `verify` (the exporter's CA file)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert logboek.otlp_http_url is not None and logboek.otlp_http_url.startswith("https://")
    spans = _sdk_spans()
    exporter = HttpSpanExporter(
        endpoint=logboek.traces_url, certificate_file=str(tls.ca), timeout=5
    )
    assert exporter.export(spans) == SpanExportResult.SUCCESS
    _assert_kept(logboek, spans)
    assert logboek.received == {"otlp-http-protobuf": 2}


def test_plain_connections_are_refused(logboek: RunningLogboek, tls: TlsFiles) -> None:
    assert logboek.otlp_http_url and logboek.read_api_url and logboek.grpc_address
    for url in (logboek.traces_url, logboek.read_api_url + "/processing-activities"):
        with pytest.raises(requests.ConnectionError):
            requests.post(url.replace("https://", "http://"), json={}, timeout=3)
    with (
        grpc.insecure_channel(logboek.grpc_address) as channel,
        pytest.raises(grpc.RpcError) as err,
    ):
        _export_v1(channel, _operations())
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert logboek.store.count() == 0
    # and each port completes a TLS handshake with the CA's certificate for 127.0.0.1
    context = ssl.create_default_context(cafile=str(tls.ca))
    for address in (logboek.otlp_http_url, logboek.read_api_url, logboek.grpc_address):
        host_port = address.split("://")[-1].split("/")[0]
        host, port = host_port.rsplit(":", 1)
        with (
            socket.create_connection((host, int(port)), timeout=3) as raw,
            context.wrap_socket(raw, server_hostname=host) as secured,
        ):
            assert secured.version() in ("TLSv1.2", "TLSv1.3")


# -- OTLP/gRPC ------------------------------------------------------------------------------------


def test_sdk_grpc_exporter_over_tls(logboek: RunningLogboek, tls: TlsFiles) -> None:
    spans = _sdk_spans()
    exporter = GrpcSpanExporter(
        endpoint=f"https://{logboek.grpc_address}",
        credentials=grpc.ssl_channel_credentials(root_certificates=tls.ca.read_bytes()),
        timeout=5,
    )
    try:
        assert exporter.export(spans) == SpanExportResult.SUCCESS
    finally:
        exporter.shutdown()
    _assert_kept(logboek, spans)
    assert logboek.received == {"otlp-grpc": 2}


def test_sdk_grpc_exporter_sees_the_refusal(logboek: RunningLogboek, tls: TlsFiles) -> None:
    good = _sdk_spans()
    bad = ReadableSpan(
        name="zero-trace",
        context=SpanContext(trace_id=0, span_id=0x1234, is_remote=False),
        resource=good[0].resource,
        start_time=1,
        end_time=2,
    )
    exporter = GrpcSpanExporter(
        endpoint=f"https://{logboek.grpc_address}",
        credentials=grpc.ssl_channel_credentials(root_certificates=tls.ca.read_bytes()),
        timeout=5,
    )
    try:
        assert exporter.export([*good, bad]) == SpanExportResult.FAILURE
    finally:
        exporter.shutdown()
    assert logboek.store.count() == 0
    assert logboek.rejected == ["trace_id is all zeros (invalid)"]


def test_otlp_grpc_garbage_is_invalid_argument(logboek: RunningLogboek, tls: TlsFiles) -> None:
    with _channel(logboek, tls) as channel:
        export = channel.unary_unary(wire.OTLP_TRACE_EXPORT)
        with pytest.raises(grpc.RpcError) as err:
            export(b"\xff\xff\xff", timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "ExportTraceServiceRequest" in (err.value.details() or "")


# -- logboek.v1 ------------------------------------------------------------------------------------


def test_logboek_v1_over_tls_is_kept_as_records(logboek: RunningLogboek, tls: TlsFiles) -> None:
    with _channel(logboek, tls) as channel:
        assert _export_v1(channel, _operations()) == wire.ExportOperationsResponse()
    root, child = logboek.store.by_trace(TRACE.hex())
    assert (root.span_id, root.parent_span_id, child.parent_span_id) == (ROOT.hex(), "", ROOT.hex())
    assert (root.start_time_unix_nano, root.end_time_unix_nano) == (START, START + 90_000_000)
    assert (root.status_code, child.status_code) == (STATUS_OK, STATUS_ERROR)
    assert root.resource_attributes == {"service.name": "parkeren-api", "service.version": "2.4.0"}
    assert root.foreign_operation == {
        "trace_id": "11" * 16,
        "span_id": "22" * 8,
        "processor": "gemeente-portaal",
    }
    assert child.attributes == {
        DPL_PROCESSING_ACTIVITY_ID: ACTIVITY,
        DPL_DATA_SUBJECT_ID: "pseudo-1",
    }
    assert (root.name, root.scope_name) == ("aanvraag-behandelen", "logboek.v1")
    assert logboek.received == {"logboek.v1": 2}
    # the read API shows the same records (times in ms)
    assert logboek.read_api_url is not None
    answer = requests.get(
        logboek.read_api_url + "/processing-activities",
        params={"traceId": TRACE.hex()},
        verify=str(tls.ca),
        timeout=5,
    )
    assert answer.status_code == 200
    first = answer.json()["processingActivities"][0]
    assert first["startTime"] == START // 1_000_000
    assert first["status"] == "Ok"
    assert first["resource"] == {"attributes": root.resource_attributes}


def _bad(**changes: Any) -> Any:
    request = _operations()
    operation = request.operations[1]
    for name, value in changes.items():
        if name == "foreign_trace_id":
            operation.foreign_operation.trace_id = value
        else:
            setattr(operation, name, value)
    return request


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        pytest.param(_bad(trace_id=b""), "trace_id has 0 bytes", id="no-trace-id"),
        pytest.param(_bad(trace_id=b"\x01" * 8), "trace_id has 8 bytes", id="short-trace-id"),
        pytest.param(_bad(trace_id=bytes(16)), "trace_id is all zeros", id="zero-trace-id"),
        pytest.param(_bad(operation_id=b"\x01" * 4), "operation_id has 4", id="short-op-id"),
        pytest.param(_bad(parent_operation_id=b"\x01" * 3), "parent_operation_id", id="parent"),
        pytest.param(_bad(status_code=7), "status_code 7", id="status-outside-enum"),
        pytest.param(
            _bad(foreign_trace_id=b"\x01" * 3), "foreign_operation.trace_id", id="foreign"
        ),
    ],
)
def test_logboek_v1_unstorable_is_invalid_argument(
    logboek: RunningLogboek, tls: TlsFiles, request_: Any, reason: str
) -> None:
    with _channel(logboek, tls) as channel, pytest.raises(grpc.RpcError) as err:
        _export_v1(channel, request_)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (err.value.details() or "")
    assert logboek.store.count() == 0  # the good operation of the same request is not kept
    assert len(logboek.rejected) == 1


def test_logboek_v1_garbage_is_invalid_argument(logboek: RunningLogboek, tls: TlsFiles) -> None:
    with _channel(logboek, tls) as channel:
        export = channel.unary_unary(wire.LOGBOEK_EXPORT)
        with pytest.raises(grpc.RpcError) as err:
            export(b"\x0a\xff", timeout=5)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert logboek.store.count() == 0


# -- without TLS, fixed ports, the command line ---------------------------------------------------


def test_insecure_grpc_without_tls() -> None:
    with serve_logboek(grpc=True, otlp_http=False) as logboek:
        assert logboek.otlp_http_url is None and logboek.read_api_url is None
        assert logboek.grpc_address is not None
        exporter = GrpcSpanExporter(endpoint=logboek.grpc_address, insecure=True, timeout=5)
        try:
            assert exporter.export(_sdk_spans()) == SpanExportResult.SUCCESS
        finally:
            exporter.shutdown()
        with grpc.insecure_channel(logboek.grpc_address) as channel:
            _export_v1(channel, _operations())
        assert logboek.received == {"otlp-grpc": 2, "logboek.v1": 2}
        assert logboek.store.count() == 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_fixed_ports(tls: TlsFiles) -> None:
    http_port, grpc_port, read_port = _free_port(), _free_port(), _free_port()
    with serve_logboek(
        tls=tls, port=http_port, grpc=True, grpc_port=grpc_port, read_api=True, read_port=read_port
    ) as logboek:
        assert logboek.otlp_http_url == f"https://127.0.0.1:{http_port}"
        assert logboek.grpc_address == f"127.0.0.1:{grpc_port}"
        assert logboek.read_api_url == f"https://127.0.0.1:{read_port}/v1"
        with pytest.raises(OSError):
            serve_logboek(port=http_port)  # taken: a clear error, nothing left running


def test_command_line(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "cgconform.fixtures.logboek.server"),
            *("--tls-dir", str(tmp_path), "--grpc", "--read", "--read-limit", "5"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines: dict[str, str] = {}
        while "read API" not in lines:
            line = proc.stdout.readline()
            assert line, "the server stopped before printing its addresses"
            key, _, value = line.partition(":")
            lines[key.strip()] = value.strip()
        ca = lines["CA certificate"]
        answer = requests.post(lines["read API"], json={"traceId": "ab" * 16}, verify=ca, timeout=5)
        assert answer.status_code == 200 and answer.json() == {"processingActivities": []}
        assert lines["gRPC"].startswith("127.0.0.1:")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
