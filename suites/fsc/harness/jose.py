"""JWS signatures on Contracts, certificate-bound access tokens and JSON Web Key Sets, as
FSC Core specifies them (JWS compact serialisation, ``x5t#S256`` header, RS/ES 256/384/512).
Built on joserfc and cryptography."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from cgconform.http.pki import spki_sha256
from cgconform.suites.fsc.harness.hashes import b64url

FSC_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
# Algorithms joserfc can sign with that FSC does not allow (for the negative scenarios).
UNSUPPORTED_ALGORITHM = "PS256"
_CURVE_ALG = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


class JoseProblem(ValueError):
    """Not a compact JWS, or a signature that does not verify; the message says which."""


def cert_thumbprint(cert_der: bytes) -> str:
    """``x5t#S256``: base64url(SHA-256(DER certificate)) (RFC 7515 §4.1.8)."""
    return b64url(hashlib.sha256(cert_der).digest())


def public_key_thumbprint(cert: x509.Certificate) -> str:
    """The Public Key thumbprint of Contracts: hex SHA-256 of the DER SubjectPublicKeyInfo."""
    return spki_sha256(cert)


def load_certificates(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def subject_serial_number(cert: x509.Certificate) -> str | None:
    values = cert.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else None


def subject_organization(cert: x509.Certificate) -> str | None:
    values = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    return str(values[0].value) if values else None


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class Signer:
    """A private key with the certificate chain that proves whose key it is."""

    key_pem: bytes
    chain: tuple[x509.Certificate, ...]  # leaf first

    @classmethod
    def from_files(cls, key: Path, chain: Path) -> Signer:
        return cls(key.read_bytes(), tuple(load_certificates(chain)))

    @property
    def certificate(self) -> x509.Certificate:
        return self.chain[0]

    @property
    def thumbprint(self) -> str:
        return cert_thumbprint(der(self.certificate))

    @property
    def default_algorithm(self) -> str:
        public = self.certificate.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            return _CURVE_ALG.get(public.curve.name, "ES256")
        return "RS256"

    def jwk_key(self) -> ECKey | RSAKey:
        public = self.certificate.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            return RSAKey.import_key(self.key_pem)
        return ECKey.import_key(self.key_pem)

    def sign(
        self,
        payload: Mapping[str, Any] | bytes,
        *,
        algorithm: str | None = None,
        header: Mapping[str, Any] | None = None,
    ) -> str:
        """A compact JWS over `payload` with ``alg`` and ``x5t#S256`` in the header."""
        alg = algorithm or self.default_algorithm
        protected = {"alg": alg, "x5t#S256": self.thumbprint, **(header or {})}
        body = payload if isinstance(payload, bytes) else json.dumps(dict(payload)).encode()
        return str(jws.serialize_compact(protected, body, self.jwk_key(), algorithms=[alg]))

    def jwk(self) -> dict[str, Any]:
        """The public JWK with ``x5c`` (chain without the root) and ``x5t#S256``."""
        key = self.jwk_key()
        data: dict[str, Any] = {
            k: v
            for k, v in key.as_dict(private=False).items()
            if k in ("kty", "crv", "x", "y", "n", "e")
        }
        data.update(
            {
                "use": "sig",
                "kid": self.thumbprint,
                "alg": self.default_algorithm,
                "x5c": [base64.b64encode(der(c)).decode("ascii") for c in self.chain],
                "x5t#S256": self.thumbprint,
            }
        )
        return data


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def split_compact(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(protected header, payload) of a compact JWS, without verifying it."""
    if not isinstance(token, str):
        raise JoseProblem(f"not a string but {type(token).__name__}")
    parts = token.split(".")
    if len(parts) != 3:
        raise JoseProblem(f"not a JWS compact serialisation ({len(parts)} parts, not 3)")
    try:
        header = json.loads(_b64decode(parts[0]))
        payload = json.loads(_b64decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JoseProblem(f"header or payload is not base64url JSON: {exc}") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise JoseProblem("header and payload must be JSON objects")
    return header, payload


def public_key_of(cert: x509.Certificate) -> ECKey | RSAKey:
    pem = cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if isinstance(cert.public_key(), rsa.RSAPublicKey):
        return RSAKey.import_key(pem)
    return ECKey.import_key(pem)


def verify_compact(token: str, cert: x509.Certificate) -> dict[str, Any]:
    """The payload, when `token` is a compact JWS with an FSC algorithm signed by the key of
    `cert` and naming that certificate in ``x5t#S256``; JoseProblem otherwise."""
    header, _ = split_compact(token)
    alg = header.get("alg")
    if alg not in FSC_ALGORITHMS:
        raise JoseProblem(f"alg {alg!r} is not one FSC allows ({', '.join(FSC_ALGORITHMS)})")
    expected = cert_thumbprint(der(cert))
    if header.get("x5t#S256") != expected:
        raise JoseProblem(
            f"x5t#S256 {header.get('x5t#S256')!r} does not name the certificate ({expected})"
        )
    try:
        result = jws.deserialize_compact(token, public_key_of(cert), algorithms=[str(alg)])
    except (JoseError, ValueError) as exc:
        raise JoseProblem(f"signature does not verify: {exc}") from None
    payload = json.loads(result.payload)
    if not isinstance(payload, dict):
        raise JoseProblem("payload is not a JSON object")
    return payload


def certificates_from_jwk(jwk: Mapping[str, Any]) -> list[x509.Certificate]:
    """The ``x5c`` chain of a JWK (leaf first); JoseProblem when absent or broken."""
    chain = jwk.get("x5c")
    if not isinstance(chain, list) or not chain:
        raise JoseProblem("the JWK has no x5c certificate chain")
    try:
        return [x509.load_der_x509_certificate(base64.b64decode(c)) for c in chain]
    except (ValueError, TypeError) as exc:
        raise JoseProblem(f"x5c is not base64 DER certificates: {exc}") from None


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str | None:
    """The ``x5t#S256`` of a JWK: its member (either spelling, N4) or computed from x5c."""
    for name in ("x5t#S256", "x5t#s256"):
        if isinstance(jwk.get(name), str):
            return str(jwk[name])
    try:
        return cert_thumbprint(der(certificates_from_jwk(jwk)[0]))
    except JoseProblem:
        return None
