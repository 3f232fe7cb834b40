"""nlgov-oidc-provider against the reference OpenID Provider (fixtures/identity/oidc_reference):
the conformant one passes every check through the real CLI; each seeded defect is found under
the requirement it breaks, with the verdict its level gives; a login script that does not fit
the pages, a missing client or a missing second client give not_tested or inconclusive with
the reason, never a fail."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cgtest.clirun import CliResult, assert_valid_report

from cgconform.fixtures.identity.oidc_reference import (
    DEFECTS,
    RunningReference,
    reference_provider,
)
from cgconform.model.catalogue import select_profiles
from cgconform.model.target import parse_target
from cgconform.run.runner import RunRequest, execute

PROFILE = "nlgov-oidc-provider"
# Flows that need the login (and so a login script and a client): the rest is discovery, or a
# request the conformant reference refuses before its login page.
NEEDS_LOGIN = {
    "5.2.1-token-request-validation/code_verifier",
    "5.2.1-token-request-validation/client-authentication",
    "5.2.1-token-request-validation/code-used-once",
    "5.2.1-token-request-validation/redirect_uri",
    "5.2.2-id-tokens-of-the-provider-profile/signed",
    "5.2.2-id-tokens-of-the-provider-profile/expires",
    "5.2.2-id-tokens-of-the-provider-profile/lifetime",
    "5.2.2-id-tokens-of-the-provider-profile/iss",
    "5.2.2-id-tokens-of-the-provider-profile/aud",
    "5.2.2-id-tokens-of-the-provider-profile/sub",
    "5.2.2-id-tokens-of-the-provider-profile/nonce",
    "5.2.2-id-tokens-of-the-provider-profile/jti",
    "5.2.2-id-tokens-of-the-provider-profile/exp-iat-nbf",
    "5.2.3-pairwise-identifiers/pairwise",
    "5.2.3-pairwise-identifiers/no-bsn-rsin-kvk",
    "5.2.5-authentication-context/acr",
    "5.2.5-authentication-context/no-amr",
    "5.2.7-access-tokens/jwt",
    "7.2.1-algorithms/no-weaker",  # one of its checks judges the ID token's alg
}
# Defects that change the flows themselves: a full run shows that nothing else changes.
FULL_RUN = (
    "client-secret-only",
    "issuer-mismatch",
    "bsn-sub",
    "public-sub",
    "pkce-optional",
    "loose-redirect-uri",
    "no-client-authentication",
    "reusable-code",
    "hybrid-flow",
)


@pytest.fixture(scope="module")
def conformant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningReference]:
    with reference_provider(workdir=tmp_path_factory.mktemp("oidc-ref")) as provider:
        yield provider


def run(table: dict[str, Any], workdir: Path, only: Iterable[str] | None = None) -> dict[str, Any]:
    (profile,) = select_profiles([PROFILE])
    if only is not None:
        wanted = set(only)
        profile = replace(
            profile,
            requirements=tuple(r for r in profile.requirements if r.requirement.id in wanted),
        )
    target = parse_target(table, source=workdir / "target.toml")
    report = execute(RunRequest(profiles=[profile], target=target, command="self-test", seed=1))
    assert_valid_report(report)
    return report


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {r["requirement"]: r["verdict"] for r in report["results"]}


def result(report: dict[str, Any], requirement: str) -> dict[str, Any]:
    return next(r for r in report["results"] if r["requirement"] == requirement)


def toml(value: Any) -> str:
    """A value as TOML (inline tables and arrays; JSON strings are TOML basic strings)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return json.dumps(value)


