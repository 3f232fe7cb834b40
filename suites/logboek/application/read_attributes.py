"""The read extension on the writing side: an action that calls another party records where
that party's read API is (`dpl.read.externalReadAPI_id`), and only such actions do
(Logboek Extensie Lezen; docs/logboek-notes.md reading 15)."""

from __future__ import annotations

import re

from cgconform.model.outcomes import Failure, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.application._observe import (
    READ,
    ancestors,
    by_key,
    evidence,
    need,
    record_lines,
)
from cgconform.suites.logboek.harness.records import READ_API, Record
from cgconform.suites.logboek.harness.session import Observations

_PLACEHOLDER = re.compile(r"example\.(com|org|net)|localhost|todo|changeme|placeholder|xxx", re.I)
_CALL_ATTRIBUTES = (
    "url.full",
    "http.url",
    "server.address",
    "net.peer.name",
    "http.request.method",
)


def _callers(app_run: Observations) -> dict[tuple[str, str], str]:
    """(trace id, span id) of every action that called a source -> the source's name."""
    found: dict[tuple[str, str], str] = {}
    for sent in app_run.sent:
        for call in sent.calls:
            if parsed := call.parsed:
                found[(parsed[0], parsed[1])] = call.source
    return found


@requirement(READ, "/logboek/application/external-read-api-id")
def calling_actions_name_the_read_api(app_run: Observations) -> None:
    callers = _callers(app_run)
    records = [r for r in app_run.records if (r.trace_id, r.span_id) in callers]
    need(
        records, "no record of an action that called a source was found (see one-record-per-action)"
    )
    keyed = by_key(app_run.records)
    # The attribute may sit on the calling action or on an action above it that it belongs to
    # (an application's own action above an instrumented client span, or the processing).
    missing = [
        r
        for r in records
        if not r.attributes.get(READ_API)
        and not any(a.attributes.get(READ_API) for a in ancestors(r, keyed))
    ]
    if missing:
        raise Warning(
            f"{len(missing)} of {len(records)} records of actions that called another party carry "
            f"no {READ_API}. The read extension: register in the record the URL of the called "
            "party's read API (an imperative without a keyword, graded as SHOULD: "
            "docs/logboek-notes.md reading 15).\n" + record_lines(missing, 4),
            evidence=evidence(records=missing),
        )
    raise Passed(f"{len(records)} records of calling actions name the called party's read API")


def _is_call(
    record: Record, callers: dict[tuple[str, str], str], above: set[tuple[str, str]]
) -> bool:
    return (
        (record.trace_id, record.span_id) in callers
        or (record.trace_id, record.span_id) in above
        or record.kind in ("CLIENT", "PRODUCER")
        or any(k in record.attributes for k in _CALL_ATTRIBUTES)
    )


@requirement(READ, "/logboek/application/no-external-read-api-without-call")
def no_read_api_without_a_call(app_run: Observations) -> None:
    callers = _callers(app_run)
    carrying = [r for r in app_run.records if r.attributes.get(READ_API)]
    need(carrying, f"no record carries {READ_API}: nothing to judge")
    keyed = by_key(app_run.records)
    # Actions above a calling action take part in the call (an action that wraps the HTTP
    # call, the processing that calls out: "iedere verwerking die een externe partij aanroept").
    above = {
        (a.trace_id, a.span_id)
        for r in app_run.records
        if (r.trace_id, r.span_id) in callers or r.kind == "CLIENT"
        for a in ancestors(r, keyed)
    }
    wrong = [r for r in carrying if not _is_call(r, callers, above)]
    if wrong:
        raise Failure(
            f"{len(wrong)} record(s) carry {READ_API} but belong to actions that called no other "
            "party (no call reached a source from them, no client span, no URL attributes). The "
            "read extension: an action without an outgoing call MUST NOT carry it (actions above "
            "a call, up to the processing, count as calling).\n" + record_lines(wrong, 4),
            evidence=evidence(records=wrong),
        )
    raise Passed(f"{len(carrying)} records carry {READ_API}, each of an action that called out")


@requirement(READ, "/logboek/application/external-read-api-specific-value")
def read_api_value_is_specific(app_run: Observations) -> None:
    callers = _callers(app_run)
    values: dict[str, set[str]] = {}
    carrying = [r for r in app_run.records if READ_API in r.attributes]
    need(carrying, f"no record carries {READ_API}: nothing to judge")
    empty = [r for r in carrying if not str(r.attributes[READ_API]).strip()]
    if empty:
        raise Failure(
            f"{len(empty)} record(s) carry an empty {READ_API}. The read extension: the attribute "
            "has a specific value whatever the level of detail.\n" + record_lines(empty, 3),
            evidence=evidence(records=empty),
        )
    for record in carrying:
        source = callers.get((record.trace_id, record.span_id))
        if source:
            values.setdefault(source, set()).add(str(record.attributes[READ_API]))
    varying = {s: v for s, v in values.items() if len(v) > 1}
    odd = [r for r in carrying if _PLACEHOLDER.search(str(r.attributes[READ_API]))]
    if varying or odd:
        what = (
            f"calls to source {next(iter(varying))!r} name {len(next(iter(varying.values())))} "
            "different read APIs"
            if varying
            else f"the value {odd[0].attributes[READ_API]!r} looks like a placeholder"
        )
        raise Warning(
            f"{READ_API}: {what}; the read extension asks for the specific read API of the called "
            "party (not checkable further without the target's statement).",
            evidence=evidence(records=odd[:3] or carrying[:3]),
        )
    raise Passed(f"{len(carrying)} records: {READ_API} is non-empty and the same per called party")
