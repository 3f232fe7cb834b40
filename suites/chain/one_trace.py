"""One trace across all hops: the caller's trace id reaches the application's records and
every source organisation's records; the FSC Transaction IDs can be joined to them."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.chain.harness import hops
from cgconform.suites.chain.harness.judge import STANDARD, fsc_line, outgoing_to, trace_reading
from cgconform.suites.chain.harness.reading import read_activity
from cgconform.suites.chain.harness.scenario import Observations


@requirement(STANDARD, "/chain/one-trace")
def every_hop_shares_the_callers_trace(chain_run: Observations) -> None:
    seen = chain_run
    (sent,) = seen.need("A")
    consumer = seen.settings.consumer
    findings: list[str] = []
    notes: list[dict[str, Any]] = []
    shown: list[dict[str, Any]] = [*sent.evidence()]
    mine = trace_reading(seen, consumer, "A")
    shown += mine.evidence()
    start = hops.CITIZEN
    if not mine.records:
        why = f"{consumer.name}'s records hold nothing of the caller's trace {sent.trace_id}"
        raise Failure(
            why + f" ({mine.line()})",
            evidence=[*shown, hops.note("fail", start, hops.application(consumer), why)],
        )
    notes.append(hops.note("pass", start, hops.application(consumer), "trace continued"))
    unsure: list[str] = []
    for org in seen.settings.sources:
        reading = trace_reading(seen, org, "A")
        shown += reading.evidence()
        hop = (hops.part(consumer, "Outway"), hops.part(org, "Inway"))
        if reading.records:
            notes.append(hops.note("pass", *hop, f"{len(reading.records)} record(s) on the trace"))
            continue
        token = seen.auditors.get(org.name)
        if token is None or org.activity is None or seen.http is None:
            unsure.append(
                f"{org.name} has no record of trace {sent.trace_id}; without its read_bearer "
                "and activity cgconform cannot tell whether it logged under another trace"
            )
            notes.append(hops.note("inconclusive", *hop, "no record on the trace"))
            continue
        elsewhere = read_activity(
            seen.http, org, sent.started, seen.finished.get("A", sent.started), token
        )
        shown += elsewhere.evidence()
        if elsewhere.records:
            traces = sorted({r.trace_id for r in elsewhere.records})
            why = (
                f"{org.name} recorded this processing under trace(s) {', '.join(traces)}, not "
                f"the caller's {sent.trace_id}: a hop between {consumer.name} and {org.name} "
                "dropped the Trace Context"
            )
            findings.append(why)
            notes.append(hops.note("fail", *hop, why))
        else:
            notes.append(
                hops.note("pass", *hop, "no record at all (see logged-everywhere), none off-trace")
            )
    if findings:
        raise Failure("; ".join(findings), evidence=[*shown, *notes])
    if unsure:
        raise Inconclusive("; ".join(unsure), evidence=[*shown, *notes])
    raise Passed(
        f"the caller's trace {sent.trace_id} reaches {consumer.name} and every source "
        "organisation that recorded the processing",
        evidence=[*shown, *notes],
    )


@requirement(STANDARD, "/chain/one-trace/fsc-join")
def fsc_transactions_join_the_records(chain_run: Observations) -> None:
    seen = chain_run
    (sent,) = seen.need("A")
    consumer = seen.settings.consumer
    if seen.fsc(consumer) is not None:
        raise Inconclusive(f"the FSC transaction log of {consumer.name} cannot be read")
    records = [r for o in seen.settings.organisations for r in trace_reading(seen, o, "A").records]
    name = seen.settings.transaction_id_attribute
    values = {str(v) for r in records for k, v in r.attributes.items() if name is None or k == name}
    missing, notes = [], []
    for org in seen.settings.sources:
        out = outgoing_to(seen, sent, org)
        hop = (hops.part(consumer, "Outway"), hops.part(org, "Inway"))
        lost = [r for r in out if str(r.get("transaction_id")) not in values]
        if lost:
            missing.append(f"{fsc_line(lost)} to {org.name}")
            notes.append(hops.note("warning", *hop, "Transaction ID not in the records"))
    where = f"attribute {name!r}" if name else "any attribute"
    if missing:
        raise Warning(
            f"FSC Transaction(s) {'; '.join(missing)} appear in no Logboek record of trace "
            f"{sent.trace_id} ({where}): the gateway's log and the processing log cannot be joined",
            evidence=notes,
        )
    raise Passed(
        f"every FSC Transaction of the processing is named in a record of trace {sent.trace_id} "
        f"({where})"
    )
