"""The status of each action: `Error` on the action that met a failing source, with the error's
detail; not `Error` for invalid user input (Logboek Dataverwerkingen, "Interface": status, and
"Foutafhandeling")."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.application._observe import (
    CORE,
    ancestors,
    by_key,
    evidence,
    healthy,
    need,
    record_lines,
    served,
)
from cgconform.suites.logboek.harness.records import Record
from cgconform.suites.logboek.harness.session import Observations, Sent


def _failing(app_run: Observations) -> list[tuple[Sent, Record | None, str]]:
    """(processing, the record of the action that called the failing source, its call line)."""
    found: list[tuple[Sent, Record | None, str]] = []
    by_span = {(r.trace_id, r.span_id): r for r in app_run.records}
    for sent in app_run.of("failing"):
        for call in sent.calls:
            parsed = call.parsed
            if parsed is not None:
                found.append((sent, by_span.get((parsed[0], parsed[1])), call.line()))
                break
    need(
        found,
        "no processing called a source while the sources failed (no source configured, "
        "or no processing calls one): no failure to look at",
    )
    return found


@requirement(CORE, "/logboek/application/status-per-action")
def failed_action_has_status_error(app_run: Observations) -> None:
    cases = _failing(app_run)
    known = [(s, r, c) for s, r, c in cases if r is not None]
    if not known:
        logged = any(r.trace_id == (cases[0][0].trace_id or "") for r in app_run.records)
        raise Inconclusive(
            "the sources answered 500, but no record has the span_id named by the failing call's "
            "traceparent, so the action that met the failure cannot be found (see "
            + ("one-record-per-action" if logged else "no-sampling: the trace has no record")
            + "): "
            + cases[0][2],
            evidence=evidence([cases[0][0]], app_run.trace_of(cases[0][0])),
        )
    wrong = [(s, r, c) for s, r, c in known if r is not None and r.status != "Error"]
    keyed = by_key(app_run.records)
    above = [
        (s, r, c)
        for s, r, c in wrong
        if r is not None and any(a.status == "Error" for a in ancestors(r, keyed))
    ]
    if wrong and len(above) == len(wrong):
        sent, record, call = above[0]
        raise Warning(
            f"the source answered 500 to {call}; the record of the action that made the call is "
            f"{record.status if record else '?'!r}, an action above it is Error. The standard "
            'says both "per actie" and "per Dataverwerking" (docs/logboek-notes.md reading 3): '
            "the failed call itself is best marked Error.\n"
            + record_lines([record] if record else []),
            evidence=evidence([sent], app_run.trace_of(sent)),
        )
    if wrong:
        sent, record, call = wrong[0]
        raise Failure(
            f"the source answered 500 to {call}, but the record of the action that made that call "
            f"has status {record.status if record else '?'!r}. The standard: each record carries "
            "the action's status; a failed action is Error.\n"
            + record_lines([record] if record else []),
            evidence=evidence([sent], app_run.trace_of(sent)),
        )
    errors_when_healthy = [
        (s, r)
        for s in healthy(app_run)
        if 200 <= (s.status or 0) < 300
        for r in app_run.trace_of(s)
        if r.status == "Error"
    ]
    if errors_when_healthy:
        sent, record = errors_when_healthy[0]
        raise Warning(
            "a failing source gives Error, as it should; but processings that succeeded (2xx, "
            f"every source answering) also have Error records ({len(errors_when_healthy)}), e.g. "
            f"{record.line()}",
            evidence=evidence([sent], app_run.trace_of(sent)),
        )
    raise Passed(
        f"{len(known)} failing source call(s): the calling action's record has status Error; "
        "successful actions are Unset or Ok"
    )


def _error_records(app_run: Observations) -> list[tuple[Sent, list[Record]]]:
    cases = _failing(app_run)
    result = []
    for sent, record, _ in cases:
        records = [record] if record is not None and record.status == "Error" else []
        records += [r for r in app_run.trace_of(sent) if r.status == "Error" and r not in records]
        if records:
            result.append((sent, records))
    need(result, "no Error record for a failing source was found (see status-per-action)")
    return result


@requirement(CORE, "/logboek/application/error-attributes")
def error_detail_recorded(app_run: Observations) -> None:
    cases = _error_records(app_run)
    bare = [(s, rs) for s, rs in cases if not any(r.has_exception_detail() for r in rs)]
    if bare:
        sent, records = bare[0]
        raise Warning(
            "the Error record(s) of a failing source carry no exception.message / exception.type, "
            "neither as attributes nor on an `exception` event. The standard (Foutafhandeling) "
            "RECOMMENDS recording the error in exception.* attributes.\n" + record_lines(records),
            evidence=evidence([sent], records),
        )
    raise Passed(f"{len(cases)} failing processing(s): the error is described with exception.*")


@requirement(CORE, "/logboek/application/error-trace-relation")
def error_related_to_trace(app_run: Observations) -> None:
    cases = _error_records(app_run)
    loose = [
        (s, r)
        for s, rs in cases
        for r in rs
        if not (r.trace_id and r.span_id) or (s.trace_id and r.trace_id != s.trace_id)
    ]
    if loose:
        sent, record = loose[0]
        raise Warning(
            "an Error record is not tied to the failing processing's trace_id and a span_id: "
            + record.line(),
            evidence=evidence([sent], [record]),
        )
    raise Passed(
        f"{len(cases)} failing processing(s): the error data sits on records of the processing's "
        "trace, with span ids (error data kept in another component cannot be seen)"
    )


@requirement(CORE, "/logboek/application/user-input-not-error")
def invalid_input_is_not_an_error(app_run: Observations) -> None:
    sents = [s for s in app_run.of("invalid-input") if served(s)]
    need(
        [p for p in app_run.settings.processings if p.invalid_input],
        "no [[logboek.processings]] with invalid_input = true: give a request with invalid user "
        "input (the application answers 4xx) to check this",
    )
    need(sents, "the application did not serve the invalid-input processing (no answer below 500)")
    problems = [(s, r) for s in sents for r in app_run.trace_of(s) if r.status == "Error"]
    if problems:
        sent, record = problems[0]
        raise Warning(
            f"invalid user input (the application answered {sent.status}) is logged with status "
            "Error. The standard (Foutafhandeling): invalid user input that the application "
            "handles without an internal error is not an Error (Unset; Ok accepted).\n"
            + record.line(),
            evidence=evidence([sent], app_run.trace_of(sent)),
        )
    unseen = [s for s in sents if not app_run.trace_of(s)]
    if len(unseen) == len(sents):
        raise Inconclusive(
            "the invalid-input processing could not be tied to any record",
            evidence=evidence(sents[:1]),
        )
    raise Passed(f"{len(sents)} processing(s) with invalid user input: no Error record")
