"""The authorization endpoint: no Implicit or Hybrid Flow (3), PKCE required and S256 only
(5), the exact redirect_uri match (5.5). Each request is one the profile forbids; how the
provider answers is judged by ``_refusals``."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_flows import RelyingParty, one_character_off
from cgconform.suites.identity.oidc._evidence import member, values
from cgconform.suites.identity.oidc._refusals import authorization_refusal

STANDARD = "NLGOV-OIDC"
RFC7636_NO_PKCE = (
    "RFC 7636 §4.4.1: a server that requires PKCE answers a request without code_challenge "
    "with error=invalid_request"
)
RFC7636_METHOD = (
    "RFC 7636 §4.4.1: a code_challenge_method the server does not support is answered with "
    "error=invalid_request"
)


@requirement(STANDARD, "5-openid-provider-profile/pkce-required")
def request_without_pkce_is_refused(oidc: RelyingParty) -> None:
    client = oidc.client()
    request, outcome = oidc.fresh_code(client, pkce=None)
    authorization_refusal(
        oidc,
        request,
        outcome,
        what="an authentication request without code_challenge",
        expected="invalid_request",
        source=RFC7636_NO_PKCE,
        verifier=None,
    )


@requirement(STANDARD, "5-openid-provider-profile/pkce-s256-only")
def request_with_plain_pkce_is_refused(oidc: RelyingParty) -> None:
    client = oidc.client()
    request, outcome = oidc.fresh_code(client, pkce="plain")
    authorization_refusal(
        oidc,
        request,
        outcome,
        what="an authentication request with code_challenge_method=plain",
        expected="invalid_request",
        source=RFC7636_METHOD,
        verifier=request.code_verifier,
    )


@requirement(STANDARD, "5-openid-provider-profile/pkce-s256-only")
def discovery_offers_s256_and_not_plain(oidc: RelyingParty) -> None:
    name = "code_challenge_methods_supported"
    evidence = [member(oidc.discovery(), name)]
    listed = values(oidc.metadata(), name)
    if listed is None:
        raise Warning(
            f'{name} is absent or malformed (RFC 8414 §2 reads an absent one as "no PKCE"); '
            "the flows show whether PKCE is required",
            evidence=evidence,
        )
    if "plain" in listed:
        raise Failure(f"{name} is {listed}: plain is offered; only S256 may be", evidence=evidence)
    if "S256" not in listed:
        raise Failure(f"{name} is {listed}: S256 is not offered", evidence=evidence)
    raise Passed(f"{name} is {listed}")


@requirement(STANDARD, "3-flow/no-implicit-hybrid")
def implicit_and_hybrid_requests_get_no_tokens(oidc: RelyingParty) -> None:
    client = oidc.client()
    seen = []
    for response_type in ("id_token", "code id_token"):
        request = oidc.new_request(client, response_type=response_type)
        outcome = oidc.authorize(request)
        leaked = [k for k in ("id_token", "access_token") if outcome.params.get(k)]
        if leaked:
            raise Failure(
                f"response_type={response_type!r}: the authorization endpoint returned "
                f"{' and '.join(leaked)} ({outcome.describe()}); the Implicit and Hybrid Flow "
                "MUST NOT be used",
                evidence=list(outcome.evidence[-3:]),
            )
        seen.append(f"{response_type!r}: {outcome.error or 'no token'}")
    raise Passed("no tokens from the authorization endpoint for " + "; ".join(seen))


@requirement(STANDARD, "5.5-dynamic-registration/redirect_uris")
def redirect_uri_one_character_off_is_refused(oidc: RelyingParty) -> None:
    client = oidc.client()
    altered = one_character_off(client.redirect_uri)
    request = oidc.new_request(client, redirect_uri=altered)
    try:
        outcome = oidc.authorize(request)
    except Inconclusive as exc:
        raise Inconclusive(
            f"the provider did not refuse redirect_uri {altered} at once: {exc.message}",
            evidence=exc.evidence,
        ) from None
    evidence = list(outcome.evidence[-3:])
    if outcome.delivered_to is None:
        raise Passed(
            f"redirect_uri {altered} (registered: {client.redirect_uri}) was refused with an "
            f"error page (HTTP {outcome.page.status if outcome.page else '?'})"
        )
    altered_target = urlunsplit(urlsplit(altered)._replace(query="", fragment=""))
    if outcome.delivered_to == altered_target:
        carried = "a code" if outcome.code else f"error={outcome.params.get('error')}"
        raise Failure(
            f"the provider redirected to {altered}, which is not registered (registered: "
            f"{client.redirect_uri}), with {carried}: one registered redirect_uri MUST exactly "
            "match the redirect_uri of each request",
            evidence=evidence,
        )
    if outcome.code:
        raise Warning(
            f"the provider ignored redirect_uri {altered} and sent a code to "
            f"{outcome.delivered_to}",
            evidence=evidence,
        )
    raise Passed(
        f"redirect_uri {altered} was refused: error={outcome.params.get('error')} was sent to "
        f"{outcome.delivered_to}, not to the unregistered URI"
    )
