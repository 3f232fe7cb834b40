"""The reference Logboek's read API ("Extensie Lezen") with `requests`: records written over
OTLP/HTTP come back by trace, activity and subject (matching records; AND of the filters), within a
time window, in the OpenAPI's shape (ms, status by name); a query without a trace, activity or
subject filter is a 400 problem+json saying so; the cap on results is applied and stated in the
served OpenAPI document; the access rule (bearer tokens) authenticates readers and limits what each
sees.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests

if not os.environ.get("CI"):
    pytest.importorskip("opentelemetry.proto", reason="opentelemetry-proto is not installed")

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from cgconform.fixtures.logboek.server import RunningLogboek, serve_logboek
from cgconform.fixtures.logboek.store import (
    DPL_DATA_SUBJECT_ID,
    DPL_DATA_SUBJECT_ID_TYPE,
    DPL_PROCESSING_ACTIVITY_ID,
)

A = "https://register.example.nl/verwerkingsactiviteiten/parkeervergunning-aanvragen"
B = "https://register.example.nl/verwerkingsactiviteiten/adres-wijzigen"
T1, T2, T3 = "4bf92f3577b34da6a3ce929d0e0e4736", "5b8efff798038103d269b633813fc60c", "ab" * 16
BASE_MS = 1_764_068_470_000  # 2025-11-25
HOUR_MS = 3_600_000

# (trace, span, parent, name, activity, subject, start ms, status)
RECORDS = [
    (T1, "00f067aa0ba902b7", "", "aanvraag", A, None, BASE_MS, 1),
    (T1, "00f067aa0ba902b8", "00f067aa0ba902b7", "betrokkene-1", A, "pseudo-1", BASE_MS + 10, 0),
    (T1, "00f067aa0ba902b9", "00f067aa0ba902b7", "betrokkene-2", A, "pseudo-2", BASE_MS + 20, 2),
    (T2, "eee19b7ec3c1b174", "", "adres", B, "pseudo-1", BASE_MS + HOUR_MS, 0),
    (T3, "eee19b7ec3c1b175", "", "adres", B, "pseudo-3", BASE_MS + 2 * HOUR_MS, 0),
]
SPAN = {name: span for _, span, _, name, *_ in RECORDS if name != "adres"}
R2, R3 = RECORDS[3][1], RECORDS[4][1]


def _kv(key: str, value: str) -> KeyValue:
    return KeyValue(key=key, value=AnyValue(string_value=value))


def otlp_request() -> bytes:
    """RECORDS as one OTLP/HTTP protobuf body."""
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.append(_kv("service.name", "parkeren"))
    scope = resource_spans.scope_spans.add()
    for trace, span_id, parent, name, activity, subject, start_ms, status in RECORDS:
        span = scope.spans.add(
            trace_id=bytes.fromhex(trace),
            span_id=bytes.fromhex(span_id),
            parent_span_id=bytes.fromhex(parent),
            name=name,
            start_time_unix_nano=start_ms * 1_000_000 + 123,
            end_time_unix_nano=(start_ms + 5) * 1_000_000,
        )
        span.status.code = status  # type: ignore[assignment]
        span.attributes.append(_kv(DPL_PROCESSING_ACTIVITY_ID, activity))
        if subject:
            span.attributes.append(_kv(DPL_DATA_SUBJECT_ID, subject))
            span.attributes.append(_kv(DPL_DATA_SUBJECT_ID_TYPE, "pseudoniem"))
    return bytes(request.SerializeToString())


def write(logboek: RunningLogboek) -> None:
    answer = requests.post(
        logboek.traces_url,
        data=otlp_request(),
        headers={"Content-Type": "application/x-protobuf"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert logboek.store.count() == len(RECORDS)


@pytest.fixture(scope="module")
def logboek() -> Iterator[RunningLogboek]:
    with serve_logboek(read_api=True) as running:
        write(running)
        yield running
        assert running.errors == []


def query(logboek: RunningLogboek, body: Any, **kwargs: Any) -> requests.Response:
    assert logboek.read_api_url is not None
    return requests.post(
        logboek.read_api_url + "/processing-activities", json=body, timeout=5, **kwargs
    )


def spans(answer: requests.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["API-Version"] == "1.1.0"
    return [item["spanId"] for item in answer.json()["processingActivities"]]


def in_trace(trace: str) -> list[str]:
    return [span for t, span, *_ in RECORDS if t == trace]


# -- filters --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "notation",
    [T1, T1.upper(), f"{T1[:8]}-{T1[8:12]}-{T1[12:16]}-{T1[16:20]}-{T1[20:]}"],
    ids=["hex", "upper-hex", "uuid"],
)
def test_trace_filter(logboek: RunningLogboek, notation: str) -> None:
    assert spans(query(logboek, {"traceId": notation})) == in_trace(T1)


def test_activity_filter_returns_the_matching_records(logboek: RunningLogboek) -> None:
    assert spans(query(logboek, {DPL_PROCESSING_ACTIVITY_ID: A})) == in_trace(T1)
    assert spans(query(logboek, {DPL_PROCESSING_ACTIVITY_ID: B})) == [R2, R3]
    assert spans(query(logboek, {DPL_PROCESSING_ACTIVITY_ID: A + "/x"})) == []


def test_subject_filter_returns_the_matching_records(logboek: RunningLogboek) -> None:
    # the subject's record in T1 and in T2; not T1's root (no subject), not pseudo-2's record
    assert spans(query(logboek, {DPL_DATA_SUBJECT_ID: "pseudo-1"})) == [SPAN["betrokkene-1"], R2]


def test_filters_combine_with_and(logboek: RunningLogboek) -> None:
    assert spans(
        query(logboek, {DPL_PROCESSING_ACTIVITY_ID: B, DPL_DATA_SUBJECT_ID: "pseudo-1"})
    ) == [R2]
    assert spans(query(logboek, {"traceId": T1, DPL_DATA_SUBJECT_ID: "pseudo-2"})) == [
        SPAN["betrokkene-2"]
    ]
    assert spans(query(logboek, {"traceId": T2, DPL_PROCESSING_ACTIVITY_ID: A})) == []
    assert (
        spans(query(logboek, {DPL_DATA_SUBJECT_ID: "pseudo-1", DPL_DATA_SUBJECT_ID_TYPE: "x"}))
        == []
    )


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ({"endTime": BASE_MS + HOUR_MS + 5}, [R2]),
        ({"startTime": BASE_MS + HOUR_MS + 1}, [R3]),
        ({"startTime": BASE_MS, "endTime": BASE_MS + 3 * HOUR_MS}, [R2, R3]),
        ({"startTime": "2025-11-25T11:01:10.001Z"}, [R2, R3]),  # BASE_MS + 1 in RFC 3339
        ({"endTime": str(BASE_MS)}, []),  # every record ends 5 ms after it starts
    ],
)
def test_time_window(logboek: RunningLogboek, window: dict[str, Any], expected: list[str]) -> None:
    assert spans(query(logboek, {DPL_PROCESSING_ACTIVITY_ID: B, **window})) == expected


def test_answer_shape(logboek: RunningLogboek) -> None:
    answer = query(logboek, {"traceId": T1})
    assert answer.headers["Content-Type"] == "application/json"
    root, child, error = answer.json()["processingActivities"]
    assert root == {
        "traceId": T1,
        "spanId": "00f067aa0ba902b7",
        "status": "Ok",
        "name": "aanvraag",
        "startTime": BASE_MS,  # 123 ns after the ms: truncated to ms
        "endTime": BASE_MS + 5,
        "resource": {"attributes": {"service.name": "parkeren"}},
        "attributes": {DPL_PROCESSING_ACTIVITY_ID: A},
    }
    assert "parentSpanId" not in root
    assert child["parentSpanId"] == "00f067aa0ba902b7" and child["status"] == "Unset"
    assert error["status"] == "Error"
    assert child["attributes"] == {
        DPL_PROCESSING_ACTIVITY_ID: A,
        DPL_DATA_SUBJECT_ID: "pseudo-1",
        DPL_DATA_SUBJECT_ID_TYPE: "pseudoniem",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"traceId": T1}, in_trace(T1)),
        ({"traceID": T1}, in_trace(T1)),
        ({"processingActivityId": B}, [R2, R3]),
        ({"dpl.core.processingActivityID": B}, [R2, R3]),
        ({"dataSubjectId": "pseudo-3"}, [R3]),
        ({"dataSubjectId": "pseudo-1", "processingActivityId": B, "startTime": BASE_MS}, [R2]),
    ],
)
def test_get_with_query_parameters(
    logboek: RunningLogboek, params: dict[str, Any], expected: list[str]
) -> None:
    assert logboek.read_api_url is not None
    answer = requests.get(logboek.read_api_url + "/processing-activities", params=params, timeout=5)
    assert spans(answer) == expected


# -- no filter: 400 -------------------------------------------------------------------------------


def _problem(answer: requests.Response, status: int = 400) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.headers["API-Version"] == "1.1.0"
    problem = answer.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return dict(problem)


@pytest.mark.parametrize(
    "body",
    [{}, {"startTime": BASE_MS}, {"startTime": BASE_MS, "endTime": BASE_MS + 1}],
    ids=["empty", "start-only", "times-only"],
)
def test_no_filter_is_400(logboek: RunningLogboek, body: dict[str, Any]) -> None:
    problem = _problem(query(logboek, body))
    assert "traceId" in problem["detail"] and "dpl.core.data_subject_id" in problem["detail"]
    assert {error["location"] for error in problem["errors"]} == {
        "#/traceId",
        "#/dpl.core.processing_activity_id",
        "#/dpl.core.data_subject_id",
    }


def test_get_without_filter_is_400(logboek: RunningLogboek) -> None:
    assert logboek.read_api_url is not None
    url = logboek.read_api_url + "/processing-activities"
    _problem(requests.get(url, timeout=5))
    _problem(requests.get(url, params={"startTime": BASE_MS}, timeout=5))


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"traceId": "xyz"}, "not a trace id"),
        ({"traceId": T1[:30]}, "not a trace id"),
        ({"traceId": 42}, "not a trace id"),
        ({"traceid": T1}, "unknown body key 'traceid'"),
        ({"traceId": T1, "traceID": T2}, "given twice"),
        ({DPL_DATA_SUBJECT_ID: ""}, "non-empty"),
        ({DPL_DATA_SUBJECT_ID: "x", "startTime": "gisteren"}, "not a time"),
        ({DPL_DATA_SUBJECT_ID: "x", "startTime": -1}, "out of range"),
        ([T1], "JSON object"),
    ],
)
def test_bad_query_is_400_saying_why(logboek: RunningLogboek, body: Any, says: str) -> None:
    assert says in _problem(query(logboek, body))["detail"]


def test_body_that_is_not_json(logboek: RunningLogboek) -> None:
    assert logboek.read_api_url is not None
    answer = requests.post(
        logboek.read_api_url + "/processing-activities",
        data=b"{traceId",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert "not JSON" in _problem(answer)["detail"]


def test_other_methods_and_paths(logboek: RunningLogboek) -> None:
    assert logboek.read_api_url is not None
    base = logboek.read_api_url
    answer = requests.put(base + "/processing-activities", json={}, timeout=5)
    _problem(answer, 405)
    assert answer.headers["Allow"] == "GET, POST"
    _problem(requests.get(base + "/nothing", timeout=5), 404)


# -- the cap --------------------------------------------------------------------------------------


def test_cap_is_applied_and_stated() -> None:
    with serve_logboek(read_api=True, read_limit=2) as small:
        write(small)
        assert small.read_limit == 2
        assert spans(query(small, {"traceId": T1})) == in_trace(T1)[:2]
        assert small.openapi_url is not None
        document = requests.get(small.openapi_url, timeout=5).json()
        listing = document["components"]["schemas"]["ListProcessingActivities"]
        assert listing["properties"]["processingActivities"]["maxItems"] == 2
        assert document["servers"] == [{"url": small.read_api_url}]


def test_default_cap_is_1000(logboek: RunningLogboek) -> None:
    assert logboek.read_limit == 1000
    assert logboek.openapi_url is not None
    document = requests.get(logboek.openapi_url, timeout=5).json()
    listing = document["components"]["schemas"]["ListProcessingActivities"]
    assert listing["properties"]["processingActivities"]["maxItems"] == 1000


# -- access rule ----------------------------------------------------------------------------------

READERS = {"token-a": {"activities": [A]}, "token-s": {"subjects": ["pseudo-1"]}}


@pytest.fixture(scope="module")
def guarded() -> Iterator[RunningLogboek]:
    with serve_logboek(read_api=True, readers=READERS) as running:
        write(running)
        yield running
        assert running.errors == []


def _as(token: str) -> dict[str, Any]:
    return {"headers": {"Authorization": f"Bearer {token}"}}


def test_reader_needs_a_known_token(guarded: RunningLogboek) -> None:
    answer = query(guarded, {"traceId": T1})
    assert "Bearer" in _problem(answer, 401)["detail"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer ")
    unknown = query(guarded, {"traceId": T1}, **_as("token-x"))
    _problem(unknown, 401)
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]
    assert guarded.openapi_url is not None
    assert requests.get(guarded.openapi_url, timeout=5).status_code == 200  # the document is open


def test_reader_sees_only_its_records(guarded: RunningLogboek) -> None:
    assert spans(query(guarded, {"traceId": T1}, **_as("token-a"))) == in_trace(T1)
    assert spans(query(guarded, {"traceId": T2}, **_as("token-a"))) == []
    # pseudo-1 has records under A (T1) and B (T2): token-a sees only the one under A
    assert spans(query(guarded, {DPL_DATA_SUBJECT_ID: "pseudo-1"}, **_as("token-a"))) == [
        SPAN["betrokkene-1"]
    ]
    assert spans(query(guarded, {DPL_PROCESSING_ACTIVITY_ID: B}, **_as("token-s"))) == [R2]


# -- the other readings, as options ---------------------------------------------------------------


def test_whole_traces_and_uuid_notation() -> None:
    with serve_logboek(read_api=True, whole_traces=True, uuid_trace_ids=True) as other:
        write(other)
        answer = query(other, {DPL_DATA_SUBJECT_ID: "pseudo-2"})
        assert spans(answer) == in_trace(T1)  # the whole trace of pseudo-2's record
        trace_ids = {item["traceId"] for item in answer.json()["processingActivities"]}
        assert trace_ids == {f"{T1[:8]}-{T1[8:12]}-{T1[12:16]}-{T1[16:20]}-{T1[20:]}"}
        assert spans(query(other, {DPL_DATA_SUBJECT_ID: "pseudo-1", "traceId": T2})) == [R2]


def test_activity_given_as_a_number() -> None:
    """The core's own example has `"dpl.core.processing_activity_id": 14`: a number stored for it
    matches the filter "14" (and 14)."""
    body = {
        "resourceSpans": [
            {
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": T3,
                                "spanId": "eee19b7ec3c1b176",
                                "name": "nummer",
                                "startTimeUnixNano": str(BASE_MS * 1_000_000),
                                "endTimeUnixNano": str(BASE_MS * 1_000_000),
                                "attributes": [
                                    {"key": DPL_PROCESSING_ACTIVITY_ID, "value": {"intValue": "14"}}
                                ],
                            }
                        ]
                    }
                ]
            }
        ]
    }
    with serve_logboek(read_api=True) as other:
        assert requests.post(other.traces_url, json=body, timeout=5).status_code == 200
        for value in ("14", 14):
            assert spans(query(other, {DPL_PROCESSING_ACTIVITY_ID: value})) == ["eee19b7ec3c1b176"]
        assert spans(query(other, {DPL_PROCESSING_ACTIVITY_ID: "15"})) == []
