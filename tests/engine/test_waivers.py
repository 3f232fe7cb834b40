"""Waivers (DESIGN.md §4): loading waivers.yaml, and applying it to report.json."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cgtest.reportdata import make_report, make_result

from cgconform.report.schema import validate_report
from cgconform.run.waivers import Waiver, WaiverError, apply_waivers, load_waivers, parse_waivers

TODAY = date(2026, 11, 29)
GOOD = """\
# waivers for the percelen API
- requirement: /core/version-header
  reason: API-Version header comes with release 2.4
  owner: team-percelen@example.nl
  expires: 2027-01-31
- requirement: /core/transport/cors
  profile: adr-runtime
  reason: "CORS is handled by the gateway, test pending"
  owner: Jan Jansen
  expires: "2026-12-31"
"""


def _waiver(requirement: str = "/core/version-header", **fields: Any) -> Waiver:
    values: dict[str, Any] = {
        "reason": "fixed in release 2.4",
        "owner": "team-percelen",
        "expires": date(2027, 1, 31),
        **fields,
    }
    return Waiver(requirement=requirement, **values)


def _failing_report() -> dict[str, Any]:
    report = make_report(
        [
            make_result("/core/version-header", "fail"),
            make_result("/core/uri-version", "pass"),
            make_result("/core/publish-openapi", "warning", level="SHOULD"),
        ]
    )
    assert report["verdict"] == "not_conformant"
    return report


# --- loading -------------------------------------------------------------------------------


def test_load_good_file(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_waivers(path) == [
        Waiver(
            requirement="/core/version-header",
            reason="API-Version header comes with release 2.4",
            owner="team-percelen@example.nl",
            expires=date(2027, 1, 31),
        ),
        Waiver(
            requirement="/core/transport/cors",
            profile="adr-runtime",
            reason="CORS is handled by the gateway, test pending",
            owner="Jan Jansen",
            expires=date(2026, 12, 31),
        ),
    ]


def test_empty_file_has_no_waivers() -> None:
    assert parse_waivers("") == []
    assert parse_waivers("# nothing waived\n") == []


ENTRY = "- requirement: /core/x\n  reason: r\n  owner: o\n  expires: 2027-01-31\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ENTRY + "- requirement: /core/y\n  reason: r\n  owner: o\n",
            "entry 2 (line 5): field 'expires': missing",
        ),
        (
            ENTRY.replace("2027-01-31", "2027-13-01"),
            "entry 1 (line 1): field 'expires': '2027-13-01' is not a date",
        ),
        (
            ENTRY.replace("2027-01-31", "31-01-2027"),
            "field 'expires': '31-01-2027' is not a date (YYYY-MM-DD)",
        ),
        (ENTRY.replace("2027-01-31", "2027-01-31T10:00:00Z"), "field 'expires'"),
        (
            ENTRY.replace("owner: o", "owner: ''"),
            "entry 1 (line 1): field 'owner': must not be empty",
        ),
        (
            ENTRY.replace("reason: r", "reason: [a, b]"),
            "field 'reason': expected text, found a list",
        ),
        (
            ENTRY.replace("requirement: /core/x", "requirement: 42"),
            "field 'requirement': expected text, found a number",
        ),
        (ENTRY + "  expiry: 2027-01-31\n", "entry 1 (line 1): field 'expiry': unknown field"),
        (
            ENTRY + ENTRY,
            "entry 2 (line 5): field 'requirement': /core/x is already waived by entry 1",
        ),
        (ENTRY + "- just text\n", "entry 2 (line 5): expected a mapping"),
        ("requirement: /core/x\nreason: r\n", "expected a list of waivers"),
        ("- requirement: [unclosed\n", "not valid YAML (line 2"),
    ],
)
def test_bad_file_names_file_entry_and_field(text: str, expected: str) -> None:
    with pytest.raises(WaiverError) as caught:
        parse_waivers(text, source="ci/waivers.yaml")
    message = str(caught.value)
    assert message.startswith("ci/waivers.yaml: ")
    assert expected in message


def test_unreadable_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(WaiverError, match=r"nope\.yaml: cannot read the waivers file"):
        load_waivers(missing)


# --- applying ------------------------------------------------------------------------------


def test_waived_fail_makes_the_profile_conformant_and_stays_fail() -> None:
    report = _failing_report()
    notices = apply_waivers(report, [_waiver()], today=TODAY)
    assert notices == []
    result = report["results"][0]
    assert result["verdict"] == "fail"
    assert result["waiver"] == {
        "requirement": "/core/version-header",
        "reason": "fixed in release 2.4",
        "owner": "team-percelen",
        "expires": "2027-01-31",
    }
    assert report["profiles"][0]["verdict"] == "conformant"
    assert report["profiles"][0]["counts"]["fail"] == 1
    assert report["verdict"] == "conformant"
    assert validate_report(report) == []


def test_waiver_holds_through_its_expiry_date() -> None:
    report = _failing_report()
    assert apply_waivers(report, [_waiver(expires=TODAY)], today=TODAY) == []
    assert report["verdict"] == "conformant"


def test_expired_waiver_is_not_applied() -> None:
    report = _failing_report()
    notices = apply_waivers(report, [_waiver(expires=date(2026, 11, 28))], today=TODAY)
    assert notices == ["waiver for /core/version-header expired on 2026-11-28: not applied"]
    assert "waiver" not in report["results"][0]
    assert report["verdict"] == "not_conformant"
    assert validate_report(report) == []


def test_unmatched_waivers_are_reported() -> None:
    report = _failing_report()
    notices = apply_waivers(
        report,
        [_waiver(), _waiver("/core/uri-version"), _waiver("/core/no-such-rule")],
        today=TODAY,
    )
    assert notices == [
        "waiver for /core/uri-version matches no failure: remove it",
        "waiver for /core/no-such-rule matches no requirement in this report: "
        "check its requirement id and profile",
    ]
    assert "waiver" not in report["results"][1]


def test_warning_and_should_results_are_not_waived() -> None:
    report = _failing_report()
    notices = apply_waivers(report, [_waiver("/core/publish-openapi")], today=TODAY)
    assert notices == ["waiver for /core/publish-openapi matches no failure: remove it"]
    assert "waiver" not in report["results"][2]


@pytest.mark.parametrize("verdict", ["inconclusive", "not_tested"])
def test_inconclusive_and_not_tested_are_waivable(verdict: str) -> None:
    report = make_report([make_result("/core/a", verdict), make_result("/core/b", "pass")])
    assert report["verdict"] == "inconclusive"
    assert apply_waivers(report, [_waiver("/core/a")], today=TODAY) == []
    assert report["results"][0]["verdict"] == verdict
    assert report["verdict"] == "conformant"
    assert validate_report(report) == []


def test_error_is_never_waived() -> None:
    report = make_report([make_result("/core/a", "error")])
    notices = apply_waivers(report, [_waiver("/core/a")], today=TODAY)
    assert notices == ["waiver for /core/a matches no failure: remove it"]
    assert "waiver" not in report["results"][0]
    assert report["verdict"] == "error"


def test_needs_review_in_strict_mode_is_not_waived() -> None:
    report = make_report([make_result("/core/a", "needs_review")], strict=True)
    assert report["verdict"] == "inconclusive"
    apply_waivers(report, [_waiver("/core/a")], today=TODAY)
    assert "waiver" not in report["results"][0]
    assert report["verdict"] == "inconclusive"


def test_profile_waiver_applies_to_that_profile_only() -> None:
    report = make_report(
        [
            make_result("/core/a", "fail", profile="adr-runtime"),
            make_result("/core/a", "fail", profile="adr-openapi"),
        ]
    )
    notices = apply_waivers(report, [_waiver("/core/a", profile="adr-openapi")], today=TODAY)
    assert notices == []
    assert "waiver" not in report["results"][0]
    assert "waiver" in report["results"][1]
    verdicts = {p["id"]: p["verdict"] for p in report["profiles"]}
    assert verdicts == {"adr-runtime": "not_conformant", "adr-openapi": "conformant"}
    assert report["verdict"] == "not_conformant"
    assert validate_report(report) == []


def test_profile_waiver_wins_over_a_general_one() -> None:
    report = make_report([make_result("/core/a", "fail", profile="adr-openapi")])
    general = _waiver("/core/a", owner="general")
    specific = _waiver("/core/a", profile="adr-openapi", owner="specific")
    notices = apply_waivers(report, [general, specific], today=TODAY)
    assert report["results"][0]["waiver"]["owner"] == "specific"
    assert notices == ["waiver for /core/a matches no failure: remove it"]


def test_a_profile_in_error_stays_in_error() -> None:
    report = make_report([make_result("/core/a", "fail")])
    report["profiles"][0]["verdict"] = "error"  # a suite error the results do not show
    report["verdict"] = "error"
    apply_waivers(report, [_waiver("/core/a")], today=TODAY)
    assert report["profiles"][0]["verdict"] == "error"
    assert report["verdict"] == "error"
    assert validate_report(report) == []


def test_applying_twice_is_idempotent() -> None:
    report = _failing_report()
    apply_waivers(report, [_waiver()], today=TODAY)
    once = repr(report)
    assert apply_waivers(report, [_waiver()], today=TODAY) == []
    assert repr(report) == once


def test_loaded_file_applies_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(GOOD, encoding="utf-8")
    report = make_report(
        [
            make_result("/core/version-header", "fail"),
            make_result("/core/transport/cors", "not_tested"),
        ]
    )
    assert apply_waivers(report, load_waivers(path), today=TODAY) == []
    assert report["verdict"] == "conformant"
    assert validate_report(report) == []
