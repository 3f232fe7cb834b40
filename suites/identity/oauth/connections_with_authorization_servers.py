"""NL GOV OAuth §4.3 Connections with Authorization Servers: the resource checks ``aud``,
takes tokens only from the authorization servers it trusts, and serves only what the token's
rights (scope) allow."""

from __future__ import annotations

from cgconform.model.outcomes import Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.rs_judge import expect_refused
from cgconform.suites.identity.harness.rs_probes import ResourceProbes

STD = "NL-GOV-OAuth"
SECTION = "4.3-connections-with-authorization-servers"

LIMIT_ASKS = (
    'NL GOV OAuth §4.3: "A protected resource MUST limit which authorization servers it will '
    'accept valid tokens from."'
)


@requirement(STD, f"{SECTION}/aud")
def refuses_token_for_another_audience(resource: ResourceProbes) -> None:
    expect_refused(
        resource.with_token("other_audience"),
        resource,
        'NL GOV OAuth §4.3: "The protected resource MUST check the aud (audience) claim, if it '
        "exists in the token, to ensure that it includes the protected resource's "
        'identifier."',
    )


@requirement(STD, f"{SECTION}/limit-authorization-servers")
def refuses_token_signed_by_another_key(resource: ResourceProbes) -> None:
    expect_refused(
        resource.with_token("other_key"),
        resource,
        f"{LIMIT_ASKS} A signature by a key no trusted issuer holds is the token of anyone",
    )


@requirement(STD, f"{SECTION}/limit-authorization-servers")
def refuses_unsigned_token(resource: ResourceProbes) -> None:
    expect_refused(
        resource.with_token("unsigned"),
        resource,
        f"{LIMIT_ASKS} An unsigned token (alg none) can be written by anyone; NL GOV OAuth "
        '§3.2.1: "The access tokens MUST be signed with [JWS]"',
    )


@requirement(STD, f"{SECTION}/limit-authorization-servers")
def refuses_hmac_token_keyed_with_public_key(resource: ResourceProbes) -> None:
    expect_refused(
        resource.with_token("hmac_public_key"),
        resource,
        f"{LIMIT_ASKS} Anyone can compute this HMAC: the key is the issuer's public key. The "
        "resource lets the token choose the algorithm (RFC 8725 §2.1, §3.1)",
    )


@requirement(STD, f"{SECTION}/limit-authorization-servers")
def refuses_token_naming_another_issuer(resource: ResourceProbes) -> None:
    probe = resource.with_token("other_issuer")
    if probe.accepted:
        raise Warning(
            f"the resource served {probe.sent()}: {probe.line}. It trusts the key, not the "
            f"issuer the token names. {LIMIT_ASKS} RFC 9068 §4 (JWT access tokens): the "
            "issuer identifier of the authorization server MUST exactly match the iss claim. "
            "(A warning, not a failure: the trusted issuer's key signed this token.)",
            evidence=[probe.evidence()],
        )
    expect_refused(probe, resource, LIMIT_ASKS)


@requirement(STD, f"{SECTION}/sufficient-rights")
def refuses_token_without_required_scope(resource: ResourceProbes) -> None:
    token = resource.token("insufficient_scope")
    expect_refused(
        resource.with_token("insufficient_scope"),
        resource,
        f"The resource needs scope {resource.required_scope()!r} (the target's [oauth] scope) "
        f'and the token has {token.claims.get("scope")!r}. NL GOV OAuth §4.3: "The protected '
        "resource MUST ensure that the rights associated with the token are sufficient to "
        'grant access to the resource."',
    )
