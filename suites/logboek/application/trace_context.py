"""W3C Trace Context between applications: what the application sends to its sources, what it
does with the caller's `traceparent`, and what it records about the caller
(Logboek Dataverwerkingen, "Protocollen" and "Gedrag van Applicatie")."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.application._observe import (
    CORE,
    evidence,
    is_url,
    need,
    record_lines,
    served,
)
from cgconform.suites.logboek.harness.records import FOREIGN, PROCESSOR, Record, hex_id
from cgconform.suites.logboek.harness.session import Observations, Sent


def _calls_checked(observations: Observations) -> list[str]:
    """Problems with the traceparent of each call a source saw during a served processing."""
    problems: list[str] = []
    for sent in observations.sent:
        if not served(sent) and sent.scenario != "failing":
            continue
        for call in sent.calls:
            parsed = call.parsed
            if parsed is None:
                problems.append(
                    f"{call.line()} (during {sent.line()}): no valid version-00 traceparent"
                )
                continue
            if sent.trace_id and parsed[0] != sent.trace_id:
                problems.append(
                    f"{call.line()}: trace id {parsed[0]}, but the processing's records are in "
                    f"trace {sent.trace_id}"
                )
    return problems


@requirement(CORE, "/logboek/application/send-trace-context")
def outgoing_calls_carry_traceparent(app_run: Observations) -> None:
    calls = [c for s in app_run.sent if s.scenario != "burst" for c in s.calls]
    need(
        calls,
        "no processing called one of the sources cgconform plays ([logboek.sources.*]): "
        "no outgoing call to look at",
    )
    problems = _calls_checked(app_run)
    if problems:
        raise Failure(
            f"{len(problems)} of {len(calls)} calls to the sources did not carry the processing's "
            "W3C Trace Context. The standard: outgoing requests MUST carry Trace Context "
            "(traceparent) so that the called application can continue the trace.\n"
            + "\n".join(problems[:8]),
            evidence=evidence(app_run.of("fresh", "continued")),
        )
    raise Passed(
        f"{len(calls)} calls to the sources, each with a traceparent of the processing's trace"
    )


@requirement(CORE, "/logboek/application/accept-trace-context")
def incoming_traceparent_is_continued(app_run: Observations) -> None:
    continued = [s for s in app_run.of("continued", "unsampled") if served(s)]
    need(continued, "no processing with a traceparent was served by the application")
    problems: list[str] = []
    judged = 0
    for sent in continued:
        records = app_run.traces.get(sent.caller_trace or "", [])
        if not records:
            other = app_run.trace_of(sent)
            if not other:
                continue  # nothing logged for it at all: a sampling finding (no-sampling)
            judged += 1
            problems.append(
                f"{sent.line()}: no record in the caller's trace {sent.caller_trace}; its "
                f"records are in a new trace {sent.trace_id}" + _linked_only(sent, other)
            )
            continue
        judged += 1
        spans = {r.span_id for r in records}
        roots = [r for r in records if not r.parent_span_id or r.parent_span_id not in spans]
        if not any(r.parent_span_id == sent.caller_span for r in roots):
            problems.append(
                f"{sent.line()}: the trace was continued, but no root action has the caller's "
                f"span {sent.caller_span} as parent_span_id:\n{record_lines(roots)}"
            )
    if not judged:
        raise Inconclusive(
            f"none of the {len(continued)} processings started with a traceparent could be tied to "
            "any record (nothing in the caller's trace, no source call, no record that started "
            "while the request was open): " + "; ".join(s.line() for s in continued[:2]),
            evidence=evidence(continued[:1]),
        )
    invalid = [s for s in app_run.of("invalid-traceparent") if served(s)]
    for sent in invalid:
        if "0" * 32 in {r.trace_id for r in app_run.records}:
            problems.append(
                f"{sent.line()}: records carry the all-zero trace id of an invalid traceparent "
                "(Trace Context: such a traceparent is ignored and a new trace started)"
            )
            break
    if problems:
        raise Failure(
            "The standard: incoming W3C Trace Context MUST be processed and used in the "
            "application's own trace (same trace_id; the caller's span is the parent of the "
            "first action).\n" + "\n".join(problems[:6]),
            evidence=evidence(continued[:2], app_run.traces.get(continued[0].trace_id or "", [])),
        )
    raise Passed(
        f"{judged} processings with a caller's traceparent continued in the caller's "
        "trace, with the caller's span as parent of the root action"
        + (f"; an invalid traceparent ({len(invalid)}) started a new trace" if invalid else "")
    )


def _names_caller(sent: Sent, record: Record) -> bool:
    """The record names the caller's trace under dpl.core.foreign_operation.*."""
    return any(hex_id(v) == sent.caller_trace for v in record.foreign().values())


def _links_caller(sent: Sent, records: list[Record]) -> bool:
    return any(_names_caller(sent, r) for r in records)


def _linked_only(sent: Sent, records: list[Record]) -> str:
    if not _links_caller(sent, records):
        return ""
    return (
        f" that names the caller's trace only under {FOREIGN}* (as MinBZK's logboek-go library "
        "does). The standard's trace_id section asks for an identical trace code in every "
        "application that works for one original processing, and its parent_span_id covers "
        "'een aanroep van een andere applicatie' (docs/logboek-notes.md reading 21)"
    )


