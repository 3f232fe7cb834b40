"""`Passed`: a check that passes and says what it exercised, by both ways checks are run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cgtest.reportdata import make_report, make_result
from rich.console import Console

from cgconform.model.catalogue import select_profiles
from cgconform.model.outcomes import Failure, Passed
from cgconform.model.verdicts import Verdict
from cgconform.report.console import print_summary
from cgconform.report.html import render_html
from cgconform.report.junit import render_junit
from cgconform.report.schema import validate_report
from cgconform.run.assemble import CheckOutcome, RunInfo, build_report
from cgconform.run.checks import CheckFunction, classify
from cgconform.run.plugin import OUTCOME_PROPERTY

COVERED = "12 responses of 5 operations: GET /zaken (3), GET /zaken/{uuid} (9)"
EVIDENCE = {"note": "the operations exercised"}
BUDGET = {"max_requests": 10, "requests_sent": 0}


def _covered() -> None:
    raise Passed(COVERED, evidence=[EVIDENCE])


def test_classify_keeps_the_message_and_evidence_of_a_pass() -> None:
    with pytest.raises(Passed) as caught:
        _covered()
    assert classify(caught.value) == (Verdict.PASS, COVERED, [EVIDENCE])


def test_a_directly_called_check_passes_with_its_message() -> None:
    check = CheckFunction("suites/x.py::covered", _covered, (("ADR", "/core/semver"),), ())
    assert check.call({}) == (Verdict.PASS, COVERED, [EVIDENCE])
    silent = CheckFunction("suites/x.py::silent", lambda: None, (("ADR", "/core/semver"),), ())
    assert silent.call({}) == (Verdict.PASS, "", [])


class _Recorder:
    def __init__(self) -> None:
        self.reports: list[pytest.TestReport] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.reports.append(report)


def test_through_pytest_a_passed_check_is_a_passed_test_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "test_passes.py"
    module.write_text(
        "from cgconform.model.outcomes import Passed\n\n"
        "def test_covered():\n"
        f"    raise Passed({COVERED!r}, evidence=[{EVIDENCE!r}])\n\n"
        "def test_silent():\n"
        "    pass\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    recorder = _Recorder()
    code = pytest.main(
        [str(module), "-q", "-p", "cgconform.run.plugin", "-p", "no:cacheprovider"],
        plugins=[recorder],
    )
    assert code == pytest.ExitCode.OK
    outcomes = {}
    for report in recorder.reports:
        assert report.outcome == "passed" and report.longrepr is None
        (value,) = [v for k, v in report.user_properties if k == OUTCOME_PROPERTY]
        outcomes[report.nodeid.rsplit("::", 1)[1]] = json.loads(str(value))
    assert outcomes == {
        "test_covered": {"verdict": "pass", "message": COVERED, "evidence": [EVIDENCE]},
        "test_silent": {"verdict": "pass", "message": "", "evidence": []},
    }


def _report(*checks: tuple[Verdict, str]) -> dict[str, Any]:
    (profile,) = select_profiles(["adr-openapi"])
    outcomes = []
    for number, (verdict, message) in enumerate(checks):
        outcome = CheckOutcome(f"suites/x.py::check_{number}", [("ADR", "/core/semver")])
        outcome.add(verdict, message, [])
        outcomes.append(outcome)
    now = datetime.now(UTC)
    report = build_report(
        profiles=[profile],
        outcomes=outcomes,
        target={"name": "t", "base_url": None, "spec": None, "statement": {}},
        statement={},
        run=RunInfo(
            command="cgconform run", started_at=now, finished_at=now, seed=None, budget=BUDGET
        ),
    )
    assert validate_report(report) == []
    return report


def _semver(report: dict[str, Any]) -> dict[str, Any]:
    (result,) = [r for r in report["results"] if r["requirement"] == "/core/semver"]
    return result


def test_the_requirement_message_says_what_its_passing_checks_covered() -> None:
    result = _semver(_report((Verdict.PASS, COVERED), (Verdict.PASS, "")))
    assert result["verdict"] == "pass" and result["message"] == COVERED
    assert [c.get("message") for c in result["checks"]] == [COVERED, None]
    assert "reason" not in result


def test_a_failing_check_still_speaks_for_the_requirement() -> None:
    failure = Failure("1.0 is not semver")
    result = _semver(_report((Verdict.PASS, COVERED), (Verdict.FAIL, failure.message)))
    assert result["verdict"] == "fail" and result["message"] == "1.0 is not semver"


def _pass_with_message() -> dict[str, Any]:
    report = make_report([make_result("/core/semver", "pass", message=COVERED)])
    assert validate_report(report) == []
    return report


def test_junit_shows_a_pass_with_a_message_as_passing_output() -> None:
    root = ET.fromstring(render_junit(_pass_with_message()).encode("utf-8"))
    (case,) = root.iter("testcase")
    assert [child.tag for child in case] == ["properties", "system-out"]
    assert case.findtext("system-out") == f"pass: {COVERED}"
    assert root.get("failures") == root.get("errors") == root.get("skipped") == "0"


def test_console_and_html_show_what_a_pass_covered() -> None:
    console = Console(record=True, width=200)
    print_summary(_pass_with_message(), [], console=console, verbose=True)
    text = console.export_text()
    assert "✓ pass" in text and COVERED in text
    html = render_html(_pass_with_message())
    assert '<tbody class="result r-pass">' in html and "GET /zaken (3)" in html
    assert '<tbody class="result r-error">' not in html
