"""`cgconform doctor` on a target with a [logboek] table: every address and URL once, and a
clear line for each problem."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from logboekworld import application_target, logboek_target

from cgconform.cli.doctor import run_doctor
from cgconform.http.mock_server import MockServer, Reply
from cgconform.suites.logboek.harness.doctor import diagnose


def test_reference_roles_pass_the_doctor(tmp_path: Path) -> None:
    with logboek_target(tmp_path) as target:
        findings = diagnose(target)
        lines: list[str] = []
        code = run_doctor(target, lines.append)
    assert all(ok for ok, _, _ in findings), findings
    assert any("logboek_grpc answers" in what for _, what, _ in findings)
    assert code == 0, "\n".join(lines)
    with application_target() as target:
        findings = diagnose(target)
    assert all(ok for ok, _, _ in findings), findings


def test_a_listen_address_in_use_and_an_application_that_is_down() -> None:
    with application_target() as target:
        table = dict(target.suite_settings["logboek"])
        with MockServer(lambda _r: Reply(204)) as busy:
            table["listen"] = f"127.0.0.1:{busy.port}"
            broken = replace(
                target,
                suite_settings={"logboek": table},
                urls={"application": "http://127.0.0.1:9/nothing-here"},
            )
            findings = {what: (ok, fix) for ok, what, fix in diagnose(broken)}
    problems = {what: fix for what, (ok, fix) in findings.items() if not ok}
    assert any("[logboek] listen" in what for what in problems), findings
    assert any("urls.application" in what and "not reachable" in what for what in problems)
    assert all(fix for fix in problems.values()), "every problem says how to fix it"


def test_a_broken_table_is_one_finding() -> None:
    with application_target() as target:
        broken = replace(target, suite_settings={"logboek": {"listen": "nowhere"}})
        findings = diagnose(broken)
    assert len(findings) == 1 and not findings[0][0]
    assert "host:port" in findings[0][1]
