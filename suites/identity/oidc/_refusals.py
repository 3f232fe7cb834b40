"""How the negative flows are judged: a request the profile forbids must be refused, and with
the OAuth error its RFC names. Tokens issued fail; a refusal with another error (or a server
error) is a warning: the provider does refuse, but a client cannot tell why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.suites.identity.harness.oidc_client import AuthorizationRequest, TokenResponse
from cgconform.suites.identity.harness.oidc_flows import RelyingParty
from cgconform.suites.identity.harness.oidc_login import AuthorizationOutcome

Evidence = Mapping[str, Any]


def token_refusal(
    response: TokenResponse,
    *,
    what: str,
    expected: str,
    source: str,
    evidence: Sequence[Evidence] = (),
) -> NoReturn:
    """Judge the token endpoint's answer to a request it must refuse with `expected`."""
    shown = [*evidence, response.evidence()]
    if response.ok:
        raise Failure(
            f"{what}: the token endpoint issued tokens ({response.describe()}); it must refuse "
            f"with error={expected} ({source})",
            evidence=shown,
        )
    if 400 <= response.status < 500 and response.error == expected:
        raise Passed(f"{what}: refused with {response.describe()}")
    if 400 <= response.status < 500:
        raise Warning(
            f"{what}: refused, but with {response.describe()}, not error={expected} ({source})",
            evidence=shown,
        )
    raise Warning(
        f"{what}: no tokens, but {response.describe()} instead of an HTTP 400 error={expected} "
        f"({source})",
        evidence=shown,
    )


def authorization_refusal(
    oidc: RelyingParty,
    request: AuthorizationRequest,
    outcome: AuthorizationOutcome,
    *,
    what: str,
    expected: str,
    source: str,
    verifier: str | None,
) -> NoReturn:
    """Judge how the provider answered an authentication request it must refuse.

    Refused at the authorization endpoint (an error redirect or an error page): pass, or a
    warning with another error. A code issued anyway is redeemed (with `verifier`): tokens
    fail; a refusal only then is a warning (enforced, but later than the RFC says)."""
    evidence = list(outcome.evidence[-3:])
    if outcome.delivered_to is None:
        assert outcome.page is not None
        error = outcome.error
        if error in (None, expected):
            named = f"error {error}" if error else "no OAuth error code named on it"
            raise Passed(
                f"{what}: refused with an error page (HTTP {outcome.page.status}, {named})"
            )
        raise Warning(
            f"{what}: refused with an error page naming {error}, not {expected} ({source})",
            evidence=evidence,
        )
    error = outcome.params.get("error")
    if error == expected:
        raise Passed(f"{what}: refused with error={error} at the authorization endpoint")
    if error:
        raise Warning(
            f"{what}: refused with error={error}, not {expected} ({source})", evidence=evidence
        )
    code = outcome.code
    if not code:
        raise Inconclusive(
            f"{what}: the provider redirected without a code or an error: {outcome.describe()}",
            evidence=evidence,
        )
    response = oidc.token_client(request.client).redeem(
        code, code_verifier=verifier, redirect_uri=request.redirect_uri
    )
    if response.ok:
        raise Failure(
            f"{what}: the provider issued a code (it must refuse with error={expected} at the "
            f"authorization endpoint, {source}) and the token endpoint then issued tokens for "
            f"it ({response.describe()})",
            evidence=[*evidence, response.evidence()],
        )
    raise Warning(
        f"{what}: the authorization endpoint issued a code instead of error={expected} "
        f"({source}); the token endpoint then refused it ({response.describe()})",
        evidence=[*evidence, response.evidence()],
    )
