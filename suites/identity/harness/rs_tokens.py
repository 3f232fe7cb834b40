"""The access tokens cgconform presents to a resource server: one it should accept, and the
variants it must refuse (expired, for another audience, from another issuer, signed by another
key, unsigned, HMAC-signed with the issuer's public key, with too little scope).

Tokens are JWTs as NL GOV OAuth §3.2.1 (JWT Bearer Tokens) describes them: ``iss``, ``azp``,
``exp``, ``jti`` (128 random bits), with ``iat``, ``nbf``, ``aud``, ``sub``, ``client_id`` and
``scope`` (RFC 9068), signed with JWS and a ``kid`` header. Built on joserfc; the two tokens
joserfc rightly refuses to make (``alg: none`` and HMAC keyed with a public key) are put
together by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OctKey, RSAKey

from cgconform.suites.identity.harness.rs_settings import Minting, SigningKey

EXPIRED_BY_S = 600  # well past any clock-skew leeway a resource server allows
FOREIGN_AUDIENCE = "https://another-resource.cgconform.invalid"
FOREIGN_ISSUER = "https://untrusted-issuer.cgconform.invalid"

# The variants, by name: what each is, in a sentence of a finding.
VARIANTS: dict[str, str] = {
    "valid": "a valid token",
    "expired": f"a token that expired {EXPIRED_BY_S // 60} minutes ago",
    "other_audience": f"a token for another audience (aud {FOREIGN_AUDIENCE})",
    "other_issuer": f"a token from another issuer (iss {FOREIGN_ISSUER}), signed with the "
    "trusted key",
    "other_key": "a token signed by another key (same kid and alg, a key the issuer never had)",
    "unsigned": "an unsigned token (alg none, no signature)",
    "hmac_public_key": "a token signed with HS256 keyed with the issuer's public key (PEM)",
    "insufficient_scope": "a token without the scope the resource needs",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _segment(data: Mapping[str, Any]) -> str:
    return b64url(json.dumps(data, separators=(",", ":")).encode("utf-8"))


@dataclass(frozen=True)
class Token:
    """A token as sent: its value and, for a JWT, what its header and claims said."""

    variant: str
    value: str
    header: Mapping[str, Any] = field(default_factory=dict)
    claims: Mapping[str, Any] = field(default_factory=dict)

    @property
    def what(self) -> str:
        return VARIANTS.get(self.variant, self.variant)

    @property
    def placeholder(self) -> str:
        """How the token is shown in evidence and reproducers (never its value)."""
        return f"<cgconform test token: {self.variant}>"

    def describe(self, now: float | None = None) -> str:
        """`alg RS256; iss "...", aud "...", scope "a b", exp in 300 s`"""
        if not self.header:
            return "an opaque token"
        parts = [
            f"{name} {json.dumps(self.claims[name])}"
            for name in ("iss", "aud", "scope")
            if name in self.claims
        ]
        exp = self.claims.get("exp")
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            delta = int(exp - (time.time() if now is None else now))
            parts.append(f"exp in {delta} s" if delta >= 0 else f"exp {-delta} s ago")
        head = f"alg {self.header.get('alg')}"
        return f"{head}; " + ", ".join(parts) if parts else head


def read_jwt(value: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Header and claims of a compact JWS, unverified; None when `value` is not one."""
    parts = value.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict) or "alg" not in header:
        return None
    return header, claims


def unsigned(variant: str, header: Mapping[str, Any], claims: Mapping[str, Any]) -> Token:
    """``alg: none`` with an empty signature (RFC 7519 §6.1)."""
    bare = {k: v for k, v in header.items() if k != "kid"} | {"alg": "none"}
    return Token(variant, f"{_segment(bare)}.{_segment(claims)}.", bare, dict(claims))


def hmac_with_public_key(
    variant: str, header: Mapping[str, Any], claims: Mapping[str, Any], public_pem: bytes
) -> Token:
    """HS256 keyed with the PEM text of the issuer's public key: the algorithm-confusion
    attack (RFC 8725 §2.1) a resource server that lets the token choose the algorithm falls for."""
    head = dict(header) | {"alg": "HS256"}
    signing_input = f"{_segment(head)}.{_segment(claims)}"
    mac = hmac.new(public_pem, signing_input.encode("ascii"), hashlib.sha256).digest()
    return Token(variant, f"{signing_input}.{b64url(mac)}", head, dict(claims))


