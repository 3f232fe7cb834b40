"""Responses with personal data are not cacheable: `Cache-Control: no-store`."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.chain.harness import hops
from cgconform.suites.chain.harness.judge import STANDARD
from cgconform.suites.chain.harness.scenario import Observations


@requirement(STANDARD, "/chain/no-store")
def personal_data_is_not_cacheable(chain_run: Observations) -> None:
    served = [s for s in chain_run.sent.values() if s.served and s.exchange is not None]
    if not served:
        raise NotTested("the application served none of the processings with personal data")
    app = hops.application(chain_run.settings.consumer)
    bad = []
    for sent in served:
        value = sent.exchange.headers.get("Cache-Control", "") if sent.exchange else ""
        directives = {d.strip().split("=")[0].lower() for d in value.split(",") if d.strip()}
        if "no-store" not in directives:
            bad.append(f"{sent.line()} with Cache-Control {value or '(none)'!r}")
    evidence = [s.evidence()[0] for s in served[:3]]
    if bad:
        why = (
            "answers with personal data may be kept by caches: "
            + "; ".join(bad)
            + ". Expected Cache-Control: no-store (ADR /core/transport/security-headers: "
            "'Prevent sensitive information from being cached')"
        )
        raise Failure(why, evidence=[*evidence, hops.note("fail", app, hops.CITIZEN, why)])
    raise Passed(
        f"all {len(served)} answers with personal data carry Cache-Control: no-store",
        evidence=[*evidence, hops.note("pass", app, hops.CITIZEN, "Cache-Control: no-store")],
    )
