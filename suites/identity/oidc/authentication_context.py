"""5.2.5 Authentication Context: the level of assurance as ``acr`` (at least the one asked
for), never ``amr``."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, NeedsReview, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_flows import RelyingParty
from cgconform.suites.identity.oidc._evidence import member, token, values

STANDARD = "NLGOV-OIDC"
SECTION = "5.2.5-authentication-context"
# eIDAS levels of assurance (eIDAS SAML attribute profile §3.2), lowest first.
EIDAS = (
    "http://eidas.europa.eu/LoA/low",
    "http://eidas.europa.eu/LoA/substantial",
    "http://eidas.europa.eu/LoA/high",
)


@requirement(STANDARD, f"{SECTION}/acr")
def acr_is_at_least_the_requested_level(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    evidence = [token("ID token", id_token.jwt), *id_token.flow.evidence]
    acr = id_token.claims.get("acr")
    requested = (oidc.settings.acr_values or "").split()
    if not isinstance(acr, str) or not acr:
        asked = f"acr_values {' '.join(requested)} was requested" if requested else "by agreement"
        raise Failure(
            f"the ID token has no acr ({asked}): OpenID Providers MUST provide a Level of "
            "Assurance as acr value",
            evidence=evidence,
        )
    if not requested:
        raise Passed(f"acr is {acr!r} (no acr_values requested: the level agreed beforehand)")
    if acr in requested:
        raise Passed(f"acr is {acr!r}, as requested")
    eidas_requested = [EIDAS.index(v) for v in requested if v in EIDAS]
    if acr in EIDAS and eidas_requested:
        if EIDAS.index(acr) >= min(eidas_requested):
            raise Passed(f"acr is {acr!r}, above the requested {' '.join(requested)}")
        raise Failure(
            f"acr is {acr!r}, lower than the requested {' '.join(requested)}: it MUST be at "
            "least the requested Level of Assurance",
            evidence=evidence,
        )
    raise NeedsReview(
        f"acr is {acr!r}, not one of the requested {' '.join(requested)}, and cgconform knows "
        "no order between these values (only eIDAS low < substantial < high): is it at least "
        "the requested level?",
        evidence=evidence,
    )


@requirement(STANDARD, f"{SECTION}/no-amr")
def id_token_has_no_amr(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    if "amr" in id_token.claims:
        raise Failure(
            f"the ID token carries amr {id_token.claims['amr']!r}: OpenID Providers MUST NOT "
            "provide Authentication Methods References, but acr instead",
            evidence=[token("ID token", id_token.jwt), *id_token.flow.evidence],
        )
    raise Passed("no amr in the ID token")


@requirement(STANDARD, f"{SECTION}/no-amr")
def discovery_does_not_offer_amr(oidc: RelyingParty) -> None:
    claims = values(oidc.metadata(), "claims_supported") or []
    if "amr" in claims:
        raise Warning(
            "claims_supported lists amr: the provider offers Authentication Methods "
            "References, which it MUST NOT provide",
            evidence=[member(oidc.discovery(), "claims_supported")],
        )
    raise Passed("claims_supported does not list amr")
