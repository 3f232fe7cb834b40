"""RFC 6750 §3 and §3.1: how a protected resource answers a request it does not serve: with a
``WWW-Authenticate`` challenge of scheme Bearer, no error code when the request carried no
credentials, 401 for an invalid token and 403 for too little scope."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.rs_challenge import bearer_challenge, challenges_of
from cgconform.suites.identity.harness.rs_judge import refusal
from cgconform.suites.identity.harness.rs_probes import FORM, QUERY, Probe, ResourceProbes

STD = "RFC6750"
SECTION_3 = "3-the-www-authenticate-response-header-field"
SECTION_31 = "3.1-error-codes"

# Tokens the resource must refuse as invalid (RFC 6750 §3.1 invalid_token).
INVALID = ("expired", "other_audience", "other_issuer", "other_key", "unsigned", "hmac_public_key")


def _available(
    resource: ResourceProbes, variants: tuple[str, ...]
) -> tuple[list[Probe], list[str]]:
    """The header probes of `variants` this target's configuration allows, and why the others
    were left out."""
    probes, skipped = [], []
    for variant in variants:
        try:
            probes.append(resource.with_token(variant))
        except NotTested as exc:
            skipped.append(exc.message)
    return probes, skipped


def _refusals(resource: ResourceProbes) -> list[Probe]:
    """Every probe the resource refused with a 4xx: the requests RFC 6750 §3 covers."""
    probes = [resource.no_token(), resource.probe("valid", QUERY), resource.probe("valid", FORM)]
    more, _ = _available(resource, (*INVALID, "insufficient_scope"))
    return [p for p in (*probes, *more) if 400 <= p.status < 500]


def _protected(resource: ResourceProbes) -> Probe:
    no_token = resource.no_token()
    if not 400 <= no_token.status < 500:
        raise Inconclusive(
            f"the resource answered a request without a token with {no_token.line}, not a "
            "refusal: point urls.resource at a resource that needs a token",
            evidence=[no_token.evidence()],
        )
    return no_token


@requirement(STD, f"{SECTION_3}/required")
def refusals_carry_www_authenticate(resource: ResourceProbes) -> None:
    _protected(resource)
    refused = _refusals(resource)
    missing = [p for p in refused if not p.exchange.headers.get("WWW-Authenticate")]
    if missing:
        raise Failure(
            f"{len(missing)} of {len(refused)} refusals have no WWW-Authenticate header: "
            + "; ".join(f"{p.sent()} → {p.status}" for p in missing)
            + '. RFC 6750 §3: "If the protected resource request does not include '
            "authentication credentials or does not contain an access token that enables access "
            "to the protected resource, the resource server MUST include the HTTP "
            '"WWW-Authenticate" response header field"',
            evidence=[p.evidence() for p in missing],
        )
    raise Passed(
        f"all {len(refused)} refusals carry WWW-Authenticate: "
        + "; ".join(f"{p.name} → {refusal(p)}" for p in refused),
        evidence=[p.evidence() for p in refused[:3]],
    )


@requirement(STD, f"{SECTION_3}/bearer-scheme")
def challenges_use_bearer_scheme(resource: ResourceProbes) -> None:
    no_token = _protected(resource)
    challenged = [p for p in _refusals(resource) if challenges_of(p.exchange)]
    if not challenged:
        raise Inconclusive(
            "no refusal carries a WWW-Authenticate challenge, so there is no scheme to judge "
            "(the missing header is judged under RFC 6750 §3 required)",
            evidence=[no_token.evidence()],
        )
    other = [p for p in challenged if bearer_challenge(p.exchange) is None]
    if other:
        raise Failure(
            "refusals challenge without the Bearer scheme: "
            + "; ".join(
                f"{p.sent()} → {p.status} WWW-Authenticate: "
                f"{p.exchange.headers.get('WWW-Authenticate', '')[:120]}"
                for p in other
            )
            + '. RFC 6750 §3: "All challenges defined by this specification MUST use the '
            'auth-scheme value "Bearer"."',
            evidence=[p.evidence() for p in other],
        )
    raise Passed(
        f"all {len(challenged)} challenges use scheme Bearer (without a token: "
        f"{no_token.exchange.headers.get('WWW-Authenticate', '')[:120]})",
        evidence=[no_token.evidence()],
    )


@requirement(STD, f"{SECTION_31}/no-error-without-credentials")
def no_error_code_without_credentials(resource: ResourceProbes) -> None:
    no_token = _protected(resource)
    challenge = bearer_challenge(no_token.exchange)
    if challenge is None:
        raise Passed(
            f"without a token: {refusal(no_token)}; no Bearer challenge, so no error code in "
            "one (a missing challenge is judged under RFC 6750 §3)",
            evidence=[no_token.evidence()],
        )
    given = {k: v for k, v in challenge.params.items() if k.startswith("error")}
    if given:
        raise Failure(
            f"a request without any token got a challenge with error information: "
            f"{no_token.line}, WWW-Authenticate: "
            f"{no_token.exchange.headers.get('WWW-Authenticate', '')[:200]}. RFC 6750 §3.1: "
            '"If the request lacks any authentication information ..., the resource server '
            'SHOULD NOT include an error code or other error information."',
            evidence=[no_token.evidence()],
        )
    raise Passed(
        f"without a token: {no_token.line} with WWW-Authenticate: "
        f"{no_token.exchange.headers.get('WWW-Authenticate', '')[:200]} (no error code)",
        evidence=[no_token.evidence()],
    )


@requirement(STD, f"{SECTION_31}/invalid-token")
def invalid_tokens_get_401(resource: ResourceProbes) -> None:
    probes, skipped = _available(resource, INVALID)
    if not probes:
        raise NotTested("no invalid token could be made: " + " ".join(dict.fromkeys(skipped)))
    refused = [p for p in probes if 400 <= p.status < 500]
    if not refused:
        raise Inconclusive(
            "the resource refused none of the invalid tokens with a 4xx (what it did is judged "
            "under NL GOV OAuth §3.2.1 and §4.3): "
            + "; ".join(f"{p.name} → {p.status}" for p in probes),
            evidence=[p.evidence() for p in probes[:3]],
        )
    wrong = [p for p in refused if p.status != 401]
    if wrong:
        raise Failure(
            "invalid tokens refused with another status than 401: "
            + "; ".join(f"{p.name} → {refusal(p)}" for p in wrong)
            + '. RFC 6750 §3.1: "invalid_token: The access token provided is expired, revoked, '
            "malformed, or invalid for other reasons. The resource SHOULD respond with the HTTP "
            '401 (Unauthorized) status code."',
            evidence=[p.evidence() for p in wrong],
        )
    codes = {
        p.name: c.error
        for p in refused
        if (c := bearer_challenge(p.exchange)) is not None
        and c.error not in (None, "invalid_token")
    }
    note = (
        " (error codes other than invalid_token: "
        + "; ".join(f"{name}: {code}" for name, code in codes.items())
        + ")"
        if codes
        else ""
    )
    left_out = f"; not sent: {' '.join(dict.fromkeys(skipped))}" if skipped else ""
    raise Passed(
        f"{len(refused)} invalid tokens refused with 401: "
        + "; ".join(f"{p.name} → {refusal(p)}" for p in refused)
        + note
        + left_out,
        evidence=[p.evidence() for p in refused[:3]],
    )


@requirement(STD, f"{SECTION_31}/insufficient-scope")
def insufficient_scope_gets_403(resource: ResourceProbes) -> None:
    probe = resource.with_token("insufficient_scope")
    if probe.accepted or not 400 <= probe.status < 500:
        raise Inconclusive(
            f"the resource did not refuse {probe.sent()} with a 4xx ({probe.line}); how it "
            "should have refused cannot be judged (the refusal itself is NL GOV OAuth §4.3)",
            evidence=[probe.evidence()],
        )
    if probe.status != 403:
        raise Failure(
            f"{probe.sent()} was refused with {refusal(probe)}, not 403. RFC 6750 §3.1: "
            '"insufficient_scope: The request requires higher privileges than provided by the '
            "access token. The resource server SHOULD respond with the HTTP 403 (Forbidden) "
            'status code"',
            evidence=[probe.evidence()],
        )
    challenge = bearer_challenge(probe.exchange)
    if challenge is None or challenge.error != "insufficient_scope":
        raise Passed(
            f"{probe.sent()} was refused with {refusal(probe)}; the challenge does not name "
            "error insufficient_scope, which RFC 6750 §3.1 describes without a keyword",
            evidence=[probe.evidence()],
        )
    raise Passed(
        f"{probe.sent()} was refused with {refusal(probe)}",
        evidence=[probe.evidence()],
    )
