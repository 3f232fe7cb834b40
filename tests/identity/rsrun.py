"""Running nlgov-oauth-resource-server against the reference resource server (for the
self-tests): a throw-away test issuer key, the server that trusts it, the target that tells
cgconform to mint tokens with it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cgtest.clirun import assert_valid_report
from joserfc.jwk import RSAKey

from cgconform.fixtures.identity.resource_server import (
    RunningResourceServer,
    serve_resource_server,
)
from cgconform.model.catalogue import select_profiles
from cgconform.model.target import BudgetConfig, Target
from cgconform.run.runner import RunRequest, execute

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
    (profile,) = select_profiles([PROFILE])
    if only is not None:
        wanted = set(only)
        profile = replace(
            profile,
            requirements=tuple(r for r in profile.requirements if r.requirement.id in wanted),
        )
    report = execute(RunRequest(profiles=[profile], target=target, command="self-test", seed=1))
    assert_valid_report(report)
    return report


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {r["requirement"]: r["verdict"] for r in report["results"]}


def results(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["requirement"]: r for r in report["results"]}
