"""The test issuer's metadata, served by cgconform for a resource server that fetches it: the
OpenID Connect discovery document and RFC 8414 authorization server metadata (both at their
well-known paths, for an issuer with or without a path) and the JWKS with the issuer's public
key. It serves nothing else: the resource server never needs a token endpoint from us."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from cgconform.http.mock_server import MockServer, Received, Reply
from cgconform.suites.identity.harness.rs_settings import Minting
from cgconform.suites.identity.harness.rs_tokens import TokenMint

OIDC_WELL_KNOWN = "/.well-known/openid-configuration"
OAUTH_WELL_KNOWN = "/.well-known/oauth-authorization-server"
JWKS_PATH = "/jwks.json"


def metadata(minting: Minting) -> dict[str, Any]:
    issuer = minting.issuer.rstrip("/")
    document: dict[str, Any] = {
        "issuer": minting.issuer,
        "jwks_uri": f"{issuer}{JWKS_PATH}",
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "response_types_supported": ["code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": [minting.algorithm],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
    }
    if minting.scope is not None:
        document["scopes_supported"] = sorted(set(minting.scope.split()))
    return document


def _issuer_path(minting: Minting) -> str:
    return urlsplit(minting.issuer).path.rstrip("/")


class IssuerMetadata:
    """Serves the test issuer's metadata and JWKS on `minting.serve_metadata`."""

    def __init__(self, mint: TokenMint) -> None:
        self.mint = mint
        address = mint.minting.serve_metadata
        if address is None:
            raise ValueError("no serve_metadata address in [oauth]")
        self.server = MockServer(
            self.answer, host=address[0], port=address[1], name="oauth-test-issuer"
        )

    @property
    def url(self) -> str:
        return self.server.url

    def answer(self, received: Received) -> Reply:
        if received.method not in ("GET", "HEAD"):
            return Reply.json(405, {"error": "only GET"}, {"Allow": "GET, HEAD"})
        base = _issuer_path(self.mint.minting)
        path = received.path.rstrip("/")
        discovery = {
            f"{base}{OIDC_WELL_KNOWN}",
            f"{OAUTH_WELL_KNOWN}{base}",
            f"{base}{OAUTH_WELL_KNOWN}",
        }
        if path in discovery:
            return Reply.json(200, metadata(self.mint.minting))
        if path in (f"{base}{JWKS_PATH}", JWKS_PATH):
            return Reply.json(200, {"keys": [self.mint.public_jwk()]})
        return Reply.json(404, {"error": f"the cgconform test issuer serves no {received.path}"})

    def start(self) -> IssuerMetadata:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
