"""Identity first: no personal data is fetched before the citizen has authenticated, and the
person fetched is the one who authenticated."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.chain.harness import hops
from cgconform.suites.chain.harness.judge import STANDARD, fsc_line, outgoing_to, trace_reading
from cgconform.suites.chain.harness.scenario import AUDITOR, Observations


@requirement(STANDARD, "/chain/identity-first")
def nothing_is_fetched_before_login(chain_run: Observations) -> None:
    seen = chain_run
    (sent,) = seen.need("anonymous")
    consumer = seen.settings.consumer
    app = hops.application(consumer)
    shown: list[dict[str, Any]] = [*sent.evidence()]
    findings = []
    if sent.served:
        findings.append(f"the application served a processing without login ({sent.line()})")
    fetched = []
    if seen.fsc(consumer) is None:
        for org in seen.settings.sources:
            out = outgoing_to(seen, sent, org)
            if out:
                fetched.append(f"{org.name}: {fsc_line(out)}")
    else:
        readable = [o for o in seen.settings.sources if seen.read(o, AUDITOR, "anonymous").ok]
        if not readable:
            raise Inconclusive(
                f"neither the FSC transaction log of {consumer.name} nor a source's read API "
                "(read_bearer) can be read: cgconform cannot see whether anything was fetched",
                evidence=shown,
            )
        for org in readable:
            found = seen.read(org, AUDITOR, "anonymous").records
            if found:
                fetched.append(f"{org.name}: {len(found)} record(s) on the trace")
    if fetched:
        findings.append(
            "the request without login made the application fetch personal data: "
            + "; ".join(fetched)
        )
    if findings:
        why = "; ".join(findings)
        raise Failure(
            why + ". No personal data is to be fetched before the citizen has authenticated",
            evidence=[*shown, hops.note("fail", hops.CITIZEN, app, why)],
        )
    raise Passed(
        f"without login the application answered HTTP {sent.status} and fetched nothing",
        evidence=[*shown, hops.note("pass", hops.LOGIN, app, "no fetch before login")],
    )


@requirement(STANDARD, "/chain/identity-first/proven-identity")
def the_person_fetched_is_the_one_signed_in(chain_run: Observations) -> None:
    seen = chain_run
    brp = seen.settings.source("brp-personen")
    if brp is None:
        raise NotTested('no organisation with source = "brp-personen" in [[chain.organisations]]')
    seen.need("A", "B")
    app = hops.application(seen.settings.consumer)

    def subjects(label: str) -> set[Any]:
        views = [seen.read(brp, r, label) for r in (AUDITOR, "A", "B")]
        return {r.subject for v in views for r in v.records if r.subject}

    own_a, own_b = subjects("A"), subjects("B")
    shown = [*trace_reading(seen, brp, "A").evidence()]
    if not own_a or not own_b or own_a & own_b:
        raise Inconclusive(
            f"the BRP's records do not tell citizen A's and B's persons apart (A: {len(own_a)} "
            f"subject(s), B: {len(own_b)}): cgconform cannot judge whose BSN was fetched",
            evidence=shown,
        )
    if "proven" not in seen.sent:
        raise Passed(
            "the request names no person of its own ([[chain.processings]] bsn_field); the "
            "processings of citizens A and B fetched different persons at the BRP",
            evidence=[*shown, hops.note("pass", hops.LOGIN, app, "identity from the login")],
        )
    (sent,) = seen.need("proven")
    fetched = subjects("proven")
    shown = [*sent.evidence(), *shown]
    if fetched & own_b:
        why = (
            f"signed in as citizen A, with citizen B's BSN in {seen.processing.bsn_field!r}, the "
            "application fetched citizen B from the BRP: the BSN in the source request is not "
            "the authenticated one"
        )
        raise Failure(why, evidence=[*shown, hops.note("fail", hops.LOGIN, app, why)])
    if not fetched or not fetched <= own_a:
        raise Inconclusive(
            "the BRP's records of the processing do not show whose person was fetched",
            evidence=shown,
        )
    raise Passed(
        f"signed in as citizen A with citizen B's BSN in {seen.processing.bsn_field!r}, the "
        "application fetched citizen A: the BSN of the login, not of the request",
        evidence=[*shown, hops.note("pass", hops.LOGIN, app, "the BSN of the login")],
    )
