"""5.2.2 ID Tokens of the Provider profile: the ID token of the happy path (authorization code
with PKCE S256, redeemed with the client's own authentication), claim by claim. The claims are
judged even when the signature does not verify (that is the `signed` check's finding)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cgconform.model.outcomes import Failure, Outcome, Passed
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_flows import IdToken, RelyingParty
from cgconform.suites.identity.oidc._evidence import token

STANDARD = "NLGOV-OIDC"
SECTION = "5.2.2-id-tokens-of-the-provider-profile"
FIVE_MINUTES = 300
CLOCK_SKEW = 30  # seconds of difference between the provider's clock and cgconform's


def _evidence(id_token: IdToken) -> list[Mapping[str, Any]]:
    return [token("ID token", id_token.jwt), *id_token.flow.evidence]


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@requirement(STANDARD, f"{SECTION}/signed")
def id_token_is_signed_by_the_provider(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    if id_token.signature_problem is not None:
        raise Failure(
            f"the ID token is not signed by the provider's key: {id_token.signature_problem}",
            evidence=_evidence(id_token),
        )
    header = id_token.header
    raise Passed(
        f"the ID token's {header.get('alg')} signature verifies with key "
        f"{header.get('kid', '(no kid)')} of the provider's JWKS"
    )


@requirement(STANDARD, f"{SECTION}/expires")
def id_token_expires(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    exp, iat = _number(id_token.claims, "exp"), _number(id_token.claims, "iat")
    if exp is None:
        raise Failure(
            f"the ID token has no numeric exp ({id_token.claims.get('exp')!r}): it MUST expire",
            evidence=_evidence(id_token),
        )
    if iat is not None and exp <= iat:
        raise Failure(
            f"the ID token expires (exp {exp:.0f}) no later than it was issued (iat {iat:.0f})",
            evidence=_evidence(id_token),
        )
    if exp < id_token.flow.received_at - CLOCK_SKEW:
        raise Failure(
            f"the ID token had expired (exp {exp:.0f}) when it arrived "
            f"({id_token.flow.received_at:.0f})",
            evidence=_evidence(id_token),
        )
    raise Passed(f"exp {exp:.0f}, after iat and after the token arrived")


@requirement(STANDARD, f"{SECTION}/lifetime")
def id_token_lives_five_minutes_at_most(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    exp, iat = _number(id_token.claims, "exp"), _number(id_token.claims, "iat")
    if exp is None:
        raise Failure("the ID token has no numeric exp", evidence=_evidence(id_token))
    start = iat if iat is not None else id_token.flow.received_at
    lifetime = exp - start
    if lifetime > FIVE_MINUTES:
        raise Failure(
            f"the ID token is valid for {lifetime:.0f} s (exp - {'iat' if iat else 'arrival'}); "
            f"it SHOULD be no longer than five minutes ({FIVE_MINUTES} s)",
            evidence=_evidence(id_token),
        )
    raise Passed(f"the ID token is valid for {lifetime:.0f} s")


@requirement(STANDARD, f"{SECTION}/iss")
def id_token_iss_is_the_issuer(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    expected = oidc.metadata().get("issuer")
    iss = id_token.claims.get("iss")
    if iss != expected:
        raise Failure(
            f"the ID token's iss is {iss!r}, not the provider's issuer {expected!r}",
            evidence=_evidence(id_token),
        )
    raise Passed(f"iss is {iss!r}")


@requirement(STANDARD, f"{SECTION}/aud")
def id_token_aud_contains_the_client_id(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    client_id = id_token.flow.client.client_id
    aud = id_token.claims.get("aud")
    if aud == client_id or (isinstance(aud, list) and client_id in aud):
        raise Passed(f"aud is {aud!r}")
    raise Failure(
        f"the ID token's aud is {aud!r}: it must contain the client_id {client_id!r}",
        evidence=_evidence(id_token),
    )


@requirement(STANDARD, f"{SECTION}/sub")
def id_token_has_a_sub(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    sub = id_token.claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Failure(
            f"the ID token's sub is {'absent' if sub is None else repr(sub)}: REQUIRED, a "
            "non-empty string",
            evidence=_evidence(id_token),
        )
    raise Passed(f"sub is a string of {len(sub)} characters")


@requirement(STANDARD, f"{SECTION}/nonce")
def id_token_nonce_is_the_request_nonce(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    nonce = id_token.claims.get("nonce")
    if nonce != id_token.flow.request.nonce:
        shown = "absent" if nonce is None else repr(nonce)
        raise Failure(
            f"the ID token's nonce is {shown}, not the nonce {id_token.flow.request.nonce!r} of "
            "the authentication request",
            evidence=_evidence(id_token),
        )
    raise Passed("nonce equals the request's")


@requirement(STANDARD, f"{SECTION}/jti")
def id_token_has_a_unique_jti(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    jti = id_token.claims.get("jti")
    if not isinstance(jti, str) or not jti:
        shown = "absent" if jti is None else repr(jti)
        raise Failure(
            f"the ID token's jti is {shown}: REQUIRED, a unique identifier of the token",
            evidence=_evidence(id_token),
        )
    others = []
    for client in oidc.settings.others:
        try:
            others.append(oidc.id_token(client))
        except Outcome:  # the other clients' flows are judged by the pairwise check
            continue
    repeated = [o for o in others if o.claims.get("jti") == jti]
    if repeated:
        raise Failure(
            f"two ID tokens ({id_token.flow.client.client_id}, "
            f"{repeated[0].flow.client.client_id}) have the same jti {jti!r}",
            evidence=[*_evidence(id_token), token("other ID token", repeated[0].jwt)],
        )
    seen = f"different in all {1 + len(others)} ID tokens seen" if others else "one ID token seen"
    raise Passed(f"jti is present ({seen})")


@requirement(STANDARD, f"{SECTION}/exp-iat-nbf")
def id_token_has_exp_iat_and_nbf(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    claims = id_token.claims
    missing = [n for n in ("exp", "iat", "nbf") if _number(claims, n) is None]
    if missing:
        raise Failure(
            f"the ID token lacks (numeric) {', '.join(missing)}: exp, iat and nbf are REQUIRED",
            evidence=_evidence(id_token),
        )
    exp, iat, nbf = (_number(claims, n) or 0.0 for n in ("exp", "iat", "nbf"))
    if nbf > exp or iat > exp:
        raise Failure(
            f"nbf {nbf:.0f} / iat {iat:.0f} after exp {exp:.0f}", evidence=_evidence(id_token)
        )
    raise Passed(f"exp {exp:.0f}, iat {iat:.0f}, nbf {nbf:.0f}")
