"""Traces and actions: a new trace per processing, unique span ids, a tree that closes, one
record per action, and the fields every record needs (Logboek Dataverwerkingen, "Gedrag van
Applicatie" and "Interface": trace_id, span_id, parent_span_id, name, times, status)."""

from __future__ import annotations

import re
import time
from collections import Counter

from cgconform.model.outcomes import Failure, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.application._observe import (
    CORE,
    evidence,
    healthy,
    need,
    record_lines,
    scenario_summary,
    served,
    traced,
)
from cgconform.suites.logboek.harness.records import Record
from cgconform.suites.logboek.harness.session import Observations, Sent

_HEX = re.compile(r"^[0-9a-f]*$")
STATUSES = ("Unset", "Ok", "Error")
DAY_NS = 86_400 * 1_000_000_000


@requirement(CORE, "/logboek/application/new-trace-per-processing")
def new_trace_for_each_processing(app_run: Observations) -> None:
    fresh = [s for s in app_run.of("fresh", "invalid-traceparent") if served(s)]
    need(fresh, "the application served no processing started without a traceparent")
    found = traced(fresh)
    need(
        found,
        "no record could be tied to a processing started without a traceparent (no "
        "source call, no record that started while the request was open): "
        + scenario_summary(app_run),
    )
    owners: dict[str, list[str]] = {}
    for sent in [s for s in app_run.sent if s.trace_id]:
        owners.setdefault(sent.trace_id or "", []).append(sent.line())
    # A trace id the sources saw in several processings started without traceparent.
    for sent in fresh:
        for trace in {p[0] for c in sent.calls if (p := c.parsed)}:
            if sent.trace_id != trace and sent.line() not in owners.get(trace, []):
                owners.setdefault(trace, []).append(sent.line())
    shared = {t: who for t, who in owners.items() if len(who) > 1}
    problems = [
        f"trace {trace} holds the records of {len(who)} processings:\n    " + "\n    ".join(who[:4])
        for trace, who in shared.items()
    ]
    # All calls of one fresh processing must be in one trace (its records share the trace_id).
    for sent in fresh:
        seen = {p[0] for c in sent.calls if (p := c.parsed)}
        if len(seen) > 1:
            problems.append(f"{sent.line()}: its calls to the sources carry {len(seen)} trace ids")
    if problems:
        raise Failure(
            "The standard: every new processing (Dataverwerking) gets a new Trace with a unique "
            "trace_id, shared by all its actions.\n" + "\n".join(problems[:5]),
            evidence=evidence(fresh[:2]),
        )
    how = Counter(s.attribution for s in found)
    raise Passed(
        f"{len(found)} processings started without traceparent, each in a trace of its own "
        f"(tied to its records by {', '.join(f'{k} ({n})' for k, n in how.items())})"
    )


@requirement(CORE, "/logboek/application/unique-span-id")
def span_ids_are_unique(app_run: Observations) -> None:
    need(app_run.records, "no records arrived: " + scenario_summary(app_run))
    within = Counter((r.trace_id, r.span_id) for r in app_run.records if r.span_id)
    repeated = {key: n for key, n in within.items() if n > 1}
    if repeated:
        examples = [r for r in app_run.records if (r.trace_id, r.span_id) in repeated][:6]
        (trace, span), times = next(iter(repeated.items()))
        raise Failure(
            f"{len(repeated)} span_id(s) occur on more than one record of the same trace (e.g. "
            f"{span} {times} times in trace {trace}). The standard: every new action gets a "
            "unique span_id within the processing.\n" + record_lines(examples),
            evidence=evidence(records=examples),
        )
    across = Counter(r.span_id for r in app_run.records if r.span_id)
    shared = {span: n for span, n in across.items() if n > 1}
    note = (
        f"; {app_run.redelivered} identical record(s) arrived twice and count once"
        if app_run.redelivered
        else ""
    )
    if shared:
        examples = [r for r in app_run.records if r.span_id in shared][:6]
        raise Warning(
            f"span ids are unique within each trace, but {len(shared)} of them recur across "
            'traces. The standard asks uniqueness within the processing ("binnen de '
            'Dataverwerking"); W3C Trace Context expects span ids to be random, so this hints at '
            "an id generator that repeats.\n" + record_lines(examples),
            evidence=evidence(records=examples),
        )
    raise Passed(f"{len(across)} records, each with its own span_id{note}")


