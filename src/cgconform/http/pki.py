"""A throw-away test PKI: a trust anchor (root + intermediate CA), leaf certificates with
chosen subject fields, and a second, untrusted CA for negative tests.

Written to a directory a vendor can load into a test deployment::

    DIR/pki.json                 manifest: every identity, its subject and files
    DIR/trust-anchor.pem         the root CA certificate (what the peers must trust)
    DIR/untrusted-ca.pem         a CA nobody should trust
    DIR/<name>/cert.pem          the leaf certificate
    DIR/<name>/chain.pem         leaf + intermediate (what a TLS server or client presents)
    DIR/<name>/key.pem           the private key (PKCS#8, unencrypted: test keys only)

The module knows certificates, not any standard: which subject field means what is the
caller's choice.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "pki.json"


class PkiError(Exception):
    """The PKI directory is missing, incomplete or unreadable; the message says which."""


@dataclass(frozen=True)
class IdentitySpec:
    """One leaf certificate to issue."""

    name: str  # directory name and handle, e.g. "sut"
    organization: str  # subject O
    serial_number: str | None = None  # subject serialNumber (2.5.4.5)
    common_name: str | None = None
    hosts: Sequence[str] = ("localhost", "127.0.0.1")  # subjectAltName (DNS or IP)
    key_type: str = "ec"  # "ec" (P-256) or "rsa" (3072)
    trusted: bool = True  # issued by the trust anchor, or by the untrusted CA
    role: str = ""  # free text for the manifest ("harness peer A", ...)


@dataclass(frozen=True)
class Identity:
    """An issued leaf certificate and its files."""

    name: str
    organization: str
    serial_number: str | None
    key_type: str
    trusted: bool
    role: str
    cert: Path
    chain: Path
    key: Path
    cert_sha256: str  # hex SHA-256 of the DER certificate
    spki_sha256: str  # hex SHA-256 of the DER SubjectPublicKeyInfo

    @property
    def requests_cert(self) -> tuple[str, str]:
        """(chain, key) as `requests` and the HTTP layer take a client certificate."""
        return (str(self.chain), str(self.key))


@dataclass(frozen=True)
class TestPki:
    __test__ = False  # not a pytest test class
    directory: Path
    trust_anchor: Path
    untrusted_ca: Path
    identities: dict[str, Identity] = field(default_factory=dict)
    created_at: datetime.datetime | None = None  # when the manifest was written

    def __getitem__(self, name: str) -> Identity:
        try:
            return self.identities[name]
        except KeyError:
            known = ", ".join(sorted(self.identities)) or "none"
            raise PkiError(
                f"{self.directory / MANIFEST}: no identity {name!r} (has: {known})"
            ) from None


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _key(kind: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if kind == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise PkiError(f"unknown key type {kind!r} (ec or rsa)")


def _ca(
    name: str, key: Any, issuer: Any, issuer_key: Any, days: int, path_length: int | None
) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cgconform test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer is not None else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def _leaf(spec: IdentitySpec, key: Any, issuer: Any, issuer_key: Any, days: int) -> Any:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    attributes = []
    if spec.serial_number:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, spec.serial_number))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, spec.organization))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, spec.common_name or spec.name))
    names: list[x509.GeneralName] = []
    for host in spec.hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(cert.public_bytes(serialization.Encoding.PEM))


def _der(cert: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(cert.public_bytes(serialization.Encoding.DER))


def spki_der(public_key: Any) -> bytes:
    """The DER SubjectPublicKeyInfo of a public key."""
    from cryptography.hazmat.primitives import serialization

    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def spki_sha256(cert: Any) -> str:
    """Hex SHA-256 of the certificate's DER SubjectPublicKeyInfo."""
    return hashlib.sha256(spki_der(cert.public_key())).hexdigest()


def key_matches(cert: Any, private_key: Any) -> bool:
    """Whether the private key belongs to the certificate."""
    return spki_der(cert.public_key()) == spki_der(private_key.public_key())


def _entry(cert: Any, **fields: Any) -> dict[str, Any]:
    """One identity of the manifest: the given fields and the certificate's hashes."""
    return {
        **fields,
        "cert_sha256": hashlib.sha256(_der(cert)).hexdigest(),
        "spki_sha256": spki_sha256(cert),
    }


