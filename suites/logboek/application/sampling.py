"""No log sampling: every processing is logged, whatever the caller's sampled flag and however
many run at once (Logboek Dataverwerkingen, "Log Sampling"; docs/logboek-notes.md readings 5
and 16: records are counted, flags are not read)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Passed
from cgconform.run.marks import requirement
from cgconform.suites.logboek.application._observe import CORE, evidence, need, served
from cgconform.suites.logboek.harness.session import Observations, Sent


def _counts(app_run: Observations) -> dict[str, list[int]]:
    """Per processing name: the records of each sampled, sequential run of it."""
    counts: dict[str, list[int]] = {}
    for sent in app_run.of("fresh", "continued"):
        records = app_run.trace_of(sent)
        if served(sent) and records:
            counts.setdefault(sent.processing.name, []).append(len(records))
    return counts


def _baseline(app_run: Observations) -> dict[str, int]:
    """Per processing name: the fewest records a sampled, sequential run of it produced."""
    return {name: min(values) for name, values in _counts(app_run).items()}


@requirement(CORE, "/logboek/application/no-sampling")
def every_processing_is_logged(app_run: Observations) -> None:
    baseline = _baseline(app_run)
    need(
        list(baseline),
        "no sampled processing could be tied to its records, so there is no "
        "count to compare with (see new-trace-per-processing)",
    )
    problems: list[str] = []
    checked = 0
    for sent in app_run.of("unsampled"):
        expected = baseline.get(sent.processing.name)
        if not served(sent) or expected is None:
            continue
        checked += 1
        got = len(app_run.traces.get(sent.caller_trace or "", [])) or len(app_run.trace_of(sent))
        if got < expected:
            problems.append(
                f"{sent.line()}: {got} record(s), where the same processing with the sampled flag "
                f"01 gave {expected}"
            )
    burst = [s for s in app_run.of("burst") if served(s)]
    burst_note = ""
    if burst:
        expected = baseline.get(burst[0].processing.name)
        if expected is not None:
            claimed = {s.trace_id for s in app_run.sent if s.trace_id and s.scenario != "burst"}
            since = (app_run.burst_started - 0.5) * 1e9
            received = sum(  # records of the burst's traces: begun when the burst was
                len(r)
                for t, r in app_run.traces.items()
                if t not in claimed and min((x.start_ns or 0) for x in r) >= since
            )
            wanted = expected * len(burst)
            short = [s for s in burst if s.trace_id and len(app_run.trace_of(s)) < expected]
            checked += len(burst)
            if received < wanted or short:
                problems.append(
                    f"a burst of {len(burst)} processings at once (half with sampled flag 00): "
                    f"{received} records arrived where {wanted} were expected ({expected} per "
                    f"processing); {len(short)} of the burst's traces are short"
                    + (f", e.g. {short[0].line()}" if short else "")
                )
            burst_note = (
                f"; a burst of {len(burst)} in {app_run.burst_seconds:.1f} s: {received} records "
                f"for {wanted} expected"
            )
    need([checked] if checked else [], "no unsampled or burst processing was served")
    if problems:
        example: list[Sent] = [s for s in app_run.of("unsampled", "burst") if served(s)][:1]
        raise Failure(
            "Records are missing: the application samples its log. The standard: log sampling "
            "MUST NOT be applied; every processing is logged, whatever the trace flags.\n"
            + "\n".join(problems[:5]),
            evidence=evidence(example),
        )
    varying = {n: v for n, v in _counts(app_run).items() if min(v) != max(v)}
    spread = "".join(
        f"; sequential runs of {n!r} gave {min(v)}..{max(v)} records, the fewest is the yardstick"
        for n, v in varying.items()
    )
    raise Passed(
        f"{checked} unsampled or concurrent processings: every expected record arrived"
        + burst_note
        + spread
    )
