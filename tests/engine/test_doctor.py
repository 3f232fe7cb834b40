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


def test_a_base_url_asking_for_credentials_is_fine_when_none_are_given(
    cli: Cli, api: LocalServer
) -> None:
    result = cli("doctor", "--url", api.url("/v1"))
    assert result.code == 0, result.stdout
    assert "✓ " + api.url("/v1") + " answers HTTP 401: fine for an API" in result.stdout


def test_refused_credentials_are_reported(
    cli: Cli, api: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CG_DOCTOR_TOKEN", "wrong-token")
    path = target_file(
        tmp_path, f'base_url = "{api.url("/v1")}"\n[auth]\nbearer = "env:CG_DOCTOR_TOKEN"\n'
    )
    result = cli("doctor", "--target", path)
    assert result.code == 2
    assert "refuses the credentials it was sent (HTTP 401)" in result.stdout
    assert "→ check [auth]" in result.stdout


def test_a_redirecting_base_url_is_a_finding(cli: Cli) -> None:
    """A redirect elsewhere is a wrong base URL; a root that only adds a slash (Django's
    APPEND_SLASH) is fine, and doctor says why rather than 'HTTP 301' and 'ready'."""
    with LocalServer() as server:
        server.route("/v1", lambda _: Reply(301, [("Location", "/v1/")]))
        server.route("/v2", lambda _: Reply(308, [("Location", "https://elsewhere.example/v2")]))
        slash = cli("doctor", "--url", server.url("/v1"))
        moved = cli("doctor", "--url", server.url("/v2"))
        assert len(server.requests_to("/v1/")) == 0  # never followed
    assert slash.code == 0 and moved.code == 2
    assert f"✓ {server.url('/v1')} answers HTTP 301, a redirect to {server.url('/v1/')}: fine" in (
        slash.stdout
    )
    assert "the root only adds a slash" in slash.stdout
    assert "✗" not in slash.stdout
    assert "→ use the URL it redirects to: https://elsewhere.example/v2 (" in moved.stdout
    assert "ready to test" not in moved.stdout.replace("not ready", "")


def test_a_base_url_without_a_resource_is_fine(cli: Cli) -> None:
    with LocalServer() as server:
        result = cli("doctor", "--url", server.url("/api"))
    assert result.code == 0, result.stdout
    assert "answers HTTP 404: fine for an API, it has no resource at its root" in result.stdout


def test_plain_headers_reach_the_target(cli: Cli, tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("/v1", lambda _: Reply(200))
        path = target_file(
            tmp_path, f'base_url = "{server.url("/v1")}"\n[headers]\nAccept-Crs = "EPSG:28992"\n'
        )
        result = cli("doctor", "--target", path, "--header", "Accept-Crs: EPSG:4326")
        (received,) = server.requests_to("/v1")
    assert result.code == 0, result.stdout
    assert "✓ sends Accept-Crs: EPSG:4326 with every request" in result.stdout
    assert received.header("Accept-Crs") == "EPSG:4326"


def test_a_header_given_twice_is_a_configuration_error(cli: Cli, tmp_path: Path) -> None:
    path = target_file(
        tmp_path,
        'base_url = "https://api.example/v1"\n[headers]\nX-Api-Key = "abc"\n'
        '[auth.headers]\nX-Api-Key = "env:CG_KEY"\n',
    )
    result = cli("doctor", "--target", path)
    assert result.code == 2
    assert "X-Api-Key is also given as a credential" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


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
