"""The ``[oauth]`` table of target.toml for ``nlgov-oauth-resource-server``: where the protected
resource is (``urls.resource``) and how cgconform gets the tokens it presents to it.

Two ways, one of them per target (docs/identity-notes.md, "OAuth resource server"):

- **cgconform mints the tokens** as a test issuer the resource server trusts: ``issuer`` and
  ``signing_key`` (the issuer's private key, by reference), optionally ``audience``, ``scope``
  and more. Every check can run: valid, expired, foreign-audience, foreign-key, unsigned and
  insufficient-scope tokens are all made here. With ``serve_metadata = "host:port"`` cgconform
  also serves the issuer's discovery document and JWKS there, for a resource server that
  fetches them.
- **one valid token by reference** (``token = "env:NAME"``): the checks that need only a valid
  token run (header, query string, form body, challenges); tokens derived from it without a
  key (unsigned, re-signed by a foreign key) too when it is a JWT; the rest is `not_tested`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from cgconform.model.target import ConfigError, SecretRef, Target, secret_ref

TABLE = "oauth"
RESOURCE_URL = "resource"
DEFAULT_CLIENT_ID = "cgconform"
DEFAULT_OTHER_SCOPE = "cgconform-no-access"
DEFAULT_LIFETIME_S = 300
RSA_ALGORITHMS = ("RS256", "PS256", "RS384", "PS384", "RS512", "PS512")
EC_ALGORITHMS = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
# Claims the mint sets itself; [oauth] claims may add others, never these.
OWN_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "jti", "scope"})
_KEYS = {
    "issuer",
    "signing_key",
    "key_id",
    "algorithm",
    "audience",
    "scope",
    "other_scope",
    "client_id",
    "lifetime",
    "claims",
    "serve_metadata",
    "token",
}
_ADDRESS = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(?P<port>\d{1,5})$")

SigningKey = RSAKey | ECKey


@dataclass(frozen=True)
class Minting:
    """What cgconform needs to mint tokens the resource server should accept."""

    issuer: str
    key: SigningKey
    key_id: str
    algorithm: str
    audience: str | tuple[str, ...] | None
    scope: str | None  # the scope that grants access to urls.resource (space-separated)
    other_scope: str  # a scope that does not
    client_id: str
    lifetime_s: int
    claims: Mapping[str, Any] = field(default_factory=dict)
    serve_metadata: tuple[str, int] | None = None  # where cgconform serves discovery and JWKS


@dataclass(frozen=True)
class RsSettings:
    resource: str
    minting: Minting | None = None
    token: SecretRef | None = None  # a valid token given by reference

    @property
    def mode(self) -> str:
        return "minted" if self.minting is not None else "fixed token"


def _where(key: str) -> str:
    return f"[{TABLE}] {key}"


def _string(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{_where(key)}: must be a non-empty string, got {value!r}")
    return value.strip() if isinstance(value, str) else None


def _ref(table: Mapping[str, Any], key: str, target: Target) -> SecretRef | None:
    value = table.get(key)
    return None if value is None else secret_ref(value, _where(key), target.base_dir)


def import_signing_key(text: str, where: str) -> SigningKey:
    """An RSA (2048 bits or more) or EC private key, from PEM or a JWK (JSON)."""
    data: Any = text.strip()
    if data.startswith("{"):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ConfigError(f"{where}: looks like a JWK but is not valid JSON: {exc}") from None
    for kind in (RSAKey, ECKey):
        try:
            key: SigningKey = kind.import_key(data)
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        if not key.is_private:
            raise ConfigError(f"{where}: a public key; the issuer's private key is needed to sign")
        if isinstance(key, RSAKey) and key.raw_value.key_size < 2048:
            bits = key.raw_value.key_size
            raise ConfigError(f"{where}: an RSA key of {bits} bits; use 2048 or more")
        return key
    raise ConfigError(
        f"{where}: not an unencrypted RSA or EC private key (PEM or JWK); make one with "
        "`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out issuer.key`"
    )


def default_algorithm(key: SigningKey) -> str:
    if isinstance(key, RSAKey):
        return "RS256"
    return EC_ALGORITHMS.get(str(key.curve_name), "ES256")


def _algorithm(value: str | None, key: SigningKey) -> str:
    if value is None:
        return default_algorithm(key)
    if isinstance(key, RSAKey):
        allowed: tuple[str, ...] = RSA_ALGORITHMS
    else:
        allowed = (default_algorithm(key),)
    if value not in allowed:
        raise ConfigError(
            f"{_where('algorithm')}: {value!r} does not fit the signing key; use one of "
            f"{', '.join(allowed)}"
        )
    return value


def _audience(value: Any) -> str | tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise ConfigError(f"{_where('audience')}: a string or a list of strings, got {value!r}")


def _scope(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        value = " ".join(value)
    if not isinstance(value, str) or not value.strip() or '"' in value or "\\" in value:
        raise ConfigError(
            f"{_where(key)}: scope values as one space-separated string or a list of "
            f"strings (RFC 6749 §3.3), got {value!r}"
        )
    return " ".join(value.split())


def _address(value: Any) -> tuple[str, int] | None:
    if value is None:
        return None
    m = _ADDRESS.match(value) if isinstance(value, str) else None
    if m is None or not 0 < int(m["port"]) < 65536:
        raise ConfigError(
            f"{_where('serve_metadata')}: where cgconform serves the issuer's discovery "
            f"document and JWKS, as host:port (e.g. 127.0.0.1:8099), got {value!r}"
        )
    return m["host"].strip("[]"), int(m["port"])


def _lifetime(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 30 <= value <= 3600:
        raise ConfigError(f"{_where('lifetime')}: whole seconds between 30 and 3600, got {value!r}")
    return value


def _claims(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"{_where('claims')}: a table of extra claims, e.g. {{ sub = '...' }}")
    own = sorted(OWN_CLAIMS & set(value))
    if own:
        raise ConfigError(
            f"{_where('claims')}: {', '.join(own)} are set by cgconform itself "
            "(use issuer, audience and scope)"
        )
    return dict(value)


def load_rs_settings(target: Target) -> RsSettings:
    """The validated [oauth] table and urls.resource; ConfigError says what to fix."""
    resource = target.urls.get(RESOURCE_URL)
    if resource is None or urlsplit(resource).scheme not in ("http", "https"):
        raise ConfigError(
            "the nlgov-oauth-resource-server profile needs the protected resource's URL: "
            '[urls] resource = "https://api.example.nl/v1/parkeervergunningen" (a URL that '
            "answers 200 to GET with a valid token)"
        )
    table = target.suite_settings.get(TABLE)
    if table is None:
        raise ConfigError(
            "the nlgov-oauth-resource-server profile needs an [oauth] table in target.toml: "
            'either a test issuer the resource server trusts (issuer = "...", signing_key = '
            '"file:keys/issuer.key") or one valid token (token = "env:NAME"); see '
            "docs/identity-notes.md"
        )
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"[{TABLE}]: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))})"
        )
    token = _ref(table, "token", target)
    signing_ref = _ref(table, "signing_key", target)
    serve = _address(table.get("serve_metadata"))
    issuer = _string(table, "issuer")
    if issuer is None and serve is not None:
        issuer = f"http://{serve[0]}:{serve[1]}"
    if token is not None and (signing_ref is not None or issuer is not None):
        raise ConfigError(
            f"[{TABLE}]: give either a test issuer (issuer, signing_key) or one token (token), "
            "not both"
        )
    if token is not None:
        return RsSettings(resource=resource, token=token)
    if signing_ref is None or issuer is None:
        missing = "signing_key" if signing_ref is None else "issuer"
        raise ConfigError(
            f"[{TABLE}] {missing}: missing; to let cgconform mint tokens give issuer and "
            'signing_key = "file:keys/issuer.key", or give one valid token as token = "env:NAME"'
        )
    key = import_signing_key(signing_ref.resolve(), _where("signing_key"))
    minting = Minting(
        issuer=issuer,
        key=key,
        key_id=_string(table, "key_id") or str(key.thumbprint()),
        algorithm=_algorithm(_string(table, "algorithm"), key),
        audience=_audience(table.get("audience")),
        scope=_scope(table.get("scope"), "scope"),
        other_scope=_scope(table.get("other_scope"), "other_scope") or DEFAULT_OTHER_SCOPE,
        client_id=_string(table, "client_id") or DEFAULT_CLIENT_ID,
        lifetime_s=_lifetime(table.get("lifetime", DEFAULT_LIFETIME_S)),
        claims=_claims(table.get("claims")),
        serve_metadata=serve,
    )
    if minting.scope is not None and set(minting.other_scope.split()) >= set(minting.scope.split()):
        raise ConfigError(
            f"{_where('other_scope')}: {minting.other_scope!r} holds every scope of "
            f"scope = {minting.scope!r}; it must lack one, to make a token with too little scope"
        )
    return RsSettings(resource=resource, minting=minting)
