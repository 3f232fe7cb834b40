"""cgconform as an OpenID Connect relying party: discovery, the provider's JWKS, authorization
requests with PKCE, token requests with real client authentication (``private_key_jwt``
assertions signed with joserfc, ``tls_client_auth`` with the [tls] certificate, or a client
secret) and JWS verification of ID tokens and access tokens against the JWKS.

Every request goes through the run's HTTP client (budget, evidence, redaction); secrets the
flows learn (codes, tokens, assertions) are registered with the redactor.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlencode

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey, RSAKey

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.http.redaction import Redactor
from cgconform.model.outcomes import Inconclusive
from cgconform.suites.identity.harness.oidc_settings import ClientSettings, OidcSettings

DISCOVERY_PATH = "/.well-known/openid-configuration"
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Asymmetric JWS algorithms a relying party can verify with the provider's public keys.
ASYMMETRIC = frozenset(
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519", "Ed448",
    }
)  # fmt: skip
_KEY_TYPES: dict[str, type[RSAKey] | type[ECKey] | type[OKPKey]] = {
    "RSA": RSAKey,
    "EC": ECKey,
    "OKP": OKPKey,
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    """The S256 code challenge of a code verifier (RFC 7636 §4.2)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def random_value(nbytes: int = 32) -> str:
    """An unguessable URL-safe value (state, nonce, code verifier): `nbytes` of randomness."""
    return b64url(secrets.token_bytes(nbytes))


# -- discovery and keys -------------------------------------------------------------------


@dataclass(frozen=True)
class Discovery:
    """The provider's discovery document as fetched (``metadata`` None: unreadable)."""

    url: str
    evidence: tuple[Mapping[str, Any], ...]
    metadata: Mapping[str, Any] | None
    problem: str | None = None

    def endpoint(self, name: str) -> str:
        """An endpoint URL from the metadata; Inconclusive when there is none."""
        value = (self.metadata or {}).get(name)
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise Inconclusive(
                f"the discovery document has no usable {name} ({value!r}): cannot go on",
                evidence=self.evidence,
            )
        return value


def discovery_url(issuer: str) -> str:
    """OpenID Connect Discovery §4: the issuer (without a trailing /) + the well-known path."""
    return issuer.rstrip("/") + DISCOVERY_PATH


def fetch_discovery(http: HttpClient, issuer: str) -> Discovery:
    url = discovery_url(issuer)
    # authenticated=False: the target's own credentials ([auth], for an API beside it) are not
    # the provider's business; discovery and keys are public information (5.4).
    exchange = http.get(url, headers={"Accept": "application/json"}, authenticated=False)
    evidence = (exchange.to_evidence(),)
    if exchange.status != 200:
        return Discovery(url, evidence, None, f"GET {url} answered HTTP {exchange.status}")
    try:
        data = exchange.json()
    except ValueError as exc:
        return Discovery(url, evidence, None, str(exc))
    if not isinstance(data, dict):
        return Discovery(url, evidence, None, f"{url}: the document is not a JSON object")
    return Discovery(url, evidence, data)


@dataclass(frozen=True)
class KeySet:
    """The provider's public keys (those joserfc can use), and what was wrong with others."""

    url: str
    evidence: tuple[Mapping[str, Any], ...]
    keys: tuple[RSAKey | ECKey | OKPKey, ...] = ()
    raw: tuple[Mapping[str, Any], ...] = ()
    problems: tuple[str, ...] = ()

    def candidates(self, header: Mapping[str, Any]) -> list[RSAKey | ECKey | OKPKey]:
        """The keys that may have made a signature with this JWS header (by kid, else all)."""
        kid = header.get("kid")
        if kid is not None:
            return [k for k, r in zip(self.keys, self.raw, strict=True) if r.get("kid") == kid]
        return list(self.keys)