def fresh_key_like(alg: str) -> RSAKey | ECKey | OctKey | None:
    """A new key that can sign with `alg` (None for an algorithm this harness cannot use)."""
    if alg.startswith(("RS", "PS")):
        return RSAKey.generate_key(2048, private=True)
    curves = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
    if alg in curves:
        return ECKey.generate_key(curves[alg], private=True)
    if alg.startswith("HS"):
        return OctKey.generate_key(256, private=True)
    return None


def signed(variant: str, header: Mapping[str, Any], claims: Mapping[str, Any], key: Any) -> Token:
    value = jwt.encode(dict(header), dict(claims), key, algorithms=[str(header["alg"])])
    return Token(variant, value, dict(header), dict(claims))


def resigned_by_another_key(variant: str, value: str) -> Token | None:
    """The same header and claims as `value` (a JWT), signed by a key nobody trusts."""
    read = read_jwt(value)
    if read is None:
        return None
    header, claims = read
    key = fresh_key_like(str(header.get("alg")))
    if key is None:
        return None
    try:
        return signed(variant, header, claims, key)
    except JoseError:
        return None


class TokenMint:
    """Makes the tokens of one run with the test issuer's key (see :class:`Minting`)."""

    def __init__(self, minting: Minting, clock: Callable[[], float] = time.time) -> None:
        self.minting = minting
        self.clock = clock

    @property
    def key(self) -> SigningKey:
        return self.minting.key

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = dict(self.key.as_dict(private=False))
        jwk.update({"kid": self.minting.key_id, "use": "sig", "alg": self.minting.algorithm})
        return jwk

    def public_pem(self) -> bytes:
        pem: bytes = self.key.as_pem(private=False)
        return pem

    def header(self) -> dict[str, Any]:
        return {"typ": "at+jwt", "alg": self.minting.algorithm, "kid": self.minting.key_id}

    def claims(self, **changes: Any) -> dict[str, Any]:
        """The claims of a valid token; `changes` replace claims (None removes one)."""
        m = self.minting
        now = int(self.clock())
        claims: dict[str, Any] = {
            **m.claims,
            "iss": m.issuer,
            "azp": m.claims.get("azp", m.client_id),
            "client_id": m.claims.get("client_id", m.client_id),
            "sub": m.claims.get("sub", m.client_id),
            "iat": now,
            "nbf": now - 5,
            "exp": now + m.lifetime_s,
            "jti": secrets.token_urlsafe(16),
        }
        if m.audience is not None:
            claims["aud"] = list(m.audience) if isinstance(m.audience, tuple) else m.audience
        if m.scope is not None:
            claims["scope"] = m.scope
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def make(self, variant: str) -> Token:
        """One token of `variant` (a key of :data:`VARIANTS`)."""
        header = self.header()
        now = int(self.clock())
        if variant == "valid":
            return signed(variant, header, self.claims(), self.key)
        if variant == "expired":
            claims = self.claims(
                iat=now - EXPIRED_BY_S - self.minting.lifetime_s,
                nbf=now - EXPIRED_BY_S - self.minting.lifetime_s,
                exp=now - EXPIRED_BY_S,
            )
            return signed(variant, header, claims, self.key)
        if variant == "other_audience":
            return signed(variant, header, self.claims(aud=FOREIGN_AUDIENCE), self.key)
        if variant == "other_issuer":
            return signed(variant, header, self.claims(iss=FOREIGN_ISSUER), self.key)
        if variant == "other_key":
            other = fresh_key_like(self.minting.algorithm)
            return signed(variant, header, self.claims(), other)
        if variant == "unsigned":
            return unsigned(variant, header, self.claims())
        if variant == "hmac_public_key":
            return hmac_with_public_key(variant, header, self.claims(), self.public_pem())
        if variant == "insufficient_scope":
            return signed(variant, header, self.claims(scope=self.minting.other_scope), self.key)
        raise ValueError(f"unknown token variant {variant!r} (known: {', '.join(VARIANTS)})")
