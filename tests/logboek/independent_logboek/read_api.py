"""The read extension in its text's shape: `GET .../processing-activities?traceID=...`, times as
RFC 3339 strings (ADR), bearer-token readers entitled to processing activities."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

from .store import Query, Record, Store

TRACE_PARAM = "traceID"
ACTIVITY_PARAM = "dpl.core.processingActivityID"
SUBJECT_PARAM = "dataSubjectId"
FILTERS = (TRACE_PARAM, ACTIVITY_PARAM, SUBJECT_PARAM)
API_VERSION = "1.0.0"
READ_SHAPES = ("traces", "records", "trace_ids")

_HEX_TRACE = re.compile(r"^[0-9a-fA-F]{32}$")
_UUID_TRACE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$"
)
_CET = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadSettings:
    """How the read API behaves: its readers (`None`: no authentication), shape and cap."""

    readers: Mapping[str, frozenset[str]] | None  # token -> entitled activities
    read_shape: str = "traces"
    max_results: int = 200
    times_with_offset: bool = False  # render times in +01:00 instead of Z (the same instant)
    plain_problems: bool = False  # errors as text/plain saying what is wrong, not problem+json
    defects: frozenset[str] = frozenset()


def _problem(status: int, title: str, detail: str, *, plain: bool = False, **extra: Any) -> Answer:
    if plain:
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="logboek-lezen"'
        return Answer(status, f"{status} {title}: {detail}\n".encode(), headers)
    body = {
        "type": f"https://httpstatuses.io/{status}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"Content-Type": "application/problem+json", "API-Version": API_VERSION}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="logboek-lezen"'
    return Answer(status, json.dumps(body).encode(), headers)


def rfc3339(nanos: int, settings: ReadSettings) -> str:
    """Nanoseconds since the epoch as an RFC 3339 string (fraction trimmed by groups of 3)."""
    if "times_shifted" in settings.defects:  # local (CET) wall-clock time labelled UTC
        nanos += 3_600_000_000_000
    seconds, fraction = divmod(nanos, 1_000_000_000)
    zone = _CET if settings.times_with_offset else UTC
    moment = datetime.fromtimestamp(seconds, tz=zone)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}"
    while digits.endswith("000"):
        digits = digits[:-3]
    if digits:
        text += "." + digits
    return text + ("+01:00" if settings.times_with_offset else "Z")


def parse_rfc3339(text: str) -> int | None:
    """An RFC 3339 date-time as nanoseconds since the epoch; `None` if it is not one."""
    match = _RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        if zone in ("Z", "z"):
            tz = UTC
        else:
            sign = 1 if zone[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz
        )
    except ValueError:
        return None
    nanos = int((fraction or "0").ljust(9, "0"))
    return int(moment.timestamp()) * 1_000_000_000 + nanos


def render(record: Record, settings: ReadSettings) -> dict[str, Any]:
    item: dict[str, Any] = {
        "traceId": record.trace_id,
        "spanId": record.span_id,
        "status": record.status,
        "name": record.name,
        "startTime": rfc3339(record.start_ns, settings),
        "endTime": rfc3339(record.end_ns, settings),
        "attributes": record.attributes,
        "resource": record.resource,
    }
    if record.parent_span_id:
        item["parentSpanId"] = record.parent_span_id
    if record.status_message:
        item["statusMessage"] = record.status_message
    return item


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def answer(
    store: Store, method: str, query_string: str, headers: Mapping[str, str], s: ReadSettings
) -> Answer:
    """The answer to one request on `{read_api}/processing-activities` (`headers` lowercased)."""
    if method != "GET":
        answer_ = _problem(
            405,
            "Method Not Allowed",
            "This read API answers GET with query parameters.",
            plain=s.plain_problems,
        )
        answer_.headers["Allow"] = "GET"
        return answer_
    entitled: frozenset[str] | None = None  # None: everything
    if s.readers is not None and "no_auth" not in s.defects:
        token = _bearer(headers)
        if token is None or token not in s.readers:
            detail = "no bearer token" if token is None else "unknown bearer token"
            return _problem(
                401, "Unauthorized", f"Authenticate as a reader ({detail}).", plain=s.plain_problems
            )
        if "reader_not_authorised" not in s.defects:
            entitled = s.readers[token]
    params = parse_qs(query_string, keep_blank_values=True)
    given = {name: params[name][-1] for name in FILTERS if params.get(name, [""])[-1] != ""}
    if not given and "no_400_without_filter" not in s.defects:
        return _problem(
            400,
            "Bad Request",
            f"Give at least one of the query parameters {', '.join(FILTERS)}.",
            plain=s.plain_problems,
            invalidParams=[
                {"name": name, "reason": "At least one of these filters is required."}
                for name in FILTERS
            ],
        )
    trace_id = given.get(TRACE_PARAM)
    if trace_id is not None:
        if _UUID_TRACE.match(trace_id):
            trace_id = trace_id.replace("-", "")
        if not _HEX_TRACE.match(trace_id):
            return _problem(
                400,
                "Bad Request",
                "traceID is 32 hexadecimal digits (or a UUID).",
                plain=s.plain_problems,
                invalidParams=[{"name": TRACE_PARAM, "reason": "Not a trace id."}],
            )
        trace_id = trace_id.lower()
    times: dict[str, int | None] = {}
    for name in ("startTime", "endTime"):
        text = params.get(name, [""])[-1]
        times[name] = parse_rfc3339(text) if text else None
        if times[name] is not None and "time_filter_local" in s.defects:
            times[name] = (times[name] or 0) - 3_600_000_000_000  # "Z" read as CET wall clock
        if text and times[name] is None:
            return _problem(
                400,
                "Bad Request",
                f"{name} is an RFC 3339 date-time, e.g. 2025-03-09T20:21:00Z.",
                plain=s.plain_problems,
                invalidParams=[{"name": name, "reason": "Not an RFC 3339 date-time."}],
            )
    activity = given.get(ACTIVITY_PARAM)
    if "activity_filter_ignored" in s.defects:
        activity = None
    if activity is not None and entitled is not None and activity not in entitled:
        return _problem(
            403,
            "Forbidden",
            "This reader is not entitled to that activity.",
            plain=s.plain_problems,
        )
    subject = given.get(SUBJECT_PARAM)
    if "subject_filter_ignored" in s.defects:
        subject = None
    query = Query(trace_id, activity, subject, times["startTime"], times["endTime"])
    matching = [r for r in store.find(query) if _may_see(r, entitled)]
    if "trace_filter_roots_only" in s.defects and trace_id is not None:
        matching = [r for r in matching if not r.parent_span_id]
    trace_ids = sorted({r.trace_id for r in matching})
    if s.read_shape == "trace_ids" and trace_id is None:
        return _ok({"traceIds": trace_ids})
    records = matching
    if s.read_shape == "traces" and (activity is not None or subject is not None):
        records = [r for r in store.traces(trace_ids) if _may_see(r, entitled)]
    cap = len(records) if "limit_ignored" in s.defects else s.max_results
    body: dict[str, Any] = {
        "processingActivities": [render(r, s) for r in records[:cap]],
        "traceIds": trace_ids,
    }
    if len(records) > cap:
        body["truncated"] = True
    return _ok(body)


def _may_see(record: Record, entitled: frozenset[str] | None) -> bool:
    return entitled is None or record.activity in entitled


def _ok(body: dict[str, Any]) -> Answer:
    return Answer(
        200,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "API-Version": API_VERSION},
    )