def fetch_jwks(http: HttpClient, url: str) -> KeySet:
    exchange = http.get(
        url,
        headers={"Accept": "application/json, application/jwk-set+json"},
        authenticated=False,
    )
    evidence = (exchange.to_evidence(),)
    if exchange.status != 200:
        return KeySet(url, evidence, problems=(f"GET {url} answered HTTP {exchange.status}",))
    try:
        data = exchange.json()
    except ValueError as exc:
        return KeySet(url, evidence, problems=(str(exc),))
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        return KeySet(url, evidence, problems=(f"{url}: not a JWK Set (no keys array)",))
    keys: list[RSAKey | ECKey | OKPKey] = []
    raw: list[Mapping[str, Any]] = []
    problems: list[str] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            problems.append(f"keys[{i}] is not an object")
            continue
        kind = _KEY_TYPES.get(str(entry.get("kty")))
        if kind is None:
            problems.append(f"keys[{i}]: kty {entry.get('kty')!r} is not a public-key type")
            continue
        if any(p in entry for p in ("d", "p", "q", "dp", "dq", "qi")):
            problems.append(f"keys[{i}] (kid {entry.get('kid')!r}) holds PRIVATE key parameters")
        try:
            public = {k: v for k, v in entry.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
            keys.append(kind.import_key(public))
            raw.append(entry)
        except (JoseError, ValueError, TypeError) as exc:
            problems.append(f"keys[{i}] (kid {entry.get('kid')!r}) cannot be read: {exc}")
    return KeySet(url, evidence, tuple(keys), tuple(raw), tuple(problems))


# -- JWS --------------------------------------------------------------------------------


class JwtProblem(ValueError):
    """A token that is not a JWS cgconform can verify; the message says why."""


@dataclass(frozen=True)
class Jwt:
    header: Mapping[str, Any]
    claims: Mapping[str, Any]


def _segment(part: str, what: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, TypeError) as exc:
        raise JwtProblem(f"the {what} is not base64url-encoded JSON ({exc})") from None


def looks_like_jwt(token: str) -> bool:
    """Whether a token has the shape of a JWS or JWE compact serialization."""
    parts = token.split(".")
    if len(parts) not in (3, 5):
        return False
    try:
        header = _segment(parts[0], "header")
    except JwtProblem:
        return False
    return isinstance(header, dict) and "alg" in header


def decode_unverified(token: str) -> Jwt:
    """Header and claims of a compact JWS, without verifying anything (for evidence)."""
    parts = token.split(".")
    if len(parts) == 5:
        raise JwtProblem("it is a JWE (encrypted), not a JWS: cgconform has no key to decrypt it")
    if len(parts) != 3:
        raise JwtProblem(f"it is not a compact JWS ({len(parts)} parts, not 3)")
    header, claims = _segment(parts[0], "header"), _segment(parts[1], "payload")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise JwtProblem("its header or payload is not a JSON object")
    return Jwt(header, claims)


def verify_jws(token: str, keys: KeySet) -> Jwt:
    """Header and claims of a JWS whose signature verifies with one of the provider's keys.

    JwtProblem says what is wrong: unsigned (``alg`` none), symmetric (HS*: a relying party
    cannot tell the provider's signature from another client's), no key with its kid, or a
    signature that does not verify."""
    unverified = decode_unverified(token)
    alg = str(unverified.header.get("alg"))
    if alg == "none":
        raise JwtProblem('it is unsigned (alg "none")')
    if alg.startswith("HS"):
        raise JwtProblem(
            f"it is signed with {alg}, a shared secret, not the provider's private key"
        )
    if alg not in ASYMMETRIC:
        raise JwtProblem(f"its alg {alg!r} is not an asymmetric JWS algorithm cgconform knows")
    candidates = keys.candidates(unverified.header)
    if not candidates:
        kid = unverified.header.get("kid")
        raise JwtProblem(
            f"the JWKS at {keys.url} has no key with kid {kid!r}"
            if kid is not None
            else f"the JWKS at {keys.url} has no usable key"
        )
    for key in candidates:
        try:
            jws.deserialize_compact(token, key, algorithms=[alg])
        except (JoseError, ValueError, TypeError):
            continue
        return unverified
    raise JwtProblem(f"its {alg} signature does not verify with the JWKS at {keys.url}")


# -- authorization and token requests ------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationRequest:
    """One authentication request (NL GOV OIDC §4.2.1) and the secrets it keeps."""

    client: ClientSettings
    redirect_uri: str
    state: str
    nonce: str
    code_verifier: str | None
    params: Mapping[str, str]

    def url(self, endpoint: str) -> str:
        joiner = "&" if "?" in endpoint else "?"
        return endpoint + joiner + urlencode(list(self.params.items()))


def authorization_request(
    settings: OidcSettings,
    client: ClientSettings,
    *,
    pkce: str | None = "S256",
    redirect_uri: str | None = None,
    response_type: str = "code",
) -> AuthorizationRequest:
    """An authentication request: the code flow with `pkce` "S256", "plain" or None (no
    code_challenge at all); another `response_type` (implicit, hybrid) for negative tests."""
    verifier = random_value() if pkce else None
    state, nonce = random_value(), random_value()
    params: dict[str, str] = {
        "response_type": response_type,
        "client_id": client.client_id,
        "redirect_uri": redirect_uri or client.redirect_uri,
        "scope": " ".join(settings.scopes),
        "state": state,
        "nonce": nonce,
    }
    if settings.acr_values:
        params["acr_values"] = settings.acr_values
    if verifier is not None and pkce == "S256":
        params.update(code_challenge=s256(verifier), code_challenge_method="S256")
    elif verifier is not None:
        params.update(code_challenge=verifier, code_challenge_method="plain")
    params.update(settings.authorization_params)
    return AuthorizationRequest(
        client=client,
        redirect_uri=params["redirect_uri"],
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        params=params,
    )


@dataclass(frozen=True)
class TokenResponse:
    """What the token endpoint answered."""

    exchange: Exchange
    body: Mapping[str, Any] | None  # None: not a JSON object

    @property
    def status(self) -> int:
        return self.exchange.status

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body is not None and "error" not in self.body

    @property
    def error(self) -> str | None:
        value = (self.body or {}).get("error")
        return value if isinstance(value, str) else None

    def token(self, name: str) -> str | None:
        value = (self.body or {}).get(name)
        return value if isinstance(value, str) and value else None

    def describe(self) -> str:
        if self.body is None:
            return f"HTTP {self.status} without a JSON body"
        if self.error:
            detail = self.body.get("error_description")
            return f"HTTP {self.status} error={self.error}" + (f" ({detail})" if detail else "")
        return f"HTTP {self.status} with {', '.join(sorted(self.body)) or 'an empty object'}"

    def evidence(self) -> dict[str, Any]:
        return self.exchange.to_evidence()


@dataclass
class TokenClient:
    """Sends token requests as one registered client, authenticating as configured."""

    http: HttpClient
    client: ClientSettings
    token_endpoint: str
    redactor: Redactor
    assertion_algs: list[str] | None = None  # the provider's supported assertion algorithms
    _plain_http: HttpClient | None = field(default=None, repr=False)

    def redeem(
        self,
        code: str,
        *,
        code_verifier: str | None,
        redirect_uri: str,
        authenticate: bool = True,
    ) -> TokenResponse:
        """POST the authorization code grant (RFC 6749 §4.1.3); `authenticate` False sends
        the client_id only: no assertion, secret or client certificate."""
        form: list[tuple[str, str]] = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ]
        if code_verifier is not None:
            form.append(("code_verifier", code_verifier))
        headers = dict(FORM)
        http = self.http
        method = self.client.auth_method
        if not authenticate:
            form.append(("client_id", self.client.client_id))
            if method == "tls_client_auth":
                http = self._without_certificate()
        elif method == "private_key_jwt":
            assertion = self.client_assertion()
            form += [
                ("client_id", self.client.client_id),
                ("client_assertion_type", ASSERTION_TYPE),
                ("client_assertion", assertion),
            ]
        elif method == "tls_client_auth":
            form.append(("client_id", self.client.client_id))
        elif method == "client_secret_post":
            form += [("client_id", self.client.client_id), ("client_secret", self._secret())]
        else:  # client_secret_basic (RFC 6749 §2.3.1: form-encoded id and secret)
            pair = f"{_form_encode(self.client.client_id)}:{_form_encode(self._secret())}"
            basic = base64.b64encode(pair.encode("utf-8")).decode("ascii")
            self.redactor.add_secret(basic, "<client_secret_basic credentials>")
            headers["Authorization"] = f"Basic {basic}"
        exchange = http.post(
            self.token_endpoint, data=urlencode(form), headers=headers, authenticated=False
        )
        body: Mapping[str, Any] | None
        try:
            data = exchange.json()
            body = data if isinstance(data, dict) else None
        except ValueError:
            body = None
        for name in ("access_token", "id_token", "refresh_token"):
            value = (body or {}).get(name)
            if isinstance(value, str) and value:
                self.redactor.add_secret(value, f"<{name}>")
        return TokenResponse(exchange, body)

    def client_assertion(self) -> str:
        """A private_key_jwt assertion (OpenID Connect Core §9, RFC 7523 §3): iss = sub =
        client_id, aud = the token endpoint, one minute valid, a fresh jti."""
        key = self.client.key
        if key is None:  # settings guarantee a key for private_key_jwt
            raise ValueError(f"client {self.client.client_id} has no client_key")
        alg = key.pick_algorithm(self.assertion_algs)
        now = int(time.time())
        claims = {
            "iss": self.client.client_id,
            "sub": self.client.client_id,
            "aud": self.token_endpoint,
            "jti": random_value(16),
            "iat": now,
            "exp": now + 60,
        }
        assertion = jwt.encode(
            {"alg": alg, "kid": key.kid, "typ": "JWT"}, claims, key.key, algorithms=[alg]
        )
        self.redactor.add_secret(assertion, "<client_assertion>")
        return str(assertion)

    def _secret(self) -> str:
        if self.client.secret is None:
            raise ValueError(f"client {self.client.client_id} has no client_secret")
        value = self.client.secret.resolve()
        self.redactor.add_secret(value, self.client.secret.placeholder)
        return value

    def _without_certificate(self) -> HttpClient:
        if self._plain_http is None:
            self._plain_http = self.http.with_identity(None)
        return self._plain_http


def _form_encode(value: str) -> str:
    return quote_plus(value)