def _write_manifest(directory: Path, entries: list[dict[str, Any]]) -> TestPki:
    manifest = {
        "trust_anchor": "trust-anchor.pem",
        "untrusted_ca": "untrusted-ca.pem",
        "created_at": _now().isoformat(timespec="seconds"),
        "identities": entries,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return load_pki(directory)


def create_pki(directory: Path, identities: Sequence[IdentitySpec], *, days: int = 30) -> TestPki:
    """Issue a new PKI into `directory` (created; existing files are replaced)."""
    from cryptography.hazmat.primitives import serialization

    directory.mkdir(parents=True, exist_ok=True)
    names = [spec.name for spec in identities]
    if len(set(names)) != len(names):
        raise PkiError("identity names must be unique")
    root_key = _key("ec")
    root = _ca("cgconform test trust anchor", root_key, None, None, days + 1, 1)
    inter_key = _key("ec")
    inter = _ca("cgconform test issuing CA", inter_key, root, root_key, days + 1, 0)
    other_key = _key("ec")
    other = _ca("cgconform UNTRUSTED CA", other_key, None, None, days + 1, 0)
    (directory / "trust-anchor.pem").write_bytes(_pem(root))
    (directory / "untrusted-ca.pem").write_bytes(_pem(other))
    entries = []
    for spec in identities:
        key = _key(spec.key_type)
        if spec.trusted:
            cert = _leaf(spec, key, inter, inter_key, days)
            chain = _pem(cert) + _pem(inter)
        else:
            cert = _leaf(spec, key, other, other_key, days)
            chain = _pem(cert)
        folder = directory / spec.name
        folder.mkdir(exist_ok=True)
        (folder / "cert.pem").write_bytes(_pem(cert))
        (folder / "chain.pem").write_bytes(chain)
        key_path = folder / "key.pem"
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)
        entries.append(
            _entry(
                cert,
                name=spec.name,
                organization=spec.organization,
                serial_number=spec.serial_number,
                key_type=spec.key_type,
                trusted=spec.trusted,
                role=spec.role,
                hosts=list(spec.hosts),
            )
        )
    return _write_manifest(directory, entries)


def import_pki(
    directory: Path,
    *,
    trust_anchor: Path,
    identities: dict[str, tuple[Path, Path]],
    untrusted: Iterable[str] = (),
    untrusted_ca: Path | None = None,
) -> TestPki:
    """Lay out certificates someone else issued as a PKI directory: `identities` maps a name
    to (certificate chain PEM, private key PEM); names in `untrusted` are not issued by the
    trust anchor. The subject's serialNumber and O are read from each certificate."""
    import shutil

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    untrusted = set(untrusted)
    directory.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(trust_anchor, directory / "trust-anchor.pem")
        if untrusted_ca is not None:
            shutil.copyfile(untrusted_ca, directory / "untrusted-ca.pem")
        else:
            (directory / "untrusted-ca.pem").write_bytes(b"")
    except OSError as exc:
        raise PkiError(f"cannot copy the CA certificates: {exc}") from None
    entries = []
    for name, (chain_path, key_path) in identities.items():
        try:
            chain = x509.load_pem_x509_certificates(chain_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise PkiError(
                f"identity {name!r}: cannot read {chain_path} / {key_path}: {exc}"
            ) from None
        cert = chain[0]
        if not key_matches(cert, key):
            raise PkiError(f"identity {name!r}: the key in {key_path} is not the certificate's")
        folder = directory / name
        folder.mkdir(exist_ok=True)
        (folder / "cert.pem").write_bytes(_pem(cert))
        (folder / "chain.pem").write_bytes(b"".join(_pem(c) for c in chain))
        shutil.copyfile(key_path, folder / "key.pem")
        (folder / "key.pem").chmod(0o600)

        def attribute(oid: Any, cert: Any = cert) -> str | None:
            values = cert.subject.get_attributes_for_oid(oid)
            return str(values[0].value) if values else None

        entries.append(
            _entry(
                cert,
                name=name,
                organization=attribute(NameOID.ORGANIZATION_NAME) or name,
                serial_number=attribute(NameOID.SERIAL_NUMBER),
                key_type="rsa" if isinstance(key, rsa.RSAPrivateKey) else "ec",
                trusted=name not in untrusted,
                role="imported",
                hosts=[],
            )
        )
    return _write_manifest(directory, entries)


def load_pki(directory: Path) -> TestPki:
    """Read a PKI directory written by :func:`create_pki`; PkiError names what is missing."""
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        anchors = (directory / manifest["trust_anchor"], directory / manifest["untrusted_ca"])
        entries = manifest["identities"]
        created = manifest.get("created_at")
        created_at = datetime.datetime.fromisoformat(created) if created else None
    except OSError as exc:
        raise PkiError(
            f"{path}: cannot read the PKI manifest ({exc.strerror or exc}); "
            "create one with `cgconform fsc pki init DIR`"
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise PkiError(f"{path}: not a cgconform PKI manifest ({exc})") from None
    identities: dict[str, Identity] = {}
    for entry in entries:
        try:
            folder = directory / entry["name"]
            identity = Identity(
                name=entry["name"],
                organization=entry["organization"],
                serial_number=entry.get("serial_number"),
                key_type=entry["key_type"],
                trusted=entry["trusted"],
                role=entry.get("role", ""),
                cert=folder / "cert.pem",
                chain=folder / "chain.pem",
                key=folder / "key.pem",
                cert_sha256=entry["cert_sha256"],
                spki_sha256=entry["spki_sha256"],
            )
        except (KeyError, TypeError) as exc:
            raise PkiError(f"{path}: identity entry without {exc}") from None
        for file in (identity.cert, identity.chain, identity.key):
            if not file.is_file():
                raise PkiError(f"{path}: identity {identity.name!r}: {file} is missing")
        identities[identity.name] = identity
    for anchor in anchors:
        if not anchor.is_file():
            raise PkiError(f"{path}: {anchor} is missing")
    return TestPki(directory, anchors[0], anchors[1], identities, created_at)
