"""Running nlgov-oauth-resource-server against the reference resource server (for the
self-tests): a throw-away test issuer key, the server that trusts it, the target that tells
cgconform to mint tokens with it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cgtest.profilerun import results, run_profile, verdicts
from joserfc.jwk import RSAKey

from cgconform.fixtures.identity.resource_server import (
    RunningResourceServer,
    serve_resource_server,
)
from cgconform.model.target import BudgetConfig, Target

PROFILE = "nlgov-oauth-resource-server"
ISSUER = "https://issuer.cgconform.test"
AUDIENCE = "https://api.gemeente.test/parkeervergunningen"
SCOPE = "parkeervergunningen:lezen"


@dataclass
class Issuer:
    key: RSAKey
    key_file: Path

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = dict(self.key.as_dict(private=False))
        jwk["kid"] = str(self.key.thumbprint())
        return jwk


def make_issuer(folder: Path) -> Issuer:
    key = RSAKey.generate_key(2048, private=True)
    path = folder / "issuer.key"
    path.write_bytes(key.as_pem(private=True))
    return Issuer(key, path)


def oauth_table(key: Issuer, **extra: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "issuer": ISSUER,
        "signing_key": f"file:{key.key_file}",
        "audience": AUDIENCE,
        "scope": SCOPE,
    }
    table.update(extra)
    return {k: v for k, v in table.items() if v is not None}


def target_for(rs: RunningResourceServer, oauth: dict[str, Any]) -> Target:
    return Target(
        name="reference resource server",
        urls={"resource": rs.resource_url},
        budget=BudgetConfig(max_requests=500, rate_limit=None, timeout_s=5),
        suite_settings={"oauth": oauth},
    )


@contextmanager
def reference_rs(
    issuer: Issuer, defects: Iterable[str] = (), **config: Any
) -> Iterator[RunningResourceServer]:
    options: dict[str, Any] = {
        "issuer": ISSUER,
        "keys": [issuer.public_jwk],
        "audience": AUDIENCE,
        "scope": SCOPE,
    }
    options.update(config)
    with serve_resource_server(defects=defects, **options) as rs:
        yield rs


def run(target: Target, only: Iterable[str] | None = None) -> dict[str, Any]:
    return run_profile(PROFILE, target, only)


__all__ = ["results", "run", "verdicts"]
