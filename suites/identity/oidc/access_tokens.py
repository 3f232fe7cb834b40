"""5.2.7 Access Tokens: in JWT form, "in line with" OAuth NL, whose §3.2.1 JWT Bearer Tokens
names what such a token carries: iss, azp, exp and jti, and a kid in the JWS header."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_client import (
    JwtProblem,
    decode_unverified,
    looks_like_jwt,
    verify_jws,
)
from cgconform.suites.identity.harness.oidc_flows import RelyingParty
from cgconform.suites.identity.oidc._evidence import token

STANDARD = "NLGOV-OIDC"
OAUTH_NL = "OAuth NL 1.2.0 §3.2.1 JWT Bearer Tokens"


@requirement(STANDARD, "5.2.7-access-tokens/jwt")
def access_token_is_a_signed_jwt(oidc: RelyingParty) -> None:
    flow = oidc.happy()
    access_token = flow.tokens.token("access_token")
    if access_token is None:
        raise Failure(
            f"the token response has no access_token ({flow.tokens.describe()})",
            evidence=flow.evidence,
        )
    if not looks_like_jwt(access_token):
        raise Failure(
            f"the access token is opaque ({len(access_token)} characters, not a JWT): this "
            "profile requires an Access Token to be in JWT form",
            evidence=flow.evidence,
        )
    if access_token.count(".") == 4:
        raise Inconclusive(
            "the access token is a JWE, encrypted (to a resource server's key, OAuth NL "
            "§3.2.1 allows it): cgconform cannot read its claims",
            evidence=flow.evidence,
        )
    try:
        jwt = decode_unverified(access_token)
    except JwtProblem as exc:
        raise Failure(
            f"the access token is not a readable JWT: {exc}", evidence=flow.evidence
        ) from None
    shown = [token("access token", jwt), *flow.evidence]
    try:
        verify_jws(access_token, oidc.keys())
    except JwtProblem as exc:
        raise Failure(
            f"the access token is a JWT, but not signed by the provider: {exc} ({OAUTH_NL}: "
            '"The access tokens MUST be signed with [JWS]")',
            evidence=shown,
        ) from None
    claims, client_id = jwt.claims, flow.client.client_id
    problems = []
    issuer = oidc.metadata().get("issuer")
    if claims.get("iss") != issuer:
        problems.append(f"iss is {claims.get('iss')!r}, not the issuer {issuer!r}")
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        problems.append(f"exp is {exp!r}, not a NumericDate")
    if not isinstance(claims.get("jti"), str) or not claims.get("jti"):
        problems.append("no jti")
    if "kid" not in jwt.header:
        problems.append("no kid in the JWS header")
    azp = claims.get("azp")
    if azp is not None and azp != client_id:
        problems.append(f"azp is {azp!r}, not the client {client_id!r}")
    if problems:
        raise Failure(
            "the access token is a signed JWT, but " + "; ".join(problems) + f" ({OAUTH_NL}: "
            "at minimum iss, azp, exp and jti, and kid in the header)",
            evidence=shown,
        )
    if azp is None:
        if claims.get("client_id") == client_id:
            raise Warning(
                f"the access token names the client as client_id (RFC 9068), not azp as "
                f"{OAUTH_NL} asks",
                evidence=shown,
            )
        raise Failure(
            f"the access token has no azp (the client it was issued to; {OAUTH_NL})",
            evidence=shown,
        )
    raise Passed(
        f"the access token is a {jwt.header.get('alg')} JWT of the provider with iss, "
        f"azp={azp}, exp, jti and kid"
    )
