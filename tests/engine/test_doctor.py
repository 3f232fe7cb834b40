"""`cgconform doctor`: says exactly what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cgtest.clirun import CliResult
from cgtest.servers import LocalServer, Received, Reply, unused_port_url

from cgconform.fixtures.openapi.defects import REFERENCE

Cli = Callable[..., CliResult]


@pytest.fixture
def api() -> Iterator[LocalServer]:
    def landing(request: Received) -> Reply:
        if request.header("Authorization") != "Bearer good-token":
            return Reply(401, [("Content-Type", "application/problem+json")], b"{}")
        return Reply(200, [("Content-Type", "application/json")], b"{}")

    with LocalServer() as server:
        server.route("/v1", landing)
        server.route(
            "/v1/openapi.json",
            lambda _: Reply(200, [("Content-Type", "application/json")], REFERENCE.read_bytes()),
        )
        yield server


def target_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "target.toml"
    path.write_text(text)
    return str(path)


def test_ready_target(
    cli: Cli, api: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CG_DOCTOR_TOKEN", "good-token")
    path = target_file(
        tmp_path,
        f'base_url = "{api.url("/v1")}"\nspec = "{api.url("/v1/openapi.json")}"\n'
        '[auth]\nbearer = "env:CG_DOCTOR_TOKEN"\n',
    )
    result = cli("doctor", "--target", path)
    assert result.code == 0, result.stdout
    assert "✓ credential for Authorization (env:CG_DOCTOR_TOKEN) resolves" in result.stdout
    assert "answers HTTP 200" in result.stdout
    assert "is valid OpenAPI 3.0.3" in result.stdout
    assert "good-token" not in result.stdout


def test_refused_credentials_are_reported(
    cli: Cli, api: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CG_DOCTOR_TOKEN", raising=False)
    result = cli("doctor", "--url", api.url("/v1"))
    assert result.code == 2
    assert "refuses the credentials (HTTP 401)" in result.stdout
    assert "→ check [auth]" in result.stdout


def test_unset_credential_is_named(cli: Cli, api: LocalServer, tmp_path: Path) -> None:
    path = target_file(
        tmp_path, f'base_url = "{api.url("/v1")}"\n[auth]\nbearer = "env:CG_UNSET_FOR_DOCTOR"\n'
    )
    result = cli("doctor", "--target", path)
    assert result.code == 2
    assert "CG_UNSET_FOR_DOCTOR is not set" in result.stdout
    assert "reachability not checked" in result.stdout


def test_unreachable_target(cli: Cli) -> None:
    result = cli("doctor", "--url", unused_port_url("/v1"))
    assert result.code == 2
    assert "is not reachable" in result.stdout
    assert "→ check the URL" in result.stdout


def test_invalid_spec(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n")
    result = cli("doctor", "--spec", str(spec))
    assert result.code == 2
    assert "OpenAPI document is not valid" in result.stdout


def test_missing_client_certificate(cli: Cli, api: LocalServer, tmp_path: Path) -> None:
    path = target_file(
        tmp_path,
        f'base_url = "{api.url("/v1")}"\n[tls]\nclient_cert = "c.pem"\nclient_key = "k.pem"\n',
    )
    result = cli("doctor", "--target", path)
    assert result.code == 2
    assert "client certificate not found" in result.stdout


def test_nothing_to_check(cli: Cli) -> None:
    result = cli("doctor")
    assert result.code == 2
    assert "no target given" in result.stdout
