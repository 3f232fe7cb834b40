"""The read extension ("extensie lezen") of the Logboek: every record can be found, a query
needs a trace, activity or subject filter (else 400), each filter returns exactly what matches,
times follow the ADR, and readers are authenticated and see only what they may
(Logboek Extensie Lezen, "Werking lezen API" and "Beveiligingsoverwegingen";
docs/logboek-notes.md readings 11-14)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.harness.logboek_run import LogboekRun
from cgconform.suites.logboek.harness.read_api import ReadAnswer, ReadApi
from cgconform.suites.logboek.harness.records import time_ns

READ = "Logboek-Extensie-Lezen"
HOUR_NS = 3600 * 1_000_000_000
SECOND_NS = 1_000_000_000


def _api(logboek_run: LogboekRun) -> ReadApi:
    if logboek_run.read is None:
        raise NotTested("the Logboek names no read API ([urls] read_api)")
    if not logboek_run.confirmed():
        raise NotTested("no write was confirmed (see confirm-writes): nothing to read")
    return logboek_run.read


def _traces(answer: ReadAnswer) -> set[str]:
    return answer.trace_ids or set()


def _trace_a(logboek_run: LogboekRun) -> str:
    return str(logboek_run.visible()[0].spans[0]["trace_id"])


@requirement(READ, "/logboek/read/one-read-api-per-logboek")
def every_record_can_be_read(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    missing: list[str] = []
    answers: list[ReadAnswer] = []
    for written in logboek_run.visible():
        trace = written.spans[0]["trace_id"]
        answer = api.query({"trace": trace})
        answers.append(answer)
        if answer.status != 200 or answer.items is None:
            missing.append(f"{written.name}, trace {trace}: {answer.line()}")
        elif trace not in _traces(answer):
            missing.append(f"{written.name}, trace {trace}: confirmed, but not in the answer")
    if missing:
        raise Failure(
            "The read extension: each Logboek has one read API giving access to all its records; "
            "confirmed records could not be read:\n" + "\n".join(missing[:6]),
            evidence=[e for a in answers[:2] for e in a.evidence()],
        )
    raise Passed(f"{len(answers)} confirmed traces found through the read API ({api.form})")


@requirement(READ, "/logboek/read/filter-required")
def each_filter_alone_is_accepted(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    asks = {
        "trace": _trace_a(logboek_run),
        "activity": logboek_run.activity_a,
        "subject": logboek_run.subject_x,
    }
    refused = []
    for name, value in asks.items():
        answer = api.query({name: value})
        if answer.status != 200:
            refused.append((name, answer))
    if refused:
        name, answer = refused[0]
        raise Failure(
            f"a query with only a {name} filter was not answered with 200: {answer.line()}. The "
            "read extension: a query carries at least one of a trace, processing activity or data "
            "subject filter, and each of them is enough.",
            evidence=answer.evidence(),
        )
    raise Passed("a trace, an activity and a subject filter are each accepted on their own")


@requirement(READ, "/logboek/read/bad-request-without-filter")
def no_filter_is_a_bad_request(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    now = time.time_ns()
    cases = {"no filter": {}, "only a time window": {"start": now - HOUR_NS, "end": now + HOUR_NS}}
    vague: list[ReadAnswer] = []
    for what, filters in cases.items():
        answer = api.query(filters)
        if answer.status != 400:
            raise Failure(
                f"a query with {what} was answered {answer.status} ({answer.line()}); the read "
                "extension: without a trace, processing activity or data subject filter the server "
                "MUST answer 400 Bad Request saying that a filter is required (the OpenAPI's "
                "minProperties: 1 would allow a time only; the text wins, reading 14).",
                evidence=answer.evidence(),
            )
        text = answer.exchange.text.lower() if answer.exchange is not None else ""
        if not any(
            w in text for w in ("trace", "activit", "subject", "betrokkene", "filter", "param")
        ):
            vague.append(answer)
    if vague:
        raise Warning(
            "without a filter the answer is 400, but it does not say why (no mention of the "
            "required trace, activity or subject filter): " + vague[0].line(),
            evidence=vague[0].evidence(),
        )
    raise Passed("no filter, and a time window alone, are each answered 400 with the reason")


def _filter_check(
    logboek_run: LogboekRun, what: str, value: str, expected: set[str], asks: str
) -> None:
    api = _api(logboek_run)
    answer = api.find({what: value}, ids_suffice=True)
    got = _traces(answer)
    # Traces of writes that were not confirmed may or may not be stored: not graded.
    ours = {s["trace_id"] for w in logboek_run.confirmed() for s in w.spans}
    missing = expected - got
    extra = (got & ours) - expected
    cap = logboek_run.settings.read.max_results
    if missing and not extra and cap is not None and len(answer.items or []) >= cap:
        raise Inconclusive(
            f"a query by {what} {value!r} returned {len(answer.items or [])} records, the stated "
            f"cap, and misses {len(missing)} matching trace(s): the cap may have cut them off",
            evidence=answer.evidence(),
        )
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing trace(s) {', '.join(sorted(missing))}")
        if extra:
            parts.append(f"trace(s) that do not match: {', '.join(sorted(extra))}")
        raise Failure(
            f"a query by {what} {value!r} ({answer.line()}): {'; '.join(parts)}. {asks}",
            evidence=answer.evidence(),
        )
    foreign = got - ours
    note = f" (and {len(foreign)} trace(s) not written by this run)" if foreign else ""
    if what == "activity" and logboek_run.settings.read.activity:
        note += (
            "; an access rule is stated, so the reader sees this activity only: a leak into other "
            "activities cannot show here (run once without the rule to see it)"
        )
    raise Passed(f"a query by {what} returns exactly the {len(expected)} matching trace(s){note}")


@requirement(READ, "/logboek/read/filter-by-trace")
def trace_filter_exact(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    written = logboek_run.visible()[0]
    trace = written.spans[0]["trace_id"]
    answer = api.find({"trace": trace})
    spans = {s["span_id"] for s in written.spans}
    got = {r.span_id for r in answer.records if r.trace_id == trace}
    others = {r.trace_id for r in answer.records if r.trace_id != trace}
    if spans - got or others:
        raise Failure(
            f"a query by trace {trace} ({answer.line()}) gave {len(got & spans)} of its "
            f"{len(spans)} records"
            + (f" and records of {len(others)} other trace(s)" if others else "")
            + ". The read extension: a query by trace id returns all records of that trace.",
            evidence=answer.evidence(),
        )
    raise Passed(
        f"a query by trace returns all {len(spans)} records of that trace and nothing else"
    )


@requirement(READ, "/logboek/read/filter-by-activity")
def activity_filter_exact(logboek_run: LogboekRun) -> None:
    _filter_check(
        logboek_run,
        "activity",
        logboek_run.activity_a,
        logboek_run.traces_of(activity=logboek_run.activity_a),
        "The read extension: a query by processing activity returns all traces of that activity, "
        "and only those (records, whole traces or trace ids are all accepted: reading 13).",
    )


@requirement(READ, "/logboek/read/filter-by-subject")
def subject_filter_exact(logboek_run: LogboekRun) -> None:
    _filter_check(
        logboek_run,
        "subject",
        logboek_run.subject_x,
        logboek_run.traces_of(subject=logboek_run.subject_x),
        "The read extension: a query by data subject returns all traces of that subject, and "
        "never a trace that has no record of the subject.",
    )


@requirement(READ, "/logboek/read/time-filters")
def time_window_narrows(logboek_run: LogboekRun) -> None:
    """Windows a second around the trace's records, and two minutes just before and just
    after them: tight enough that a window read in the wrong time zone shows."""
    api = _api(logboek_run)
    written = logboek_run.visible()[0]
    trace = written.spans[0]["trace_id"]
    first = min(s["start_ns"] for s in written.spans)
    last = max(s["end_ns"] for s in written.spans)
    windows = {
        "around": (first - SECOND_NS, last + SECOND_NS),
        "before": (first - 120 * SECOND_NS, first - SECOND_NS),
        "after": (last + SECOND_NS, last + 120 * SECOND_NS),
    }
    answers = {
        name: api.query({"trace": trace, "start": start, "end": end})
        for name, (start, end) in windows.items()
    }
    refused = [a for a in answers.values() if a.status != 200]
    if refused:
        raise Warning(
            f"a query with a trace and a time window was not answered 200: {refused[0].line()}. "
            "The read extension RECOMMENDS filters on start_time and/or end_time.",
            evidence=refused[0].evidence(),
        )
    problems = []
    if trace not in _traces(answers["around"]):
        problems.append("a window from 1 s before to 1 s after the records misses them")
    for name in ("before", "after"):
        if trace in _traces(answers[name]):
            problems.append(f"a two-minute window just {name} the records still returns them")
    if problems:
        raise Warning(
            "the time window does not select the records by their times: "
            + "; ".join(problems)
            + " ("
            + "; ".join(f"{n}: {a.line()}" for n, a in answers.items())
            + "). Times are sent as the form asks: ms since the epoch in the OpenAPI's body, "
            "RFC 3339 (UTC) in query parameters.",
            evidence=[e for a in answers.values() for e in a.evidence()][:3],
        )
    raise Passed(
        "a window a second around the records keeps them; two-minute windows just before and "
        "just after leave them out"
    )


def _time_values(answer: ReadAnswer) -> list[Any]:
    values: list[Any] = []
    for item in answer.items or []:
        for key in ("startTime", "endTime", "start_time", "end_time"):
            if key in item:
                values.append(item[key])
    return values


@requirement(READ, "/logboek/read/adr-time-format")
def times_follow_the_adr(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    answer = api.find({"trace": _trace_a(logboek_run)})
    values = _time_values(answer)
    if not values:
        raise NotTested(f"the answer has no startTime/endTime fields to look at: {answer.line()}")
    # RFC 3339 text (the text's ADR notation) or integer milliseconds (the OpenAPI's int64).
    odd = [
        v
        for v in values
        if time_ns(v) is None
        or not isinstance(v, str | int)
        or (isinstance(v, int) and not 10**12 <= v < 10**13)
    ]
    if odd:
        raise Warning(
            f"times in the read API are {odd[0]!r}: neither RFC 3339 (the ADR notation the text "
            "asks for) nor a number of milliseconds since the epoch (the OpenAPI's int64). The "
            "read extension RECOMMENDS the API Design Rules' notation.",
            evidence=answer.evidence(),
        )
    kind = (
        "RFC 3339"
        if all(isinstance(v, str) for v in values)
        else "integer milliseconds (the OpenAPI's int64; the text asks for ADR notation, reading 4)"
    )
    raise Passed(f"{len(values)} times, as {kind}")


@requirement(READ, "/logboek/read/result-limit")
def results_are_capped(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    cap = logboek_run.settings.read.max_results
    if cap is None:
        raise NotTested(
            "a cap on results shows only when a query matches more records than the cap: state "
            "it in [logboek.read] max_results to have it checked"
        )
    if cap > 500:
        raise NotTested(f"the stated cap ({cap}) is larger than cgconform writes for a check (500)")
    from cgconform.suites.logboek.harness.writer import new_trace

    subjects = [f"{logboek_run.subject_y}-{i}" for i in range(cap)]
    written = logboek_run.writer.write(
        logboek_run.speaks[0],
        new_trace("cgconform limiet", activity=logboek_run.activity_a, subjects=subjects),
    )
    if not written.confirmed:
        raise NotTested(f"the write of {cap + 1} records was not confirmed: {written.detail}")
    answer = api.find({"trace": written.spans[0]["trace_id"]})
    if not answer.items:
        raise Inconclusive(
            f"a query for a trace of {cap + 1} records returned none: {answer.line()}",
            evidence=answer.evidence(),
        )
    if len(answer.items or []) > cap:
        raise Warning(
            f"a query matching {cap + 1} records returned {len(answer.items or [])}, more than the "
            f"stated cap of {cap}. The read extension RECOMMENDS capping the number of records.",
            evidence=answer.evidence(),
        )
    raise Passed(f"a query matching {cap + 1} records returned at most the stated cap of {cap}")


@requirement(READ, "/logboek/read/authenticate-clients")
def readers_are_authenticated(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    trace = _trace_a(logboek_run)
    answer = api.query({"trace": trace}, reader="anonymous")
    if answer.status in (401, 403) and trace not in _traces(answer):
        raise Passed(f"a query without credentials is refused: {answer.line()}")
    if trace in _traces(answer):
        raise Warning(
            f"a query without any credentials returned the records of trace {trace}: "
            f"{answer.line()}. The read extension RECOMMENDS authenticating the client (the read "
            "API gives access to processing logs about people).",
            evidence=answer.evidence(),
        )
    raise Warning(
        f"a query without credentials was answered {answer.status} (no records), not 401 or 403: "
        f"{answer.line()}",
        evidence=answer.evidence(),
    )


@requirement(READ, "/logboek/read/authorise-records")
def readers_see_only_their_records(logboek_run: LogboekRun) -> None:
    api = _api(logboek_run)
    spec = logboek_run.settings.read
    if spec.unentitled_bearer is None:
        raise NotTested(
            "no access rule stated: give [logboek.read] unentitled_bearer (a reader that may not "
            "see the records of activity `activity`) to have it checked"
        )
    answers: Mapping[str, ReadAnswer] = {
        "trace": api.query({"trace": _trace_a(logboek_run)}, reader="unentitled"),
        "activity": api.query({"activity": logboek_run.activity_a}, reader="unentitled"),
        "subject": api.query({"subject": logboek_run.subject_x}, reader="unentitled"),
    }
    ours = {s["trace_id"] for s in logboek_run.all_spans()}
    seen = {k: _traces(a) & ours for k, a in answers.items()}
    leaked = {k: v for k, v in seen.items() if v}
    if leaked:
        how, traces = next(iter(leaked.items()))
        raise Warning(
            f"a reader that is not entitled to activity {logboek_run.activity_a} got {len(traces)} "
            f"of its trace(s) through a {how} query: {answers[how].line()}. The read extension "
            "RECOMMENDS that a client only gets the records it is entitled to.",
            evidence=answers[how].evidence(),
        )
    raise Passed(
        "a reader not entitled to the activity sees none of its records (by trace, activity "
        "or subject)"
    )
