"""Detached signatures over report.json: a JWS (RFC 7515) with the payload left out.

:func:`sign_report` signs the exact bytes of the file, as written: no canonicalisation, so
one changed byte (even whitespace) breaks the signature. The result is the JWS Compact
Serialization with an empty payload part (RFC 7515 appendix F), ``header..signature``,
meant to be stored next to the report (``report.json.jws``). :func:`verify_report` puts the
bytes back in and checks the signature against a certificate.

Algorithm, from the key: RSA (2048 bits or more) -> PS256 (RS256 on request, for verifiers
without RSASSA-PSS); EC P-256 -> ES256, P-384 -> ES384, P-521 -> ES512. Other keys are
refused. Verification accepts only the algorithms that fit the certificate's key, so the
``alg`` in a forged header cannot choose a weaker check.

The protected header carries ``x5c`` (the certificate, and any chain that came with it) and
``x5t#S256`` when a certificate is given. Verification then also checks that the report was
signed with *that* certificate. It does not judge whether the certificate is trusted
(chain, validity period, revocation): that is the reader's policy, not the signature's.

Errors: :class:`SignatureError` when a signature does not hold (edited bytes, another key,
malformed JWS); its subclass :class:`CredentialError` when the key or certificate itself
cannot be used (a configuration problem).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jws as jose_jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import ECKey, RSAKey

MIN_RSA_BITS = 2048
_EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_RSA_ALGORITHMS = ("PS256", "RS256")
# joserfc's defaults (512-byte header, 1024-byte signature) are too small for a header with a
# certificate chain and for RSA keys above 4096 bits.
_MAX_HEADER = 64 * 1024
_MAX_SIGNATURE = 4096
_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class SignatureError(Exception):
    """The report cannot be signed, or its signature does not hold; the message says why."""


class CredentialError(SignatureError):
    """The key or certificate itself cannot be used (unreadable, wrong password, unsupported
    or weak key, key and certificate do not belong together): a configuration error, as
    opposed to a signature that does not verify."""


@dataclass(frozen=True)
class VerifiedSignature:
    """What a valid signature says: its algorithm and the certificate's subject."""

    algorithm: str
    subject: str


def sign_report(
    report_bytes: bytes,
    key_pem: bytes,
    *,
    cert_pem: bytes | None = None,
    password: bytes | None = None,
    algorithm: str | None = None,
) -> str:
    """A detached JWS (``header..signature``) over ``report_bytes``.

    ``key_pem`` is a PEM private key (PKCS#8, PKCS#1 or SEC1; encrypted with ``password``).
    ``cert_pem`` (its certificate, optionally followed by the chain) goes into ``x5c``; it
    must belong to the key. ``algorithm`` overrides the choice from the key (only RS256 for
    an RSA key makes sense).
    """
    key = _private_key(key_pem, password)
    alg = _algorithm_for(key.public_key(), algorithm)
    header: dict[str, Any] = {"alg": alg}
    if cert_pem is not None:
        chain = _certificates(cert_pem, "certificate")
        if _cert_spki(chain[0]) != _spki(key.public_key()):
            raise CredentialError(
                f"the private key does not belong to the certificate "
                f"({chain[0].subject.rfc4514_string()})"
            )
        header["x5c"] = [base64.b64encode(_der(c)).decode("ascii") for c in chain]
        header["x5t#S256"] = _thumbprint(chain[0])
    try:
        signed = jose_jws.serialize_compact(
            header, report_bytes, _jose_key(key), algorithms=[alg], registry=_registry(alg)
        )
    except JoseError as exc:  # pragma: no cover - the key and algorithm were checked above
        raise SignatureError(f"cannot sign the report: {exc}") from None
    return jose_jws.detach_content(signed)


def verify_report(report_bytes: bytes, jws: str, cert_pem: bytes) -> VerifiedSignature:
    """Check that ``jws`` is a valid detached signature over ``report_bytes`` by the key
    of the (first) certificate in ``cert_pem``; raise :class:`SignatureError` if not."""
    cert = _certificates(cert_pem, "certificate")[0]
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise CredentialError(
            f"the certificate's key is a {type(public_key).__name__}; "
            "only RSA and EC P-256/384/521 keys can verify a report"
        )
    header = _detached_header(jws)
    alg = header["alg"]
    allowed = _allowed_algorithms(public_key)
    if alg not in allowed:
        raise SignatureError(
            f"the signature uses {alg!r}, which a {_describe(public_key)} cannot have made "
            f"(expected {' or '.join(allowed)}): it was made with another key"
        )
    _check_certificate_header(header, cert)
    try:
        jose_jws.deserialize_compact(
            jws.strip(),
            _jose_key(public_key),
            algorithms=[alg],
            registry=_registry(alg),
            payload=report_bytes,
        )
    except BadSignatureError:
        raise SignatureError(
            "the signature does not match: the report was changed after signing, or it "
            f"was signed with another key than that of {cert.subject.rfc4514_string()}"
        ) from None
    except JoseError as exc:
        raise SignatureError(f"the signature is malformed: {exc.description or exc}") from None
    return VerifiedSignature(algorithm=alg, subject=cert.subject.rfc4514_string())