@requirement(CORE, "/logboek/application/trace-context")
def trace_context_between_applications(app_run: Observations) -> None:
    """The umbrella sentence: Trace Context both ways. Its details have their own checks; this
    one fails only where a direction is missing altogether."""
    calls = [c for s in app_run.sent for c in s.calls]
    continued = [s for s in app_run.of("continued") if served(s)]
    need(calls or continued, "no outgoing calls and no served processing with a traceparent")
    without = [c for c in calls if c.traceparent is None]
    if calls and len(without) == len(calls):
        raise Failure(
            f"none of the {len(calls)} calls to the sources carried a traceparent: the "
            "application does not use W3C Trace Context towards other applications",
            evidence=evidence(app_run.of("fresh")[:1], note=calls[0].line()),
        )
    if continued and not any(
        app_run.traces.get(s.caller_trace or "") or _links_caller(s, app_run.trace_of(s))
        for s in continued
    ):
        raise Failure(
            "no processing started with a traceparent was recorded in the caller's trace: the "
            "application does not take W3C Trace Context from the calling application",
            evidence=evidence(continued[:1]),
        )
    raise Passed(
        f"Trace Context used: {len(calls) - len(without)} of {len(calls)} outgoing calls carried "
        f"traceparent; {len(continued)} incoming traceparent(s) seen"
    )


def _continued_roots(app_run: Observations) -> list[tuple[Sent, list[Record]]]:
    """Per continued processing, the records that carry what the caller passed: the root
    action (the caller's span is its parent) first; where the root has no
    dpl.core.foreign_operation.* at all (e.g. an instrumented server span above the
    application's own action), the trace's records that do. A processing the application
    moved to a new trace counts with that trace's records that name the caller's trace (whether
    it may start a new trace is accept-trace-context's question, not these checks')."""
    result = []
    for sent in app_run.of("continued", "unsampled"):
        if not served(sent):
            continue
        records = app_run.traces.get(sent.caller_trace or "", [])
        roots = [r for r in records if r.parent_span_id == sent.caller_span]
        if not records:
            linked = [r for r in app_run.trace_of(sent) if _names_caller(sent, r)]
            if linked:
                result.append((sent, linked))
            continue
        if not roots:
            continue
        if not any(r.foreign() for r in roots):
            roots = [r for r in records if r.foreign()] or roots
        result.append((sent, roots))
    return result


@requirement(CORE, "/logboek/application/foreign-operation-attributes")
def caller_recorded_as_foreign_operation(app_run: Observations) -> None:
    cases = _continued_roots(app_run)
    need(
        cases,
        "no processing continued the caller's trace (see accept-trace-context): no record "
        "of a foreign operation to look at",
    )
    problems: list[str] = []
    absent: list[tuple[Sent, list[Record]]] = []
    seen: set[str] = set()
    for sent, roots in cases:
        foreign = {k: v for r in roots for k, v in r.foreign().items()}
        seen |= set(foreign)
        if not foreign:
            absent.append((sent, roots))
            continue
        for key, expected in (("trace_id", sent.caller_trace), ("span_id", sent.caller_span)):
            value = foreign.get(FOREIGN + key)
            if value is not None and hex_id(value) != expected:
                problems.append(
                    f"{sent.line()}: {FOREIGN}{key} is {value!r}, but the caller's is {expected}"
                )
    if problems:
        raise Failure(
            "The standard: metadata of an incoming W3C Trace Context MUST be recorded under "
            f"{FOREIGN}* on the action that continues it.\n" + "\n".join(problems[:6]),
            evidence=evidence([cases[0][0]], cases[0][1]),
        )
    if absent:
        sent, roots = absent[0]
        raise Warning(
            f"{len(absent)} continued processing(s) record no {FOREIGN}* attribute: the trace is "
            "continued (the caller's span is the parent), but the caller is not recorded. The "
            f"standard asks for the metadata under {FOREIGN}*, and its table names only "
            f"{PROCESSOR}, which it gives the caller no way to pass (docs/logboek-notes.md "
            f"reading 1).\n{sent.line()}\n" + record_lines(roots),
            evidence=evidence([sent], roots),
        )
    raise Passed(f"{len(cases)} continued processings record {', '.join(sorted(seen))}")


@requirement(CORE, "/logboek/application/foreign-operation-processor")
def caller_application_recorded(app_run: Observations) -> None:
    """Reading 1 of docs/logboek-notes.md: the text gives the caller no way to pass its URL.
    cgconform sends it in `tracestate` (cgconform=<url>) and `Referer`; a URL is a pass,
    whichever URL it is, something else a fail, nothing a warning."""
    cases = _continued_roots(app_run)
    need(cases, f"no processing continued the caller's trace: nothing to look for {PROCESSOR} on")
    values = [(sent, r.attributes.get(PROCESSOR)) for sent, roots in cases for r in roots]
    bad = [(s, v) for s, v in values if v is not None and not is_url(v)]
    if bad:
        sent, value = bad[0]
        raise Failure(
            f"{PROCESSOR} is {value!r}, which is not a URL (the standard: a link to the calling "
            f"Application). {sent.line()}",
            evidence=evidence([sent], cases[0][1]),
        )
    present = [v for _, v in values if v is not None]
    if not present:
        raise Warning(
            f"no record of a continued trace has {PROCESSOR}. The standard requires it "
            "when there is a calling Application, but defines no way for the caller to pass its "
            f"URL; cgconform sent {app_run.settings.caller_url} in tracestate (cgconform=...) and "
            "Referer (docs/logboek-notes.md, reading 1)",
            evidence=evidence([cases[0][0]], cases[0][1]),
        )
    ours = app_run.settings.caller_url
    how = "the URL cgconform sent" if any(v == ours for v in present) else "a URL of its own choice"
    raise Passed(f"{PROCESSOR} recorded on {len(present)} record(s) of continued traces: {how}")