@requirement(CORE, "/logboek/application/propagate-parent")
def parents_close_the_tree(app_run: Observations) -> None:
    need(app_run.records, "no records arrived: " + scenario_summary(app_run))
    callers = {s.caller_span for s in app_run.sent if s.caller_span}
    problems: list[str] = []
    orphans: list[Record] = []
    for trace, records in app_run.traces.items():
        spans = {r.span_id for r in records}
        for record in records:
            parent = record.parent_span_id
            if parent and parent not in spans and parent not in callers:
                orphans.append(record)
        roots = [r for r in records if not r.parent_span_id or r.parent_span_id not in spans]
        if len(roots) > 1 and not any(r in orphans for r in roots):
            problems.append(
                f"trace {trace} has {len(roots)} root actions:\n{record_lines(roots, 4)}"
            )
    if orphans:
        raise Failure(
            f"{len(orphans)} record(s) name a parent_span_id that is no record of their trace and "
            "not the caller's span: the parent id is wrong, or the parent action wrote no record "
            "(one record per action). The standard: a child action keeps the trace_id and points "
            "at its parent action with parent_span_id.\n" + record_lines(orphans),
            evidence=evidence(records=orphans),
        )
    if problems:
        raise Warning(
            "Some traces have more than one root action (every parent is known, but the actions "
            "do not hang under one root): " + "\n".join(problems[:3]),
            evidence=evidence(records=[r for t in app_run.traces.values() for r in t][:10]),
        )
    raise Passed(
        f"{len(app_run.traces)} traces; every parent_span_id points at a record of its "
        "trace or at the caller's span"
    )


def _clocks_agree(app_run: Observations) -> bool:
    """Whether the records of the processings tied to the caller's trace started while their
    request was open: then cgconform's clock and the application's agree."""
    tied = [s for s in app_run.sent if s.attribution == "caller" and s.scenario != "burst"]
    inside = 0
    for sent in tied:
        starts = [r.start_ns for r in app_run.trace_of(sent) if r.start_ns]
        inside += bool(starts) and sent.started * 1e9 <= min(starts) <= sent.ended * 1e9
    return bool(tied) and inside == len(tied)


def _silent(app_run: Observations) -> list[Sent]:
    """Processings started without a traceparent that were served, yet no record started
    while their request was open: they logged nothing (judged only where the clocks agree)."""
    if not _clocks_agree(app_run):
        return []
    starts = [r.start_ns for r in app_run.records if r.start_ns]
    return [
        s
        for s in app_run.of("fresh", "invalid-traceparent")
        if served(s)
        and not s.trace_id
        and not any(s.started * 1e9 <= t <= s.ended * 1e9 for t in starts)
    ]


