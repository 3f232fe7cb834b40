"""5.2.1 Token Request Validation: every token request cgconform must not get tokens for, each
with a fresh code of a correct authorization request (so that the refusal is for the one thing
that is wrong), except the reused code, which is the happy path's own."""

from __future__ import annotations

from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_client import random_value
from cgconform.suites.identity.harness.oidc_flows import RelyingParty, one_character_off
from cgconform.suites.identity.oidc._refusals import token_refusal

STANDARD = "NLGOV-OIDC"
CORE = "OpenID Connect Core §3.1.3.2"


@requirement(STANDARD, "5.2.1-token-request-validation/code_verifier")
def wrong_code_verifier_is_refused(oidc: RelyingParty) -> None:
    client = oidc.client()
    request, outcome, code = oidc.usable_code(client, "a code for the wrong code_verifier")
    wrong = random_value()  # well-formed (43 characters), but not the request's verifier
    response = oidc.token_client(client).redeem(
        code, code_verifier=wrong, redirect_uri=request.redirect_uri
    )
    token_refusal(
        response,
        what="a code redeemed with another code_verifier than the one of its code_challenge",
        expected="invalid_grant",
        source="RFC 7636 §4.6",
        evidence=outcome.evidence[-1:],
    )


@requirement(STANDARD, "5.2.1-token-request-validation/client-authentication")
def token_request_without_client_authentication_is_refused(oidc: RelyingParty) -> None:
    client = oidc.client()
    request, outcome, code = oidc.usable_code(client, "a code for the unauthenticated request")
    response = oidc.token_client(client).redeem(
        code,
        code_verifier=request.code_verifier,
        redirect_uri=request.redirect_uri,
        authenticate=False,
    )
    token_refusal(
        response,
        what=f"a token request with only client_id={client.client_id} (no {client.auth_method})",
        expected="invalid_client",
        source=f"{CORE}: authenticate the client; RFC 6749 §5.2",
        evidence=outcome.evidence[-1:],
    )


@requirement(STANDARD, "5.2.1-token-request-validation/code-used-once")
def reused_code_is_refused(oidc: RelyingParty) -> None:
    flow = oidc.happy()
    code = flow.authorization.code
    assert code is not None  # a happy path has its code
    response = oidc.token_client(flow.client).redeem(
        code, code_verifier=flow.request.code_verifier, redirect_uri=flow.request.redirect_uri
    )
    token_refusal(
        response,
        what="the happy path's code, redeemed a second time",
        expected="invalid_grant",
        source=f"{CORE}: verify that the code has not been used before; RFC 6749 §4.1.2",
        evidence=[flow.tokens.evidence()],
    )


@requirement(STANDARD, "5.2.1-token-request-validation/redirect_uri")
def token_request_with_another_redirect_uri_is_refused(oidc: RelyingParty) -> None:
    client = oidc.client()
    request, outcome, code = oidc.usable_code(client, "a code for the redirect_uri mismatch")
    altered = one_character_off(request.redirect_uri)
    response = oidc.token_client(client).redeem(
        code, code_verifier=request.code_verifier, redirect_uri=altered
    )
    token_refusal(
        response,
        what=f"a code requested for {request.redirect_uri}, redeemed with redirect_uri {altered}",
        expected="invalid_grant",
        source=f"{CORE}: the redirect_uri must be identical to the authorization request's",
        evidence=outcome.evidence[-1:],
    )