# --- keys and certificates -----------------------------------------------------------------


def _private_key(key_pem: bytes, password: bytes | None) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(key_pem, password=password)
    except TypeError as exc:  # encrypted without a password, or a password for a plain key
        raise CredentialError(f"cannot read the private key: {exc}") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CredentialError(
            f"cannot read the private key (PEM expected, or a wrong password): {first}"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CredentialError(
            f"a {type(key).__name__} cannot sign a report: use an RSA or EC (P-256/384/521) key"
        )
    return key


def _certificates(pem: bytes, what: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise CredentialError(f"cannot read the {what} (PEM expected): {exc}") from None
    if not certs:  # pragma: no cover - load_pem_x509_certificates raises on no certificate
        raise CredentialError(f"no {what} in the PEM data")
    return certs


def _algorithm_for(public_key: PublicKey, requested: str | None) -> str:
    allowed = _allowed_algorithms(public_key)
    if requested is None:
        return allowed[0]
    if requested not in allowed:
        raise CredentialError(
            f"a {_describe(public_key)} cannot sign with {requested!r}: use {' or '.join(allowed)}"
        )
    return requested


def _allowed_algorithms(public_key: PublicKey) -> tuple[str, ...]:
    if isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise CredentialError(
                f"an RSA key of {public_key.key_size} bits is too weak: {MIN_RSA_BITS} or more"
            )
        return _RSA_ALGORITHMS
    alg = _EC_ALGORITHMS.get(public_key.curve.name)
    if alg is None:
        raise CredentialError(f"EC curve {public_key.curve.name} is not supported: use P-256")
    return (alg,)


def _describe(public_key: PublicKey) -> str:
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA key ({public_key.key_size} bits)"
    return f"EC key ({public_key.curve.name})"


def _jose_key(key: PrivateKey | PublicKey) -> RSAKey | ECKey:
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    else:
        pem = _spki(key, serialization.Encoding.PEM)
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return RSAKey.import_key(pem)
    return ECKey.import_key(pem)


def _spki(key: PublicKey, encoding: serialization.Encoding = serialization.Encoding.DER) -> bytes:
    return key.public_bytes(encoding, serialization.PublicFormat.SubjectPublicKeyInfo)


def _cert_spki(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _thumbprint(cert: x509.Certificate) -> str:
    return base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA256())).rstrip(b"=").decode()


def _registry(alg: str) -> jose_jws.JWSRegistry:
    registry = jose_jws.JWSRegistry(algorithms=[alg])
    registry.max_header_length = _MAX_HEADER
    registry.max_signature_length = _MAX_SIGNATURE
    return registry


# --- the JWS -------------------------------------------------------------------------------


def _detached_header(jws: str) -> dict[str, Any]:
    """The protected header of a detached compact JWS, with clear errors for anything else."""
    parts = jws.strip().split(".")
    if len(parts) != 3:
        raise SignatureError(
            f"the signature is malformed: a detached JWS has 3 parts separated by '.', "
            f"this has {len(parts)}"
        )
    if parts[1]:
        raise SignatureError(
            "the signature is malformed: its payload part is not empty; a detached JWS is "
            "'header..signature' (RFC 7515 appendix F)"
        )
    if not parts[2]:
        raise SignatureError("the signature is malformed: the signature part is empty")
    if not _B64URL.issuperset(parts[2]):
        raise SignatureError("the signature is malformed: the signature part is not base64url")
    try:
        header = json.loads(_b64url_decode(parts[0]))
    except (ValueError, UnicodeDecodeError):
        raise SignatureError(
            "the signature is malformed: its header is not base64url-encoded JSON"
        ) from None
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
        raise SignatureError("the signature is malformed: its header has no 'alg'")
    if header.get("b64") is False:
        raise SignatureError("the signature is malformed: unencoded payloads (b64) are not used")
    return header


def _check_certificate_header(header: dict[str, Any], cert: x509.Certificate) -> None:
    x5c = header.get("x5c")
    if x5c is None:
        return
    if not isinstance(x5c, list) or not x5c or not isinstance(x5c[0], str):
        raise SignatureError("the signature is malformed: 'x5c' is not a list of certificates")
    try:
        signer_der = base64.b64decode(x5c[0], validate=True)
    except (ValueError, binascii.Error):
        raise SignatureError("the signature is malformed: 'x5c' is not base64") from None
    if signer_der != _der(cert):
        try:
            signer = x509.load_der_x509_certificate(signer_der).subject.rfc4514_string()
        except ValueError:
            signer = "an unreadable certificate"
        raise SignatureError(
            f"the report was signed with the certificate of {signer}, not with the given "
            f"certificate of {cert.subject.rfc4514_string()}"
        )


def _b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
