"""Runs against a remote document: the budget is never exceeded and what could not run is
`not_tested` with the reason; an unreachable target is `inconclusive`, never `fail`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cgtest.clirun import CliResult
from cgtest.servers import LocalServer, Received, Reply, unused_port_url

from cgconform.fixtures.openapi.defects import REFERENCE

Cli = Callable[..., CliResult]


@pytest.fixture
def spec_server() -> Iterator[LocalServer]:
    body = REFERENCE.read_bytes()
    with LocalServer() as server:
        server.route(
            "/v1/openapi.json",
            lambda _: Reply(200, [("Content-Type", "application/json")], body),
        )
        yield server


def run(cli: Cli, spec: str, *extra: str) -> CliResult:
    return cli("run", "--profile", "adr-openapi", "--spec", spec, "--quiet", *extra)


def test_remote_document_is_fetched_once(cli: Cli, spec_server: LocalServer) -> None:
    result = run(cli, spec_server.url("/v1/openapi.json"))
    assert result.code == 0, result.stdout
    assert len(spec_server.requests_to("/v1/openapi.json")) == 1
    assert result.report["run"]["budget"]["requests_sent"] == 1


def test_spent_budget_means_not_tested_with_the_reason(cli: Cli, spec_server: LocalServer) -> None:
    result = run(cli, spec_server.url("/v1/openapi.json"), "--max-requests", "0")
    assert spec_server.received == [], "a run never exceeds its budget"
    assert result.code == 3
    assert result.report["verdict"] == "inconclusive"
    for row in result.report["results"]:
        assert row["verdict"] == "not_tested", row
        assert "budget" in row["reason"]
    assert result.report["run"]["budget"]["requests_sent"] == 0


def test_unreachable_target_is_inconclusive(cli: Cli) -> None:
    result = run(cli, unused_port_url("/v1/openapi.json"))
    assert result.code == 3
    assert {r["verdict"] for r in result.report["results"]} == {"inconclusive"}
    row = result.report["results"][0]
    assert "127.0.0.1" in row["message"]
    assert row["evidence"] and "request" in row["evidence"][0]


def test_spec_answering_404_fails_doc_openapi(cli: Cli, tmp_path: Path) -> None:
    def missing(_: Received) -> Reply:
        return Reply(404, [("Content-Type", "text/plain")], b"not here")

    with LocalServer() as server:
        server.route("/v1/openapi.json", missing)
        result = run(cli, server.url("/v1/openapi.json"))
    verdicts = result.verdicts()
    assert verdicts["/core/doc-openapi"] == "fail"
    row = next(r for r in result.report["results"] if r["requirement"] == "/core/doc-openapi")
    assert "404" in row["message"]
    assert row["evidence"][0]["reproduce"].startswith("curl")
    assert verdicts["/core/semver"] == "inconclusive"


def test_plain_headers_go_with_every_request_and_show_unmasked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cgconform.model.target import ConfigError, parse_target
    from cgconform.run.context import build_context

    monkeypatch.setenv("CG_TEST_KEY", "s3cret-key")
    with LocalServer() as server:
        server.route("/v1/x", lambda _: Reply(200))
        target = parse_target(
            {
                "base_url": server.url("/v1"),
                "headers": {"Accept-Crs": "EPSG:28992"},
                "auth": {"headers": {"X-Api-Key": "env:CG_TEST_KEY"}},
            }
        ).with_overrides(headers=("Accept-Crs: EPSG:4326",))
        http = build_context(target, []).http
        evidence = http.get(server.url("/v1/x")).to_evidence()
        anonymous = http.get(server.url("/v1/x"), authenticated=False)
        first, second = server.requests_to("/v1/x")
    assert first.header("Accept-Crs") == second.header("Accept-Crs") == "EPSG:4326"
    assert first.header("X-Api-Key") == "s3cret-key" and second.header("X-Api-Key") is None
    assert evidence["request"]["headers"]["Accept-Crs"] == "EPSG:4326"
    assert "Accept-Crs: EPSG:4326" in evidence["reproduce"]
    assert "s3cret-key" not in str(evidence) and "${CG_TEST_KEY}" in evidence["reproduce"]
    assert anonymous.status == 200
    with pytest.raises(ConfigError, match="header Cookie carries a credential"):
        build_context(parse_target({"headers": {"Cookie": "session=1"}}), [])
