"""NL GOV OAuth §3.2.1 JWT Bearer Tokens: a token past its ``exp`` "MUST be considered
invalid", also by the resource that receives it."""

from __future__ import annotations

from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.rs_judge import expect_refused
from cgconform.suites.identity.harness.rs_probes import ResourceProbes

STD = "NL-GOV-OAuth"


@requirement(STD, "3.2.1-jwt-bearer-tokens/exp")
def refuses_expired_token(resource: ResourceProbes) -> None:
    expect_refused(
        resource.with_token("expired"),
        resource,
        'NL GOV OAuth §3.2.1: exp is "The expiration time ..., after which the token MUST be '
        'considered invalid"',
    )
