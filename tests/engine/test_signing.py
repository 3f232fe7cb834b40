"""Detached JWS signatures over report.json: sign, verify, and every way verification fails."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cgtest.reportdata import make_report, make_result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from cgconform.report.signing import (
    CredentialError,
    SignatureError,
    sign_report,
    verify_report,
)

KeyFactory = Callable[[], Any]
KEYS: dict[str, KeyFactory] = {
    "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "p256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "p384": lambda: ec.generate_private_key(ec.SECP384R1()),
}
EXPECTED_ALG = {"rsa": "PS256", "p256": "ES256", "p384": "ES384"}


def _key_pem(key: Any, password: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    return pem


def _cert_pem(key: Any, name: str = "cgconform test signer") -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _signer(kind: str = "p256", name: str = "cgconform test signer") -> tuple[bytes, bytes]:
    key = KEYS[kind]()
    return _key_pem(key), _cert_pem(key, name)


def _header(signature: str) -> dict[str, Any]:
    part = signature.split(".")[0]
    loaded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return loaded


@pytest.fixture(scope="module")
def report_bytes() -> bytes:
    report = make_report([make_result("/core/version-header", "fail"), make_result("/core/x")])
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()


@pytest.mark.parametrize("kind", sorted(KEYS))
def test_sign_then_verify(kind: str, report_bytes: bytes) -> None:
    key_pem, cert_pem = _signer(kind)
    signature = sign_report(report_bytes, key_pem, cert_pem=cert_pem)
    header_part, payload_part, signature_part = signature.split(".")
    assert payload_part == ""  # detached (RFC 7515 appendix F)
    assert header_part and signature_part
    header = _header(signature)
    assert header["alg"] == EXPECTED_ALG[kind]
    cert = x509.load_pem_x509_certificate(cert_pem)
    assert base64.b64decode(header["x5c"][0]) == cert.public_bytes(serialization.Encoding.DER)
    verified = verify_report(report_bytes, signature, cert_pem)
    assert verified.algorithm == EXPECTED_ALG[kind]
    assert verified.subject == "CN=cgconform test signer"


def test_without_certificate_there_is_no_x5c_and_verify_still_works(report_bytes: bytes) -> None:
    key_pem, cert_pem = _signer()
    signature = sign_report(report_bytes, key_pem)
    assert "x5c" not in _header(signature)
    verify_report(report_bytes, signature, cert_pem)


def test_rs256_on_request_and_encrypted_key(report_bytes: bytes) -> None:
    key = KEYS["rsa"]()
    signature = sign_report(
        report_bytes, _key_pem(key, b"geheim"), password=b"geheim", algorithm="RS256"
    )
    assert _header(signature)["alg"] == "RS256"
    verify_report(report_bytes, signature, _cert_pem(key))


@pytest.mark.parametrize("position", [0, 100, -2])
def test_one_flipped_byte_fails(report_bytes: bytes, position: int) -> None:
    key_pem, cert_pem = _signer()
    signature = sign_report(report_bytes, key_pem, cert_pem=cert_pem)
    edited = bytearray(report_bytes)
    edited[position] ^= 0x01
    with pytest.raises(SignatureError, match="changed after signing"):
        verify_report(bytes(edited), signature, cert_pem)


def test_added_whitespace_fails(report_bytes: bytes) -> None:
    key_pem, cert_pem = _signer("rsa")
    signature = sign_report(report_bytes, key_pem, cert_pem=cert_pem)
    with pytest.raises(SignatureError, match="does not match"):
        verify_report(report_bytes + b"\n", signature, cert_pem)


def test_wrong_certificate_fails_and_names_both(report_bytes: bytes) -> None:
    key_pem, cert_pem = _signer(name="signer")
    _, other_cert = _signer(name="somebody else")
    signature = sign_report(report_bytes, key_pem, cert_pem=cert_pem)
    with pytest.raises(SignatureError, match=r"CN=signer, not with the given.*CN=somebody else"):
        verify_report(report_bytes, signature, other_cert)


def test_wrong_certificate_without_x5c_fails(report_bytes: bytes) -> None:
    key_pem, _ = _signer()
    _, other_cert = _signer(name="somebody else")
    signature = sign_report(report_bytes, key_pem)
    with pytest.raises(SignatureError, match="another key"):
        verify_report(report_bytes, signature, other_cert)


def test_certificate_of_another_key_type_fails(report_bytes: bytes) -> None:
    key_pem, _ = _signer("p256")
    _, rsa_cert = _signer("rsa")
    signature = sign_report(report_bytes, key_pem)
    with pytest.raises(SignatureError, match=r"'ES256'.*RSA key.*another key"):
        verify_report(report_bytes, signature, rsa_cert)


def test_key_that_does_not_belong_to_the_certificate_is_refused(report_bytes: bytes) -> None:
    key_pem, _ = _signer()
    _, other_cert = _signer(name="somebody else")
    with pytest.raises(CredentialError, match="does not belong to the certificate"):
        sign_report(report_bytes, key_pem, cert_pem=other_cert)


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("", "3 parts"),
        ("not a signature", "3 parts"),
        ("a.b.c.d", "3 parts"),
        ("eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA.c2ln", "payload part is not empty"),
        ("eyJhbGciOiJFUzI1NiJ9..", "signature part is empty"),
        ("eyJhbGciOiJFUzI1NiJ9..c2l+", "signature part is not base64url"),
        ("%%%..c2ln", "header is not base64url-encoded JSON"),
        ("bm90IGpzb24..c2ln", "header is not base64url-encoded JSON"),
        ("e30..c2ln", "no 'alg'"),  # {}
        ("eyJhbGciOiJFUzI1NiJ9..c2ln", "malformed|does not match"),  # short signature
    ],
)
def test_garbage_signature_fails_clearly(report_bytes: bytes, signature: str, message: str) -> None:
    _, cert_pem = _signer()
    with pytest.raises(SignatureError, match=message) as caught:
        verify_report(report_bytes, signature, cert_pem)
    assert not isinstance(caught.value, CredentialError)  # the signature is at fault


def test_alg_none_is_refused(report_bytes: bytes) -> None:
    _, cert_pem = _signer()
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    with pytest.raises(SignatureError, match="signature part is empty"):
        verify_report(report_bytes, f"{header}..", cert_pem)
    with pytest.raises(SignatureError, match="'none'"):
        verify_report(report_bytes, f"{header}..c2ln", cert_pem)


def test_hs256_with_the_public_key_is_refused(report_bytes: bytes) -> None:
    """The classic confusion: an HMAC 'signature' keyed with the public certificate."""
    _, cert_pem = _signer("rsa")
    header = base64.urlsafe_b64encode(b'{"alg":"HS256"}').rstrip(b"=").decode()
    with pytest.raises(SignatureError, match="'HS256'"):
        verify_report(report_bytes, f"{header}..c2ln", cert_pem)


def test_unreadable_inputs(report_bytes: bytes) -> None:
    key_pem, _ = _signer()
    with pytest.raises(CredentialError, match="cannot read the private key"):
        sign_report(report_bytes, b"not a key")
    with pytest.raises(CredentialError, match="cannot read the certificate"):
        sign_report(report_bytes, key_pem, cert_pem=b"not a certificate")
    with pytest.raises(CredentialError, match="cannot read the certificate"):
        verify_report(report_bytes, sign_report(report_bytes, key_pem), key_pem)
    with pytest.raises(CredentialError, match="cannot read the private key"):
        sign_report(report_bytes, _key_pem(KEYS["p256"](), b"pw"))  # no password


def test_unsupported_keys_are_refused(report_bytes: bytes) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(CredentialError, match="too weak"):
        sign_report(report_bytes, _key_pem(weak))
    edwards = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(CredentialError, match="RSA or EC"):
        sign_report(report_bytes, _key_pem(edwards))
    with pytest.raises(CredentialError, match="only RSA and EC"):
        verify_report(report_bytes, "e30..c2ln", _cert_pem(edwards))
    with pytest.raises(CredentialError, match="cannot sign with 'ES256'"):
        sign_report(report_bytes, _key_pem(KEYS["rsa"]()), algorithm="ES256")


def test_large_report_and_certificate_chain(report_bytes: bytes) -> None:
    key = KEYS["rsa"]()
    ca = KEYS["p256"]()
    chain = _cert_pem(key) + _cert_pem(ca, "CA")
    big = report_bytes * 2000  # ~ several MB, beyond joserfc's default payload limit
    signature = sign_report(big, _key_pem(key), cert_pem=chain)
    assert len(_header(signature)["x5c"]) == 2
    verify_report(big, signature, chain)
