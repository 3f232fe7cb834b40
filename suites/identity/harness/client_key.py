"""The relying party's own key for ``private_key_jwt`` (OpenID Connect Core §9, RFC 7523), and
`cgconform oidc client-key DIR`, which makes one: ``DIR/client.key`` (PKCS#8 PEM, readable by
its owner only) and ``DIR/jwks.json`` (the public key to register at the provider as the
client's ``jwks``). The key id is the key's RFC 7638 thumbprint, so the provider finds the key
by the ``kid`` of each client assertion. (The ``cgconform.commands`` entry point ``oidc``.)"""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, RSAKey

from cgconform.model.target import ConfigError

KEY_FILE = "client.key"
JWKS_FILE = "jwks.json"
# Client assertion algorithms by key type, most preferred first (NL GOV OIDC §7.2.1: RS256 is
# required, PS256 recommended over it; ES256 is at least as strong).
RSA_ALGORITHMS = ("PS256", "RS256")
EC_ALGORITHMS = {"P-256": ("ES256",), "P-384": ("ES384",), "P-521": ("ES512",)}


class ClientKeyError(ValueError):
    """The key file cannot be used; the message says why."""


@dataclass(frozen=True)
class ClientKey:
    """A private signing key of the relying party, with its key id."""

    key: RSAKey | ECKey

    @property
    def kid(self) -> str:
        return str(self.key.thumbprint())

    @property
    def algorithms(self) -> tuple[str, ...]:
        """The JWS algorithms this key can sign client assertions with, preferred first."""
        if isinstance(self.key, RSAKey):
            return RSA_ALGORITHMS
        return EC_ALGORITHMS.get(str(self.key.as_dict(private=False).get("crv")), ("ES256",))

    def pick_algorithm(self, supported: list[str] | None) -> str:
        """The algorithm to sign with: the first of ours the provider lists (its
        ``token_endpoint_auth_signing_alg_values_supported``), else our first."""
        for alg in self.algorithms:
            if supported is None or alg in supported:
                return alg
        return self.algorithms[0]

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = dict(self.key.as_dict(private=False))
        jwk.update({"kid": self.kid, "use": "sig"})
        return jwk

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def private_pem(self) -> bytes:
        pem: bytes = self.key.as_pem(private=True)
        return pem


def generate_client_key(key_type: str = "RSA") -> ClientKey:
    """A new RSA 2048 (default) or EC P-256 key."""
    if key_type.upper() == "EC":
        return ClientKey(ECKey.generate_key("P-256", private=True))
    if key_type.upper() == "RSA":
        return ClientKey(RSAKey.generate_key(2048, private=True))
    raise ClientKeyError(f"key type {key_type!r}: use RSA or EC")


def load_client_key(path: Path) -> ClientKey:
    """The private key in a PEM file (PKCS#8 or traditional): RSA (2048 bits or more) or EC."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ClientKeyError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ClientKeyError(
            f"{path} is not an unencrypted PEM private key ({exc}); create one with "
            "`cgconform oidc client-key DIR`"
        ) from None
    if isinstance(private, rsa.RSAPrivateKey):
        if private.key_size < 2048:
            raise ClientKeyError(f"{path}: an RSA key of {private.key_size} bits; use 2048 or more")
        return ClientKey(RSAKey.import_key(data))
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return ClientKey(ECKey.import_key(data))
    raise ClientKeyError(f"{path}: a {type(private).__name__}; use an RSA or EC key")


def write_client_key(directory: Path, key: ClientKey, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``client.key`` (mode 0600) and ``jwks.json`` into `directory`."""
    key_path, jwks_path = directory / KEY_FILE, directory / JWKS_FILE
    if key_path.exists() and not force:
        raise ClientKeyError(
            f"{key_path} already exists; use --force to replace it (the provider will then "
            "need the new jwks.json)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_pem())
    jwks_path.write_text(json.dumps(key.public_jwks(), indent=2) + "\n", encoding="utf-8")
    return key_path, jwks_path


class OidcCommand:
    help = "OpenID Connect tools: the relying party's client key"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(
            dest="oidc_command", metavar="ACTION", parser_class=type(parser)
        )
        make = actions.add_parser(
            "client-key",
            help="write a private key (client.key) and its public jwks.json to register at "
            "the provider for private_key_jwt",
        )
        make.add_argument("directory", metavar="DIR")
        make.add_argument(
            "--type", default="RSA", choices=("RSA", "EC"), help="RSA 2048 (default) or EC P-256"
        )
        make.add_argument("--force", action="store_true", help="replace an existing key")
        self._parser = parser

    def run(self, args: argparse.Namespace) -> int:
        if getattr(args, "oidc_command", None) is None:
            self._parser.parse_args(["--help"])
        directory = Path(args.directory)
        try:
            key = generate_client_key(args.type)
            key_path, jwks_path = write_client_key(directory, key, force=args.force)
        except (ClientKeyError, OSError) as exc:
            raise ConfigError(f"cannot write the client key to {directory}: {exc}") from None
        print(f"private key: {key_path} (keep it secret; kid {key.kid})")
        print(f"public key:  {jwks_path} (register it at the provider as the client's jwks)")
        print("in target.toml:")
        print("  [oidc]")
        print('  client_id = "..."                 # as registered at the provider')
        print(f'  client_key = "{key_path}"')
        return 0


COMMAND = OidcCommand()
