"""Self-tests of the `adr-runtime` checks against the reference API (fixtures/api/): the
conformant API fails nothing but TLS (it speaks plain http), and every seeded defect is
found under its own requirement with the right verdict."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from cgtest.clirun import CliResult

from cgconform.fixtures.api.defects import DEFECTS
from cgconform.fixtures.api.server import serve

Cli = Callable[..., CliResult]
KEY_VARIABLE = "CG_FIXTURE_API_KEY"
PLAIN_HTTP = "/core/transport/tls"
# A defect may break a second rule by its nature (a 500 for bad input is also not a 400).
# And an error body unlike the declared problem schema also breaks the document's contract.
ALSO_BROKEN: dict[str, set[str]] = {
    "server_error_on_bad_input": {"/core/error-handling/invalid-input"},
    "errors_not_problem_json": {"/core/doc-openapi"},
    "problem_without_detail": {"/core/doc-openapi"},
    # 422 is not a status the document declares: the contract is broken as well.
    "invalid_input_422": {"/core/doc-openapi"},
    # The second DELETE's 500 is also a server error for a client's request.
    "delete_not_idempotent": {"/core/http-response-code"},
    # The document under test is given as a file: the served one now differs from it too.
    "served_version_not_semver": {"/core/doc-openapi"},
}


def run(cli: Cli, tmp_path: Path, base_url: str, spec: str, *extra: str) -> CliResult:
    target = tmp_path / "target.toml"
    target.write_text(
        f'base_url = "{base_url}"\nspec = "{spec}"\nallow_writes = ["*"]\n'
        f'[auth.headers]\nX-Api-Key = "env:{KEY_VARIABLE}"\n[budget]\nrate_limit = 0\n'
    )
    return cli("run", "--profile", "adr-runtime", "--target", str(target), "--quiet", *extra)


def test_reference_api_fails_only_plain_http(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(None) as api:
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        result = run(cli, tmp_path, api.base_url, str(api.spec_path))
    verdicts = result.verdicts()
    assert verdicts[PLAIN_HTTP] == "fail"
    others = {k: v for k, v in verdicts.items() if k != PLAIN_HTTP}
    assert set(others.values()) <= {"pass"}, result.stdout
    assert result.report["run"]["budget"]["requests_sent"] > 10


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_each_defect_is_found_under_its_requirement(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, defect: str
) -> None:
    requirement, verdict = DEFECTS[defect]
    with serve(defect) as api:
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        result = run(cli, tmp_path, api.base_url, str(api.spec_path))
    verdicts = result.verdicts()
    assert verdicts[requirement] == verdict, result.stdout
    allowed = {requirement, PLAIN_HTTP, *ALSO_BROKEN.get(defect, set())}
    others = {k: v for k, v in verdicts.items() if k not in allowed and v != "pass"}
    assert not others, f"{defect} also changed {others}\n{result.stdout}"
    row = next(r for r in result.report["results"] if r["requirement"] == requirement)
    assert row["message"]
    assert any("reproduce" in e for e in row["evidence"]), "a finding carries a curl line"


def test_safe_by_default_no_writes(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without allow_writes a run sends no state-changing request: the data is as it was."""
    with serve(None) as api:
        before = requests.get(api.url("/parkeervergunningen"), headers=api.auth, timeout=5)
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        target = tmp_path / "target.toml"
        target.write_text(
            f'base_url = "{api.base_url}"\n[auth.headers]\nX-Api-Key = "env:{KEY_VARIABLE}"\n'
        )
        result = cli("run", "--profile", "adr-runtime", "--target", str(target), "--quiet")
        after = requests.get(api.url("/parkeervergunningen"), headers=api.auth, timeout=5)
        assert not api.errors
    assert before.json() == after.json()
    checks = {c["name"].split("::")[1]: c for r in result.report["results"] for c in r["checks"]}
    assert checks["delete_is_idempotent"]["verdict"] == "not_tested"
    assert "allow" in checks["delete_is_idempotent"]["message"]
    # Sequences along links that start with a write are not sent; safe ones may be.
    stateful = checks["answers_along_the_documents_links_match_the_contract"]
    assert stateful["verdict"] in ("pass", "not_tested")


def test_budget_is_never_exceeded(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(None) as api:
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        result = run(cli, tmp_path, api.base_url, str(api.spec_path), "--max-requests", "4")
    budget = result.report["run"]["budget"]
    assert budget["requests_sent"] <= 4
    not_tested = [r for r in result.report["results"] if r["verdict"] == "not_tested"]
    assert not_tested and all("budget" in r["reason"] for r in not_tested)
    assert result.code == 3  # with the budget spent, nothing could be decided


def _checks(result: CliResult) -> dict[str, dict[str, object]]:
    return {c["name"].split("::")[1]: c for r in result.report["results"] for c in r["checks"]}


def test_stateful_phase_follows_links_and_can_fail(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "answers_along_the_documents_links_match_the_contract"
    with serve(None) as api:
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        good = run(cli, tmp_path, api.base_url, str(api.spec_path))
    assert _checks(good)[name]["verdict"] == "pass"
    with serve("response_violates_schema") as api:
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        bad = run(cli, tmp_path, api.base_url, str(api.spec_path))
    check = _checks(bad)[name]
    assert check["verdict"] == "fail"
    assert "zone" in str(check["message"]) or "noord" in str(check["message"])
