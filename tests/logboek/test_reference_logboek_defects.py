"""Every seeded defect of the reference Logboek (fixtures/logboek/defects.py) is visible from
outside, and the conformant Logboek does not show it: for each defect a symptom, probed over the
wire (OTLP/HTTP with `requests`, gRPC with grpcio and wire.py, the read API), must be absent on the
conformant Logboek and present with the defect on, under the same settings (TLS with a throw-away
CA, gRPC, read API). The confirmation defects are also seen by the real OpenTelemetry exporters.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cgconform.fixtures.defect_names import UnknownDefect
from cgconform.fixtures.logboek.defects import DEFECTS, check_defects, defects_for
from cgconform.fixtures.logboek.server import RunningLogboek, serve_logboek
from cgconform.fixtures.logboek.store import (
    DPL_DATA_SUBJECT_ID,
    DPL_DATA_SUBJECT_ID_TYPE,
    DPL_PROCESSING_ACTIVITY_ID,
)
from cgconform.fixtures.tls import TlsFiles, make_tls_files
from cgconform.suites.logboek.harness import wire

A = "https://register.example.nl/verwerkingsactiviteiten/parkeervergunning-aanvragen"
B = "https://register.example.nl/verwerkingsactiviteiten/adres-wijzigen"
T1, T2 = "4bf92f3577b34da6a3ce929d0e0e4736", "5b8efff798038103d269b633813fc60c"
BASE_MS = 1_764_068_470_000
# (trace, span, parent, activity, subject, start ms, status)
RECORDS = [
    (T1, "00f067aa0ba902b7", "", A, None, BASE_MS, 1),
    (T1, "00f067aa0ba902b8", "00f067aa0ba902b7", A, "pseudo-1", BASE_MS + 10, 2),
    (T1, "00f067aa0ba902b9", "00f067aa0ba902b7", A, "pseudo-2", BASE_MS + 20, 0),
    (T2, "eee19b7ec3c1b174", "", B, "pseudo-3", BASE_MS + 3_600_000, 0),
]
READERS = {"token-a": {"activities": [A]}}
PLAIN_REFUSED = (requests.ConnectionError,)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(tmp_path_factory.mktemp("logboek-defects-tls"))


def _kv(key: str, value: str) -> KeyValue:
    return KeyValue(key=key, value=AnyValue(string_value=value))


def _otlp(records: list[tuple[Any, ...]] = RECORDS, trace_override: bytes | None = None) -> bytes:
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.append(_kv("service.name", "parkeren"))
    scope = resource_spans.scope_spans.add()
    for trace, span_id, parent, activity, subject, start_ms, status in records:
        span = scope.spans.add(
            trace_id=trace_override if trace_override is not None else bytes.fromhex(trace),
            span_id=bytes.fromhex(span_id),
            parent_span_id=bytes.fromhex(parent),
            name=f"actie-{span_id[-2:]}",
            start_time_unix_nano=start_ms * 1_000_000,
            end_time_unix_nano=(start_ms + 5) * 1_000_000,
        )
        span.status.code = status  # type: ignore[assignment]
        span.attributes.append(_kv(DPL_PROCESSING_ACTIVITY_ID, activity))
        if subject:
            span.attributes.append(_kv(DPL_DATA_SUBJECT_ID, subject))
            span.attributes.append(_kv(DPL_DATA_SUBJECT_ID_TYPE, "pseudoniem"))
    return bytes(request.SerializeToString())


def _post_otlp(lb: RunningLogboek, tls: TlsFiles, body: bytes) -> requests.Response:
    return requests.post(
        lb.traces_url,
        data=body,
        headers={"Content-Type": "application/x-protobuf"},
        verify=str(tls.ca),
        timeout=5,
    )


def _write(lb: RunningLogboek, tls: TlsFiles) -> None:
    assert _post_otlp(lb, tls, _otlp()).status_code == 200


def _read(
    lb: RunningLogboek, tls: TlsFiles, body: dict[str, Any], token: str | None = None
) -> requests.Response:
    assert lb.read_api_url is not None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        lb.read_api_url + "/processing-activities",
        json=body,
        headers=headers,
        verify=str(tls.ca),
        timeout=5,
    )


def _items(answer: requests.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    return list(answer.json()["processingActivities"])


def _written_and_read(lb: RunningLogboek, tls: TlsFiles) -> list[dict[str, Any]]:
    _write(lb, tls)
    return _items(_read(lb, tls, {"traceId": T1}))


def _v1_request(trace_id: bytes = bytes.fromhex(T1)) -> Any:
    return wire.ExportOperationsRequest(
        resource=wire.Resource(name="parkeren", version="1"),
        operations=[
            wire.ProcessingOperation(
                trace_id=trace_id,
                operation_id=bytes.fromhex("1234567890abcdef"),
                name="v1",
                start_time=wire.timestamp(BASE_MS * 1_000_000),
                end_time=wire.timestamp(BASE_MS * 1_000_000 + 1),
            )
        ],
    )


def _v1_export(channel: grpc.Channel, request: Any) -> grpc.StatusCode:
    export = channel.unary_unary(
        wire.LOGBOEK_EXPORT,
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=wire.ExportOperationsResponse.FromString,
    )
    try:
        export(request, timeout=5)
    except grpc.RpcError as exc:
        return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def _secure_channel(lb: RunningLogboek, tls: TlsFiles) -> grpc.Channel:
    assert lb.grpc_address is not None
    credentials = grpc.ssl_channel_credentials(root_certificates=tls.ca.read_bytes())
    return grpc.secure_channel(lb.grpc_address, credentials)


# -- the symptoms: True when the Logboek shows the defect ----------------------------------------


def _plain_http_answered(lb: RunningLogboek, tls: TlsFiles) -> bool:
    assert lb.read_api_url is not None
    answered = []
    for url in (lb.traces_url, lb.read_api_url + "/processing-activities"):
        try:
            requests.post(url.replace("https://", "http://"), json={}, timeout=3)
        except PLAIN_REFUSED:
            answered.append(False)
        else:
            answered.append(True)
    assert len(set(answered)) == 1  # both HTTP listeners behave alike
    return answered[0]


def _plain_grpc_answered(lb: RunningLogboek, tls: TlsFiles) -> bool:
    assert lb.grpc_address is not None
    with grpc.insecure_channel(lb.grpc_address) as channel:
        return _v1_export(channel, _v1_request()) == grpc.StatusCode.OK


def _unstorable_confirmed(lb: RunningLogboek, tls: TlsFiles) -> bool:
    http = _post_otlp(lb, tls, _otlp(trace_override=b"\x01" * 8)).status_code
    with _secure_channel(lb, tls) as channel:
        code = _v1_export(channel, _v1_request(trace_id=b""))
    assert lb.store.count() == 0  # never kept, confirmed or not
    assert (http == 200) == (code == grpc.StatusCode.OK)
    return http == 200


def _http_unconfirmed_but_kept(lb: RunningLogboek, tls: TlsFiles) -> bool:
    status = _post_otlp(lb, tls, _otlp()).status_code
    assert lb.store.count() == len(RECORDS)
    return status != 200


def _grpc_unconfirmed_but_kept(lb: RunningLogboek, tls: TlsFiles) -> bool:
    with _secure_channel(lb, tls) as channel:
        code = _v1_export(channel, _v1_request())
    assert lb.store.count() == 1
    return code != grpc.StatusCode.OK


def _records_lost(lb: RunningLogboek, tls: TlsFiles) -> bool:
    return len(_written_and_read(lb, tls)) != 3


def _attributes_changed(lb: RunningLogboek, tls: TlsFiles) -> bool:
    child = next(i for i in _written_and_read(lb, tls) if i["spanId"] == RECORDS[1][1])
    return child["attributes"] != {
        DPL_PROCESSING_ACTIVITY_ID: A,
        DPL_DATA_SUBJECT_ID: "pseudo-1",
        DPL_DATA_SUBJECT_ID_TYPE: "pseudoniem",
    }


def _times_changed(lb: RunningLogboek, tls: TlsFiles) -> bool:
    items = _written_and_read(lb, tls)
    return [(i["startTime"], i["endTime"]) for i in items] != [
        (start, start + 5) for *_, start, _ in RECORDS[:3]
    ]


def _status_changed(lb: RunningLogboek, tls: TlsFiles) -> bool:
    return [i["status"] for i in _written_and_read(lb, tls)] != ["Ok", "Error", "Unset"]


def _resource_lost(lb: RunningLogboek, tls: TlsFiles) -> bool:
    return _written_and_read(lb, tls)[0]["resource"] != {"attributes": {"service.name": "parkeren"}}


def _no_otlp(lb: RunningLogboek, tls: TlsFiles) -> bool:
    with _secure_channel(lb, tls) as channel:
        export = channel.unary_unary(wire.OTLP_TRACE_EXPORT)
        try:
            export(_otlp(), timeout=5)
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.UNIMPLEMENTED
            assert lb.otlp_http_url is None
            return True
    assert lb.otlp_http_url is not None
    return False


def _read_without_filter(lb: RunningLogboek, tls: TlsFiles) -> bool:
    _write(lb, tls)
    return _read(lb, tls, {"startTime": 0}).status_code == 200


def _bare_400(lb: RunningLogboek, tls: TlsFiles) -> bool:
    answer = _read(lb, tls, {})
    assert answer.status_code == 400
    return answer.content == b""


def _filter_leaks(lb: RunningLogboek, tls: TlsFiles) -> bool:
    _write(lb, tls)
    subjects = {
        i["attributes"].get(DPL_DATA_SUBJECT_ID)
        for i in _items(_read(lb, tls, {DPL_DATA_SUBJECT_ID: "pseudo-3"}))
    }
    activities = {
        i["attributes"][DPL_PROCESSING_ACTIVITY_ID]
        for i in _items(_read(lb, tls, {DPL_PROCESSING_ACTIVITY_ID: B}))
    }
    return subjects != {"pseudo-3"} or activities != {B}


def _trace_partial(lb: RunningLogboek, tls: TlsFiles) -> bool:
    items = _written_and_read(lb, tls)
    by_activity = _items(_read(lb, tls, {DPL_PROCESSING_ACTIVITY_ID: A}))
    assert len(by_activity) == 3  # stored: only the trace filter misses one
    return len(items) != 3


def _time_filter_ignored(lb: RunningLogboek, tls: TlsFiles) -> bool:
    _write(lb, tls)
    body = {"traceId": T1, "endTime": BASE_MS + 5}  # only the root ends by then
    return len(_items(_read(lb, tls, body))) != 1


def _times_not_ms(lb: RunningLogboek, tls: TlsFiles) -> bool:
    return _written_and_read(lb, tls)[0]["startTime"] != BASE_MS


def _cap_not_applied(lb: RunningLogboek, tls: TlsFiles) -> bool:
    assert lb.read_limit == 2
    return len(_written_and_read(lb, tls)) > 2


def _anyone_reads(lb: RunningLogboek, tls: TlsFiles) -> bool:
    _write(lb, tls)
    return _read(lb, tls, {"traceId": T2}).status_code == 200


def _reader_sees_too_much(lb: RunningLogboek, tls: TlsFiles) -> bool:
    _write(lb, tls)
    assert _read(lb, tls, {"traceId": T2}).status_code == 401
    return len(_items(_read(lb, tls, {"traceId": T2}, token="token-a"))) > 0


Symptom = Callable[[RunningLogboek, TlsFiles], bool]
# defect -> (settings of both Logboeken, the symptom)
SYMPTOMS: dict[str, tuple[dict[str, Any], Symptom]] = {
    "plain_http_accepted": ({}, _plain_http_answered),
    "grpc_plain_accepted": ({}, _plain_grpc_answered),
    "confirms_unstorable": ({}, _unstorable_confirmed),
    "http_not_confirmed": ({}, _http_unconfirmed_but_kept),
    "grpc_not_confirmed": ({}, _grpc_unconfirmed_but_kept),
    "drops_some": ({}, _records_lost),
    "alters_attributes": ({}, _attributes_changed),
    "alters_times": ({}, _times_changed),
    "alters_status": ({}, _status_changed),
    "drops_resource": ({}, _resource_lost),
    "no_otlp": ({}, _no_otlp),
    "read_without_filter_ok": ({}, _read_without_filter),
    "read_400_without_detail": ({}, _bare_400),
    "filter_leaks": ({}, _filter_leaks),
    "trace_filter_partial": ({}, _trace_partial),
    "read_ignores_time_filter": ({}, _time_filter_ignored),
    "read_times_ns": ({}, _times_not_ms),
    "no_result_limit": ({"read_limit": 2}, _cap_not_applied),
    "read_unauthenticated": ({"readers": READERS}, _anyone_reads),
    "reader_not_authorised": ({"readers": READERS}, _reader_sees_too_much),
}


def test_every_defect_has_a_symptom() -> None:
    assert sorted(SYMPTOMS) == sorted(DEFECTS)


@pytest.mark.parametrize("defect", sorted(SYMPTOMS))
def test_defect_is_visible_and_the_reference_is_clean(defect: str, tls: TlsFiles) -> None:
    settings, symptom = SYMPTOMS[defect]
    for defects, expected in ((frozenset(), False), (frozenset({defect}), True)):
        with serve_logboek(tls=tls, grpc=True, read_api=True, defects=defects, **settings) as lb:
            assert symptom(lb, tls) is expected, f"{defect}: symptom {expected} expected"
            assert lb.errors == []


# -- the real exporters see the confirmation defects ----------------------------------------------


def _sdk_spans() -> list[Any]:
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "cgconform-tests"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    with provider.get_tracer("t").start_as_current_span("actie"):
        pass
    provider.shutdown()
    return list(memory.get_finished_spans())


def test_exporters_see_unconfirmed_writes(tls: TlsFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)  # it would win over certificate_file
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    defects = {"http_not_confirmed", "grpc_not_confirmed"}
    with serve_logboek(tls=tls, grpc=True, defects=defects) as lb:
        http = HttpSpanExporter(endpoint=lb.traces_url, certificate_file=str(tls.ca), timeout=5)
        assert http.export(_sdk_spans()) == SpanExportResult.FAILURE
        grpc_exporter = GrpcSpanExporter(
            endpoint=f"https://{lb.grpc_address}",
            credentials=grpc.ssl_channel_credentials(root_certificates=tls.ca.read_bytes()),
            timeout=5,
        )
        try:
            assert grpc_exporter.export(_sdk_spans()) == SpanExportResult.FAILURE
        finally:
            grpc_exporter.shutdown()
        assert lb.store.count() == 2  # both were kept all the same


def test_defect_table() -> None:
    with pytest.raises(UnknownDefect, match="known: "):
        check_defects(["no_such_defect"])
    assert defects_for("/logboek/logboek/enforce-tls") == [
        "grpc_plain_accepted",
        "plain_http_accepted",
    ]
    assert "drops_some" in defects_for("/logboek/read/one-read-api-per-logboek")
    for name, defect in DEFECTS.items():
        assert defect.verdict in ("fail", "warning"), name
        assert defect.requirement.startswith("/logboek/"), name
        assert defect.what, name
