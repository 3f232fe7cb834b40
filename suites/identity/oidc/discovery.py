"""5.4 Discovery: the discovery document (5.4.1, 5.4.2) and the provider's public keys (5.4.4)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.oidc_flows import RelyingParty
from cgconform.suites.identity.oidc._evidence import member, values

STANDARD = "NLGOV-OIDC"
REQUIRED_URLS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
REQUIRED_ARRAYS = (
    "scopes_supported",
    "response_types_supported",
    "grant_types_supported",
    "claims_supported",
    "subject_types_supported",
    "token_endpoint_auth_methods_supported",
    "id_token_signing_alg_values_supported",
    "userinfo_signing_alg_values_supported",
    "request_object_signing_alg_values_supported",
)
ALLOWED_AUTH_METHODS = ("private_key_jwt", "tls_client_auth")
FORBIDDEN_GRANTS = ("implicit", "password")


@requirement(STANDARD, "5.4.1-discovery-endpoint/openid-configuration")
def discovery_document_is_served_at_the_well_known_path(oidc: RelyingParty) -> None:
    found = oidc.discovery()
    if found.metadata is None:
        raise Failure(
            f"no discovery document at {found.url}: {found.problem}", evidence=found.evidence
        )
    raise Passed(f"GET {found.url}: a JSON object with {len(found.metadata)} members")


@requirement(STANDARD, "5.4.2-discovery-document/issuer")
def discovery_issuer_is_the_provider_url(oidc: RelyingParty) -> None:
    metadata = oidc.metadata()
    found = oidc.discovery()
    expected = oidc.settings.issuer
    issuer = metadata.get("issuer")
    if issuer == expected:
        raise Passed(f"issuer is {issuer!r}, the URL the document was fetched for")
    if isinstance(issuer, str) and issuer.rstrip("/") == expected.rstrip("/"):
        raise Passed(
            f"issuer is {issuer!r}; target.toml names {expected!r} (URLs there are kept "
            "without a trailing slash): the ID tokens' iss is compared with the document's "
            "issuer exactly"
        )
    raise Failure(
        f"issuer is {issuer!r}, not {expected!r}, the URL the document was fetched for "
        "(RFC 8414 §3.3: they must be identical; a relying party must reject the document)",
        evidence=[member(found, "issuer"), *found.evidence],
    )


@requirement(STANDARD, "5.4.2-discovery-document/required-metadata")
def discovery_has_every_required_member(oidc: RelyingParty) -> None:
    metadata = oidc.metadata()
    found = oidc.discovery()
    problems = []
    for name in ("issuer", *REQUIRED_URLS):
        value = metadata.get(name)
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            problems.append(
                f"{name} {'is absent' if value is None else f'is not a URL: {value!r}'}"
            )
    for name in REQUIRED_ARRAYS:
        if name not in metadata:
            problems.append(f"{name} is absent")
        elif values(metadata, name) is None:
            problems.append(f"{name} is not a JSON array of strings")
    if problems:
        shown = [member(found, p.split(" ", 1)[0]) for p in problems]
        raise Failure(
            "the discovery document lacks what 5.4.2 makes REQUIRED: " + "; ".join(problems),
            evidence=shown,
        )
    raise Passed(f"all {1 + len(REQUIRED_URLS) + len(REQUIRED_ARRAYS)} REQUIRED members present")


@requirement(STANDARD, "5.4.2-discovery-document/response_types_supported")
def response_types_supported_is_code_only(oidc: RelyingParty) -> None:
    found = oidc.discovery()
    listed = values(oidc.metadata(), "response_types_supported")
    if listed == ["code"]:
        raise Passed('response_types_supported is ["code"]')
    if listed is None:
        raise Failure(
            "response_types_supported is absent or not an array of strings; the profile says "
            "its value MUST be ['code']",
            evidence=[member(found, "response_types_supported")],
        )
    others = [v for v in listed if v != "code"]
    detail = (
        f"it also offers {', '.join(repr(v) for v in others)} (Implicit or Hybrid Flow, which "
        "section 3 forbids)"
        if others
        else "'code' is not listed"
    )
    raise Failure(
        f"response_types_supported is {listed}, not ['code']: {detail}",
        evidence=[member(found, "response_types_supported")],
    )


@requirement(STANDARD, "5.4.2-discovery-document/grant_types_supported")
def grant_types_supported_is_authorization_code(oidc: RelyingParty) -> None:
    found = oidc.discovery()
    evidence = [member(found, "grant_types_supported")]
    listed = values(oidc.metadata(), "grant_types_supported")
    if listed is None:
        raise Failure(
            "grant_types_supported is absent or not an array of strings (when omitted, RFC 8414 "
            "§2 reads it as [authorization_code, implicit]); the profile says "
            "['authorization_code']",
            evidence=evidence,
        )
    if "authorization_code" not in listed:
        raise Failure(f"grant_types_supported {listed} lacks authorization_code", evidence=evidence)
    forbidden = [g for g in listed if g in FORBIDDEN_GRANTS]
    if forbidden:
        raise Failure(
            f"grant_types_supported {listed} offers {', '.join(forbidden)}; the profile says the "
            "value MUST be ['authorization_code'] (and section 3 forbids the Implicit Flow)",
            evidence=evidence,
        )
    extra = [g for g in listed if g != "authorization_code"]
    if extra:
        raise Warning(
            f"grant_types_supported {listed} also lists {', '.join(extra)}; the text says "
            "['authorization_code'] (refresh tokens (5.2.8) and OAuth NL's client credentials "
            "may explain them: a warning, not a fail)",
            evidence=evidence,
        )
    raise Passed('grant_types_supported is ["authorization_code"]')


@requirement(STANDARD, "5.4.2-discovery-document/subject_types_supported")
def subject_types_supported_has_pairwise(oidc: RelyingParty) -> None:
    found = oidc.discovery()
    listed = values(oidc.metadata(), "subject_types_supported")
    if listed is not None and "pairwise" in listed:
        raise Passed(f"subject_types_supported is {listed}")
    raise Failure(
        f"subject_types_supported is {listed if listed is not None else 'absent or malformed'}: "
        "it must list pairwise (5.2.3: OpenID Providers MUST support pairwise identifiers)",
        evidence=[member(found, "subject_types_supported")],
    )


@requirement(STANDARD, "5.4.2-discovery-document/token_endpoint_auth_methods_supported")
def token_endpoint_auth_methods_are_private_key_jwt_or_tls(oidc: RelyingParty) -> None:
    found = oidc.discovery()
    evidence = [member(found, "token_endpoint_auth_methods_supported")]
    listed = values(oidc.metadata(), "token_endpoint_auth_methods_supported")
    if listed is None:
        raise Failure(
            "token_endpoint_auth_methods_supported is absent or malformed (when omitted, the "
            "default is client_secret_basic, which the profile does not allow)",
            evidence=evidence,
        )
    others = [m for m in listed if m not in ALLOWED_AUTH_METHODS]
    if others or not listed:
        raise Failure(
            f"token_endpoint_auth_methods_supported is {listed}: "
            + (f"{', '.join(others)} not allowed" if others else "empty")
            + "; the allowed values are private_key_jwt, tls_client_auth, or both",
            evidence=evidence,
        )
    raise Passed(f"token_endpoint_auth_methods_supported is {listed}")


@requirement(STANDARD, "5.4.4-public-keys/jwk-set")
def public_keys_are_a_jwk_set(oidc: RelyingParty) -> None:
    keys = oidc.keys()
    if keys.problems:
        raise Failure(
            f"the JWK Set at {keys.url}: " + "; ".join(keys.problems), evidence=keys.evidence
        )
    if not keys.keys:
        raise Failure(f"the JWK Set at {keys.url} has no keys", evidence=keys.evidence)
    kinds = ", ".join(f"{r.get('kty')} {r.get('kid', '(no kid)')}" for r in keys.raw)
    raise Passed(f"{keys.url}: {len(keys.keys)} public key(s): {kinds}")
