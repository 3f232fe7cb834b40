"""Transparent to the citizen: every organisation involved records the access with the
processing activity and the citizen (pseudonymised) as data subject; the signed-in citizen
finds exactly their own records through the read extension, another citizen none of them."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.chain.harness import hops
from cgconform.suites.chain.harness.judge import STANDARD, trace_reading
from cgconform.suites.chain.harness.reading import read_activity
from cgconform.suites.chain.harness.scenario import Observations
from cgconform.suites.logboek.harness.records import ACTIVITY, SUBJECT


@requirement(STANDARD, "/chain/transparency/logged-everywhere")
def every_organisation_records_the_access(chain_run: Observations) -> None:
    seen = chain_run
    sents = seen.need("A", "B")
    bsns = {seen.settings.citizen.bsn} | (
        {seen.settings.second_citizen.bsn} if seen.settings.second_citizen else set()
    )
    failures, doubts, plain = [], [], []
    notes: list[dict[str, Any]] = []
    shown: list[dict[str, Any]] = []
    for sent in sents:
        for org in seen.settings.organisations:
            reading = trace_reading(seen, org, sent.label)
            shown += reading.evidence()[:1]
            records = reading.records
            token = seen.auditors.get(org.name)
            if not records and token and org.activity and seen.http is not None:
                found = read_activity(
                    seen.http, org, sent.started, seen.finished.get(sent.label, sent.started), token
                )
                records = found.records
            start = hops.application(org) if org.application else hops.source(org)
            hop = (start, hops.logboek(org))
            if not reading.ok and not records:
                doubts.append(f"{org.name}: {reading.line()}")
                notes.append(hops.note("inconclusive", *hop, "read API not readable"))
                continue
            good = [r for r in records if r.activity and r.subject]
            if not good:
                why = (
                    f"{org.name} holds no record of the processing as {sent.who} (trace "
                    f"{sent.trace_id}) with a processing activity and a data subject "
                    f"({len(records)} record(s) found)"
                )
                failures.append(why)
                notes.append(hops.note("fail", *hop, why))
                continue
            plain += [f"{org.name}: {r.name!r}" for r in good if str(r.subject) in bsns]
            notes.append(
                hops.note("pass", *hop, f"{len(good)} record(s) with activity and subject")
            )
    evidence = [*shown[:6], *notes]
    if failures:
        raise Failure(
            "; ".join(failures) + ". Every access to the citizen's data is to appear in the "
            f"Logboek of every organisation involved ({ACTIVITY}, {SUBJECT})",
            evidence=evidence,
        )
    if doubts:
        raise Inconclusive("; ".join(doubts), evidence=evidence)
    if plain:
        raise Warning(
            "records name the citizen by BSN, not by a pseudonym: " + "; ".join(plain[:5]),
            evidence=evidence,
        )
    raise Passed(
        "every organisation recorded both processings with an activity and a pseudonymised "
        "data subject",
        evidence=evidence,
    )


@requirement(STANDARD, "/chain/transparency/own-records-only")
def citizen_reads_exactly_their_own_records(chain_run: Observations) -> None:
    seen = chain_run
    seen.need("A", "B")
    failures, doubts = [], []
    notes: list[dict[str, Any]] = []
    shown: list[dict[str, Any]] = []
    for org in seen.settings.organisations:
        hop = (hops.CITIZEN, hops.logboek(org))
        views = {
            (reader, label): seen.read(org, reader, label)
            for reader in ("A", "B")
            for label in ("A", "B")
        }
        unread = [v for v in views.values() if not v.ok]
        if unread:
            doubts.append(unread[0].line())
            shown += unread[0].evidence()
            notes.append(hops.note("inconclusive", *hop, "read API did not answer"))
            continue
        own_a, own_b = views[("A", "A")], views[("B", "B")]
        cross = [("B", "A", views[("B", "A")], own_a), ("A", "B", views[("A", "B")], own_b)]
        problems = []
        for who, owner, view, own in cross:
            leaked = {r.span_id for r in view.records} & {r.span_id for r in own.records}
            if leaked:
                problems.append(
                    f"citizen {who} reads {len(leaked)} record(s) of citizen {owner}'s processing"
                )
                shown += view.evidence()
        for who, own in (("A", own_a), ("B", own_b)):
            audited = seen.read(org, "auditor", who)
            if not own.records:
                if not audited.ok:
                    doubts.append(
                        f"citizen {who} finds no record of their processing at {org.name}; "
                        "without its read_bearer cgconform cannot tell whether there are any"
                    )
                    continue
                if not any(r.subject for r in audited.records):
                    continue  # nothing recorded on the trace: logged-everywhere's finding
                problems.append(f"citizen {who} finds none of the records of their own processing")
                shown += own.evidence()
            if audited.ok and own.records:
                subjects = {r.subject for r in own.records}
                missed = [
                    r
                    for r in audited.records
                    if r.subject in subjects and r.span_id not in {o.span_id for o in own.records}
                ]
                if missed:
                    problems.append(f"citizen {who} misses {len(missed)} of their own record(s)")
        if problems:
            why = f"{org.name}: " + "; ".join(problems)
            failures.append(why)
            notes.append(hops.note("fail", *hop, why))
        else:
            notes.append(hops.note("pass", *hop, "own records only"))
            shown += own_a.evidence()[:1]
    if failures:
        raise Failure(
            "; ".join(failures) + ". Through the read extension the signed-in citizen is to "
            "find exactly their own records, and nobody else's",
            evidence=[*shown[:6], *notes],
        )
    if doubts:
        raise Inconclusive("; ".join(doubts), evidence=[*shown[:6], *notes])
    raise Passed(
        "at every organisation each citizen found the records of their own processing and none "
        "of the other citizen's",
        evidence=[*shown[:4], *notes],
    )
