"""7.2.1 Algorithms: RS256 required, PS256 recommended, nothing less secure than RS256."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_flows import RelyingParty
from cgconform.suites.identity.oidc._evidence import member, token, values

STANDARD = "NLGOV-OIDC"
ID_TOKEN_ALGS = "id_token_signing_alg_values_supported"
# The provider signs these with its own key: a shared secret (HS*) is no signature of it.
PROVIDER_SIGNED = (ID_TOKEN_ALGS, "userinfo_signing_alg_values_supported")
# Clients sign these: HS* there means client secrets, which 5.4.2 rules out already.
CLIENT_SIGNED = (
    "request_object_signing_alg_values_supported",
    "token_endpoint_auth_signing_alg_values_supported",
)


def _weak(alg: str) -> bool:
    return alg == "none" or alg.upper().startswith("HS")


@requirement(STANDARD, "7.2.1-algorithms/rs256")
def rs256_is_supported_for_id_tokens(oidc: RelyingParty) -> None:
    listed = values(oidc.metadata(), ID_TOKEN_ALGS)
    if listed is not None and "RS256" in listed:
        raise Passed(f"{ID_TOKEN_ALGS} is {listed}")
    raise Failure(
        f"{ID_TOKEN_ALGS} is {listed if listed is not None else 'absent or malformed'}: "
        "implementations MUST support RS256",
        evidence=[member(oidc.discovery(), ID_TOKEN_ALGS)],
    )


@requirement(STANDARD, "7.2.1-algorithms/ps256")
def ps256_is_supported_for_id_tokens(oidc: RelyingParty) -> None:
    listed = values(oidc.metadata(), ID_TOKEN_ALGS)
    if listed is not None and "PS256" in listed:
        raise Passed(f"{ID_TOKEN_ALGS} is {listed}")
    raise Failure(
        f"{ID_TOKEN_ALGS} is {listed if listed is not None else 'absent or malformed'}: "
        "implementations SHOULD support PS256 (RECOMMENDED over RS256)",
        evidence=[member(oidc.discovery(), ID_TOKEN_ALGS)],
    )


@requirement(STANDARD, "7.2.1-algorithms/no-weaker")
def discovery_offers_no_algorithm_weaker_than_rs256(oidc: RelyingParty) -> None:
    metadata = oidc.metadata()
    found = oidc.discovery()
    failures, warnings = [], []
    for name in (*PROVIDER_SIGNED, *CLIENT_SIGNED):
        weak = [a for a in values(metadata, name) or [] if _weak(a)]
        if not weak:
            continue
        entry = f"{name} offers {', '.join(weak)}"
        if name in PROVIDER_SIGNED or "none" in weak:
            failures.append(entry)
        else:
            warnings.append(entry)
    evidence = [member(found, n) for n in (*PROVIDER_SIGNED, *CLIENT_SIGNED) if n in metadata]
    if failures:
        raise Failure(
            "; ".join(failures + warnings) + ": implementations MUST NOT support algorithms "
            "less secure than RS256 (none is unsigned; HS* is a shared secret, not the "
            "provider's private key)",
            evidence=evidence,
        )
    if warnings:
        raise Warning(
            "; ".join(warnings) + " (signatures with client secrets, which this profile does "
            "not allow for client authentication)",
            evidence=evidence,
        )
    raise Passed("no none or HS* among the signing algorithms the discovery document offers")


@requirement(STANDARD, "7.2.1-algorithms/no-weaker")
def id_token_is_not_signed_with_a_weaker_algorithm(oidc: RelyingParty) -> None:
    id_token = oidc.id_token()
    alg = str(id_token.header.get("alg"))
    if _weak(alg):
        raise Failure(
            f"the ID token is signed with {alg}: implementations MUST NOT use algorithms less "
            "secure than RS256",
            evidence=[token("ID token", id_token.jwt), *id_token.flow.evidence],
        )
    raise Passed(f"the ID token is signed with {alg}")