@requirement(CORE, "/logboek/application/one-record-per-action")
def a_record_for_every_call(app_run: Observations) -> None:
    """Each call a source saw was made by an action: that action's record is the one whose
    span_id is the call's traceparent parent id. Internal actions cannot be seen and are not
    graded; a processing that logged nothing at all is a warning (it rests on the clocks)."""
    pairs = [
        (sent, call, parsed)
        for sent in app_run.sent
        if sent.scenario != "burst"
        for call in sent.calls
        if (parsed := call.parsed)
    ]
    silent = _silent(app_run)
    if not pairs and not silent:
        need(pairs, "no call with a valid traceparent reached a source: no action to look for")
    spans = {(r.trace_id, r.span_id) for r in app_run.records}
    logged = {r.trace_id for r in app_run.records}
    # A call in a trace with no record at all is a trace that was not logged (no-sampling).
    missing = [(s, c, p) for s, c, p in pairs if (p[0], p[1]) not in spans and p[0] in logged]
    if pairs and not any(p[0] in logged for _, _, p in pairs):
        missing = pairs
    if missing:
        lines = [f"{c.line()} (during {s.line()})" for s, c, _ in missing[:6]]
        raise Failure(
            f"{len(missing)} of {len(pairs)} calls to the sources have no record: no record has "
            "the span_id the call's traceparent names as its parent. The standard: one record "
            "(Logregel) per action.\n" + "\n".join(lines),
            evidence=evidence([missing[0][0]], app_run.trace_of(missing[0][0])),
        )
    if silent:
        raise Warning(
            f"{len(silent)} processing(s) were served, but no record started while their request "
            "was open (if the application's clock agrees with cgconform's, they logged nothing). "
            "The standard: one record (Logregel) per action.\n"
            + "\n".join(s.line() for s in silent[:5]),
            evidence=evidence(silent[:2]),
        )
    raise Passed(f"{len(pairs)} calls to the sources, each made by an action that has a record")


def _field_problems(record: Record, low: int, high: int) -> list[str]:
    problems: list[str] = []
    for name, size, value in (
        ("trace_id", 32, record.trace_id),
        ("span_id", 16, record.span_id),
    ):
        if len(value) != size or not _HEX.match(value):
            problems.append(f"{name} {value!r} is not {size // 2} bytes")
        elif set(value) == {"0"}:
            problems.append(f"{name} is all zeros (invalid)")
    parent = record.parent_span_id
    if parent and (len(parent) != 16 or not _HEX.match(parent) or set(parent) == {"0"}):
        problems.append(f"parent_span_id {parent!r} is not a valid 8-byte id")
    if record.status not in STATUSES:
        problems.append(f"status {record.status!r} is not Unset, Ok or Error")
    if record.start_ns is None or record.end_ns is None:
        problems.append("start_time or end_time missing")
    else:
        if record.start_ns > record.end_ns:
            problems.append(f"start_time {record.start_ns} is after end_time {record.end_ns}")
        if not low <= record.start_ns <= high:
            problems.append(f"start_time {record.start_ns} ns is not within a day of the run")
    return problems


@requirement(CORE, "/logboek/application/required-fields")
def records_have_required_fields(app_run: Observations) -> None:
    need(app_run.records, "no records arrived: " + scenario_summary(app_run))
    started = min((s.started for s in app_run.sent), default=time.time())
    low, high = int(started * 1e9) - DAY_NS, int(time.time() * 1e9) + DAY_NS
    bad = [(r, p) for r in app_run.records if (p := _field_problems(r, low, high))]
    if bad:
        lines = [f"{'; '.join(p)}: {r.line()}" for r, p in bad[:6]]
        raise Failure(
            f"{len(bad)} of {len(app_run.records)} records miss a required field or carry it in "
            "the wrong form. The standard's interface: trace_id (16 bytes), span_id (8 bytes), "
            "parent_span_id (8 bytes, when there is a parent), name, start_time <= end_time, "
            "status Unset | Ok | Error.\n" + "\n".join(lines),
            evidence=evidence(records=[r for r, _ in bad]),
        )
    raise Passed(f"{len(app_run.records)} records with valid ids, times and status")


@requirement(CORE, "/logboek/application/no-runtime-logging-errors")
def logging_causes_no_errors(app_run: Observations) -> None:
    served_ = healthy(app_run)
    need(app_run.records, "no records arrived: " + scenario_summary(app_run))
    empty = [r for r in app_run.records if not r.name.strip()]
    if empty:
        raise Warning(
            f"{len(empty)} record(s) have an empty name. The standard (Foutafhandeling): logging "
            "SHOULD cause no run-time error, and an empty name is filled in.\n"
            + record_lines(empty),
            evidence=evidence(records=empty),
        )
    raise Passed(f"{len(app_run.records)} records, each named; {len(served_)} processings served")