def write_target(table: dict[str, Any], path: Path) -> Path:
    lines = [f"{key} = {toml(value)}" for key, value in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- the conformant reference -----------------------------------------------------------------


def test_the_conformant_reference_passes_every_check_through_the_cli(
    conformant: RunningReference, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    target = write_target(conformant.table, tmp_path / "target.toml")
    out = tmp_path / "reports"
    result_ = cli(
        "run", "--profile", PROFILE, "--target", str(target), "--report-dir", str(out),
        "--format", "json,html,junit,sarif,earl",
    )  # fmt: skip
    assert result_.code == 0, result_.stdout + result_.stderr
    (profile,) = select_profiles([PROFILE])
    got = result_.verdicts()
    assert set(got) == {r.requirement.id for r in profile.requirements}
    assert set(got.values()) == {"pass"}, {k: v for k, v in got.items() if v != "pass"}
    # the login ran headlessly: the flows' checks say what they saw
    assert (
        "nonce equals the request's"
        in result(result_.report, "5.2.2-id-tokens-of-the-provider-profile/nonce")["message"]
    )
    # no secret reaches any report: the test password, the client key, codes and tokens
    password = (conformant.workdir / "password").read_text()
    for path in out.iterdir():
        text = path.read_text("utf-8", errors="replace")
        assert password not in text, path.name
        assert "PRIVATE KEY-----" not in text.replace("PRIVATE KEY-----[REDACTED]", "")
        assert not re.search(r"eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]+", text), path.name


# -- every defect under its requirement -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_found_under_its_requirement(name: str, tmp_path: Path) -> None:
    expected = dict(DEFECTS[name].breaks)
    with reference_provider(workdir=tmp_path, defects=[name]) as provider:
        report = run(provider.table, tmp_path, only=expected)
    assert verdicts(report) == expected
    for requirement in expected:
        found = result(report, requirement)
        assert found["message"], requirement
        assert found["evidence"], f"{requirement}: a finding without evidence"


@pytest.mark.parametrize("name", FULL_RUN)
def test_a_defect_in_the_flows_changes_nothing_else(name: str, tmp_path: Path) -> None:
    with reference_provider(workdir=tmp_path, defects=[name]) as provider:
        report = run(provider.table, tmp_path)
    others = {k: v for k, v in verdicts(report).items() if v != "pass"}
    assert others == dict(DEFECTS[name].breaks)


# -- what the suite cannot decide --------------------------------------------------------------


def _with_oidc(provider: RunningReference, **changes: Any) -> dict[str, Any]:
    oidc = {k: v for k, v in {**provider.table["oidc"], **changes}.items() if v is not None}
    return {**provider.table, "oidc": oidc}


def test_a_login_script_that_does_not_fit_the_pages_is_inconclusive_and_says_where(
    conformant: RunningReference, tmp_path: Path
) -> None:
    password = f"file:{conformant.workdir / 'password'}"
    table = _with_oidc(
        conformant, login=[{"fill": {"username": "burger", "password": password}}, {"submit": True}]
    )
    report = run(table, tmp_path, only=NEEDS_LOGIN)
    assert set(verdicts(report).values()) == {"inconclusive"}
    message = result(report, "5.2.2-id-tokens-of-the-provider-profile/signed")["message"]
    assert "login step 1" in message and "no form with the field(s) password, username" in message
    assert "'Inloggen'" in message and "form #login POST /login" in message


def test_a_wrong_password_is_inconclusive_not_a_fail(
    conformant: RunningReference, tmp_path: Path
) -> None:
    table = _with_oidc(
        conformant, login=[{"fill": {"login": "burger", "password": "wrong"}}, {"submit": True}]
    )
    report = run(table, tmp_path, only=["5.2.2-id-tokens-of-the-provider-profile/signed"])
    found = result(report, "5.2.2-id-tokens-of-the-provider-profile/signed")
    assert found["verdict"] == "inconclusive"
    assert "login step 1" in found["message"] and "same form again" in found["message"]


def test_without_a_login_script_the_flows_are_not_tested(
    conformant: RunningReference, tmp_path: Path
) -> None:
    report = run(_with_oidc(conformant, login=None), tmp_path)
    got = verdicts(report)
    assert {got[r] for r in NEEDS_LOGIN} == {"not_tested"}
    assert {v for r, v in got.items() if r not in NEEDS_LOGIN} == {"pass"}
    assert "no login script" in result(report, "5.2.7-access-tokens/jwt")["message"]


def test_without_an_oidc_table_discovery_still_runs(
    conformant: RunningReference, tmp_path: Path
) -> None:
    table = {k: v for k, v in conformant.table.items() if k != "oidc"}
    report = run(table, tmp_path)
    got = verdicts(report)
    assert got["5.4.2-discovery-document/response_types_supported"] == "pass"
    assert got["5.2.7-access-tokens/jwt"] == "not_tested"
    assert "no [oidc] table" in result(report, "5.2.7-access-tokens/jwt")["message"]
    assert "fail" not in got.values() and "error" not in got.values()


def test_without_a_second_client_pairwise_is_not_tested(
    conformant: RunningReference, tmp_path: Path
) -> None:
    report = run(_with_oidc(conformant, clients=None), tmp_path)
    got = verdicts(report)
    assert got.pop("5.2.3-pairwise-identifiers/pairwise") == "not_tested"
    assert set(got.values()) == {"pass"}


def test_a_second_client_in_the_same_sector_is_inconclusive(
    conformant: RunningReference, tmp_path: Path
) -> None:
    other = dict(conformant.table["oidc"]["clients"][0])
    other["redirect_uri"] = conformant.table["oidc"]["redirect_uri"]  # not registered, same host
    report = run(
        _with_oidc(conformant, clients=[other]),
        tmp_path,
        only=["5.2.3-pairwise-identifiers/pairwise"],
    )
    found = result(report, "5.2.3-pairwise-identifiers/pairwise")
    assert found["verdict"] == "inconclusive" and "shares the sector" in found["message"]


def test_a_broken_oidc_table_stops_the_run_with_one_message(
    conformant: RunningReference, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    table = _with_oidc(conformant, client_key=str(tmp_path / "missing.key"))
    target = write_target(table, tmp_path / "target.toml")
    outcome = cli("run", "--profile", PROFILE, "--target", str(target))
    assert outcome.code == 2
    assert "client_key" in outcome.stderr and "cannot read" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_the_target_s_api_credentials_never_reach_the_provider(
    conformant: RunningReference, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CG_TEST_API_KEY", "api-key-for-the-api-beside-it")
    table = {**conformant.table, "auth": {"headers": {"X-Api-Key": "env:CG_TEST_API_KEY"}}}
    mark = conformant.server.mark()
    report = run(table, tmp_path, only=["5.2.7-access-tokens/jwt"])
    assert verdicts(report) == {"5.2.7-access-tokens/jwt": "pass"}
    received = conformant.server.requests_since(mark)
    assert received and not [r for r in received if r.header("X-Api-Key")]


def test_an_unreachable_provider_is_inconclusive_never_an_error(tmp_path: Path) -> None:
    from cgtest.servers import unused_port_url

    table = {"urls": {"issuer": unused_port_url("")}, "budget": {"rate_limit": 0, "timeout": 2}}
    report = run(table, tmp_path)
    got = verdicts(report)
    assert got["5.4.1-discovery-endpoint/openid-configuration"] == "inconclusive"
    assert "error" not in got.values() and "fail" not in got.values()
