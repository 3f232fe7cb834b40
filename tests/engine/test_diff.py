"""`cgconform report diff`: regressions and fixes between two reports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cgtest.reportdata import make_report, make_result

from cgconform.model.verdicts import RunVerdict, Verdict
from cgconform.report.diff import Change, ReportDiff, diff_reports, render_text, to_json


def _report(*verdicts: tuple[str, str], **kwargs: Any) -> dict[str, Any]:
    """A report of (requirement, verdict) pairs in profile adr-runtime; SHOULD for warnings."""
    results = [
        make_result(req, v, level="SHOULD" if v == "warning" else "MUST") for req, v in verdicts
    ]
    return make_report(results, **kwargs)


def _keys(changes: list[Change]) -> list[tuple[str, Verdict | None, Verdict | None]]:
    return [(c.requirement, c.old, c.new) for c in changes]


def test_identical_reports_have_no_changes() -> None:
    report = _report(("/a", "pass"), ("/b", "fail"))
    d = diff_reports(report, report)
    assert not d.regression
    assert d.new_failures == d.fixed == d.changed == d.added == d.removed == []
    assert d.unchanged == 2


def test_pass_to_fail_is_a_new_failure_and_a_regression() -> None:
    d = diff_reports(
        _report(("/a", "pass"), ("/b", "pass")), _report(("/a", "fail"), ("/b", "pass"))
    )
    assert _keys(d.new_failures) == [("/a", Verdict.PASS, Verdict.FAIL)]
    assert d.regression and d.run_verdict_worse
    assert _keys(d.regressions) == [("/a", Verdict.PASS, Verdict.FAIL)]
    assert d.unchanged == 1


@pytest.mark.parametrize("old", ["fail", "error", "inconclusive", "not_tested"])
def test_back_to_pass_is_fixed_not_a_regression(old: str) -> None:
    d = diff_reports(_report(("/a", old)), _report(("/a", "pass")))
    assert _keys(d.fixed) == [("/a", Verdict.parse(old), Verdict.PASS)]
    assert d.changed == [] and d.new_failures == []
    assert not d.regression


@pytest.mark.parametrize(
    ("old", "new", "worse"),
    [
        ("pass", "warning", True),
        ("warning", "pass", False),  # better, but not a "fix" of a blocking verdict
        ("pass", "needs_review", True),
        ("needs_review", "pass", False),
        ("pass", "inconclusive", True),
        ("fail", "error", True),
        ("error", "fail", False),
        ("fail", "inconclusive", False),
        ("pass", "not_applicable", False),  # follows options / statement: ignored
        ("not_applicable", "inconclusive", False),
    ],
)
def test_other_changes(old: str, new: str, worse: bool) -> None:
    d = diff_reports(_report(("/a", old)), _report(("/a", new)))
    assert _keys(d.changed) == [("/a", Verdict.parse(old), Verdict.parse(new))]
    assert d.changed[0].worse is worse
    assert d.new_failures == d.fixed == []
    assert bool(d.regressions) is worse


def test_not_applicable_to_fail_is_a_new_failure_but_not_a_verdict_regression() -> None:
    d = diff_reports(_report(("/a", "not_applicable")), _report(("/a", "fail")))
    assert _keys(d.new_failures) == [("/a", Verdict.NOT_APPLICABLE, Verdict.FAIL)]
    assert d.regressions == []
    assert d.regression  # the run verdict still got worse: conformant -> not_conformant


def test_added_passing_requirement_is_no_regression() -> None:
    d = diff_reports(_report(("/a", "pass")), _report(("/a", "pass"), ("/b", "pass")))
    assert _keys(d.added) == [("/b", None, Verdict.PASS)]
    assert d.new_failures == [] and not d.regression


@pytest.mark.parametrize("verdict", ["fail", "error"])
def test_added_failing_requirement_is_a_regression(verdict: str) -> None:
    d = diff_reports(_report(("/a", "pass")), _report(("/a", "pass"), ("/b", verdict)))
    added = [("/b", None, Verdict.parse(verdict))]
    assert _keys(d.added) == added
    assert _keys(d.new_failures) == added
    assert _keys(d.regressions) == added
    assert d.regression


def test_added_failure_counts_even_when_the_run_verdict_stays() -> None:
    old = _report(("/a", "fail"))
    new = _report(("/a", "fail"), ("/b", "fail"))
    d = diff_reports(old, new)
    assert not d.run_verdict_worse
    assert d.regression


def test_removed_requirement_is_listed_and_no_regression() -> None:
    d = diff_reports(_report(("/a", "pass"), ("/b", "fail")), _report(("/a", "pass")))
    assert _keys(d.removed) == [("/b", Verdict.FAIL, None)]
    assert not d.regression


def test_run_verdict_alone_can_make_a_regression() -> None:
    waiver = {"requirement": "/a", "reason": "r", "owner": "o", "expires": "2026-12-01"}
    old = make_report([make_result("/a", "fail", waiver=waiver)])
    new = make_report([make_result("/a", "fail")])  # the waiver expired
    assert (old["verdict"], new["verdict"]) == ("conformant", "not_conformant")
    d = diff_reports(old, new)
    assert d.regressions == [] and d.unchanged == 1
    assert d.run_verdict_worse and d.regression


@pytest.mark.parametrize(
    ("old", "new", "worse"),
    [
        ("conformant", "inconclusive", True),
        ("inconclusive", "not_conformant", True),
        ("not_conformant", "error", True),
        ("error", "conformant", False),
        ("not_conformant", "inconclusive", False),
    ],
)
def test_run_verdict_order(old: str, new: str, worse: bool) -> None:
    d = ReportDiff(old_run_verdict=RunVerdict(old), new_run_verdict=RunVerdict(new))
    assert d.run_verdict_worse is worse


def test_results_are_keyed_by_profile_and_requirement() -> None:
    old = make_report([make_result("/a", "pass"), make_result("/a", "pass", profile="adr-openapi")])
    new = make_report(
        [make_result("/a", "pass"), make_result("/a", "fail", profile="adr-openapi")],
        profiles=["adr-runtime"],
    )
    d = diff_reports(old, new)
    assert [(c.profile, c.requirement) for c in d.new_failures] == [("adr-openapi", "/a")]
    assert d.unchanged == 1


def test_unknown_verdict_raises() -> None:
    bad = _report(("/a", "pass"))
    bad["results"][0]["verdict"] = "passed"
    with pytest.raises(ValueError, match="passed"):
        diff_reports(_report(("/a", "pass")), bad)


def _mixed() -> ReportDiff:
    old = _report(("/a", "pass"), ("/b", "fail"), ("/c", "pass"), ("/gone", "pass"))
    new = _report(("/a", "fail"), ("/b", "pass"), ("/c", "warning"), ("/new", "error"))
    return diff_reports(old, new)


def test_render_text_groups_changes() -> None:
    text = render_text(_mixed())
    assert text.splitlines()[:2] == ["Run verdict: not_conformant -> error (worse)", "REGRESSION"]
    assert "New failures (2):" in text
    assert "! adr-runtime  /a  pass -> fail [MUST]  Requirement /a" in text
    assert "! adr-runtime  /new  absent -> error [MUST]" in text
    assert "Fixed (1):\n  adr-runtime  /b  fail -> pass" in text
    assert "Changed (1):\n! adr-runtime  /c  pass -> warning [SHOULD]" in text
    assert "Added (1):" in text
    assert "Removed (1):\n  adr-runtime  /gone  pass -> absent" in text
    assert text.endswith("Unchanged: 0\n")


def test_render_text_without_changes_and_in_dutch() -> None:
    report = _report(("/a", "pass"))
    text = render_text(diff_reports(report, report), lang="nl")
    assert text == "Eindoordeel: conformant -> conformant\nGeen regressie\n\nOngewijzigd: 1\n"


def test_render_text_escapes_control_characters() -> None:
    old = make_report([make_result("/a", "pass", title_en="evil\x1b[2J title")])
    new = make_report([make_result("/a", "fail", title_en="evil\x1b[2J title")])
    text = render_text(diff_reports(old, new))
    assert "\x1b" not in text and "evil\\x1b[2J title" in text


def test_to_json() -> None:
    data = to_json(_mixed())
    assert json.loads(json.dumps(data)) == data
    assert data["regression"] is True
    assert data["run"]["old"]["verdict"] == "not_conformant"
    assert data["run"]["new"] == {"id": "0b6f3f4e-8c1d-4a57-9a5e-2f1f3c7d9e10", "verdict": "error"}
    assert data["new_failures"][0] == {
        "profile": "adr-runtime",
        "requirement": "/a",
        "level": "MUST",
        "title": {"nl": "Eis /a", "en": "Requirement /a"},
        "old": "pass",
        "new": "fail",
        "worse": True,
    }
    assert [c["requirement"] for c in data["removed"]] == ["/gone"]
    assert data["removed"][0]["new"] is None
    assert data["regressions"] == [
        {"profile": "adr-runtime", "requirement": "/a"},
        {"profile": "adr-runtime", "requirement": "/c"},
        {"profile": "adr-runtime", "requirement": "/new"},
    ]
