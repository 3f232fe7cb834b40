"""JUnit XML rendered from report.json: one testcase per requirement result."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from cgtest.reportdata import BASE_URL, make_evidence, make_report, make_result

from cgconform.report.junit import evidence_summary, render_junit, xml_safe
from cgconform.report.schema import validate_report

WAIVER = {
    "requirement": "/core/semver",
    "reason": "fixed in release 2.4",
    "owner": "team-percelen",
    "expires": "2027-01-31",
}


def _mixed_report() -> dict[str, Any]:
    results = [
        make_result("/core/version-header", "fail", evidence=[make_evidence(status=500)]),
        make_result("/core/uri-version", "pass"),
        make_result("/core/semver", "fail", waiver=WAIVER),
        make_result("/core/publish-openapi", "warning", level="SHOULD"),
        make_result("/core/naming-resources", "needs_review", message="check the nouns"),
        make_result("/core/http-safety", "inconclusive", message="429 Too Many Requests"),
        make_result("/core/transport/cors", "not_tested"),
        make_result("/core/doc-openapi-contact", "not_applicable", level="SHOULD"),
        make_result("/core/doc-openapi", "error", profile="adr-openapi", message="KeyError"),
    ]
    report = make_report(results, profiles=["fsc-manager"])
    assert validate_report(report) == []
    return report


def _parse(report: dict[str, Any]) -> ET.Element:
    xml = render_junit(report)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(xml.encode("utf-8"))


def _case(root: ET.Element, requirement: str) -> ET.Element:
    (case,) = [c for c in root.iter("testcase") if _props(c)["requirement"] == requirement]
    return case


def _props(element: ET.Element) -> dict[str, str]:
    props = element.find("properties")
    assert props is not None
    return {p.get("name", ""): p.get("value", "") for p in props.iter("property")}


def test_one_testcase_per_result_and_one_suite_per_profile() -> None:
    report = _mixed_report()
    root = _parse(report)
    assert root.tag == "testsuites"
    assert len(list(root.iter("testcase"))) == len(report["results"])
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [p["id"] for p in report["profiles"]]
    assert list(suites) == ["adr-runtime", "adr-openapi", "fsc-manager"]
    runtime = suites["adr-runtime"]
    assert runtime.attrib | {"time": "", "timestamp": ""} == {
        "name": "adr-runtime",
        "tests": "8",
        "failures": "1",
        "errors": "0",
        "skipped": "4",  # inconclusive, not_tested, not_applicable, waived fail
        "time": "",
        "timestamp": "",
    }
    assert suites["fsc-manager"].get("tests") == "0"
    assert suites["adr-openapi"].get("errors") == "1"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "9",
        "1",
        "1",
        "4",
    )
    assert root.get("time") == "150.500"  # the run's wall-clock time


def test_testcase_names_properties_and_suite_properties() -> None:
    root = _parse(_mixed_report())
    case = _case(root, "/core/uri-version")
    assert case.get("classname") == "adr-runtime"
    assert case.get("name") == "/core/uri-version — Requirement /core/uri-version"
    assert case.get("time") == "0.250"
    assert _props(case) == {
        "requirement": "/core/uri-version",
        "profile": "adr-runtime",
        "standard": "ADR",
        "level": "MUST",
        "verdict": "pass",
        "url": "https://gitdocumentatie.logius.nl/publicatie/api/adr/#/core/uri-version",
    }
    assert list(case) == [case.find("properties")]  # a plain pass: nothing else
    suite = root.find("testsuite")
    assert suite is not None
    assert _props(suite)["profile_verdict"] == "not_conformant"
    assert _props(suite)["run_verdict"] == "error"


def test_failure_carries_message_evidence_and_curl() -> None:
    root = _parse(_mixed_report())
    failure = _case(root, "/core/version-header").find("failure")
    assert failure is not None
    assert failure.get("type") == "fail"
    assert failure.get("message") == "/core/version-header: fail (test message)"
    text = failure.text or ""
    assert f"GET {BASE_URL}/percelen -> 500 (0.042 s)" in text
    assert f"curl -X GET '{BASE_URL}/percelen' -H 'Accept: application/json'" in text
    assert "check_core_version-header: fail" in text


def test_error_is_an_error_element() -> None:
    case = _case(_parse(_mixed_report()), "/core/doc-openapi")
    error = case.find("error")
    assert error is not None and error.get("message") == "KeyError"
    assert case.find("failure") is None


@pytest.mark.parametrize(
    ("requirement", "message"),
    [
        ("/core/http-safety", "inconclusive: 429 Too Many Requests"),
        ("/core/transport/cors", "not_tested: deselected by --max-requests: budget spent"),
        ("/core/doc-openapi-contact", "not_applicable: profile option 'public' is off"),
        (
            "/core/semver",
            "waived fail: fixed in release 2.4 (owner team-percelen, expires 2027-01-31)",
        ),
    ],
)
def test_skipped_verdicts(requirement: str, message: str) -> None:
    case = _case(_parse(_mixed_report()), requirement)
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("message") == message
    assert case.find("failure") is None and case.find("error") is None


def test_waived_fail_keeps_its_evidence() -> None:
    case = _case(_parse(_mixed_report()), "/core/semver")
    assert _props(case)["waived"] == "true"
    assert _props(case)["verdict"] == "fail"
    skipped = case.find("skipped")
    assert skipped is not None
    assert "/core/semver: fail (test message)" in (skipped.text or "")
    assert "curl -X GET" in (skipped.text or "")


@pytest.mark.parametrize(
    ("requirement", "start"),
    [
        ("/core/publish-openapi", "warning: /core/publish-openapi: warning (test message)"),
        ("/core/naming-resources", "needs_review: check the nouns"),
    ],
)
def test_warning_and_needs_review_pass_with_output(requirement: str, start: str) -> None:
    case = _case(_parse(_mixed_report()), requirement)
    assert case.find("failure") is None and case.find("skipped") is None
    out = case.find("system-out")
    assert out is not None and (out.text or "").startswith(start)


HOSTILE = "<script>alert(1)</script> ]]> & \" ' \x00\x1b[31mred\x1b[0m \ud800 end"


def test_hostile_text_survives_as_escaped_text() -> None:
    evidence = make_evidence(status=500, body=HOSTILE)
    evidence["request"]["url"] = BASE_URL + "/x?q=</failure><injected/>"
    result = make_result(
        "/core/version-header",
        "fail",
        message=HOSTILE,
        evidence=[evidence, {"note": HOSTILE}],
        title_en=HOSTILE,
    )
    skip = make_result("/core/semver", "not_tested", reason=HOSTILE)
    xml = render_junit(make_report([result, skip]))
    xml.encode("utf-8")  # no lone surrogates left
    assert "<script>" not in xml and "<injected/>" not in xml and "\x00" not in xml
    root = ET.fromstring(xml)
    assert len(list(root.iter("testcase"))) == 2
    assert root.find(".//injected") is None and root.find(".//script") is None
    escaped = "<script>alert(1)</script> ]]> & \" ' \\x00\\x1b[31mred\\x1b[0m \\ud800 end"
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("message") == escaped
    assert escaped in (failure.text or "")
    assert "</failure><injected/>" in (failure.text or "")
    assert root.findall(".//testcase")[0].get("name") == f"/core/version-header — {escaped}"
    skipped = root.find(".//skipped")
    assert skipped is not None and skipped.get("message") == f"not_tested: {escaped}"


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("plain", "plain"),
        ("tab\tnewline\ncr\r", "tab\tnewline\ncr\r"),
        ("\x00\x08\x0b\x0c\x1f", "\\x00\\x08\\x0b\\x0c\\x1f"),
        ("\ufffe\uffff", "\\ufffe\\uffff"),
        ("é€😀", "é€😀"),
    ],
)
def test_xml_safe(text: str, safe: str) -> None:
    assert xml_safe(text) == safe


def test_long_messages_are_clipped_in_attributes_but_kept_in_the_body() -> None:
    message = "x" * 5000
    xml = render_junit(make_report([make_result(verdict="fail", message=message)]))
    failure = ET.fromstring(xml).find(".//failure")
    assert failure is not None
    assert len(failure.get("message", "")) == 1000
    assert message in (failure.text or "")


def test_evidence_summary_kinds() -> None:
    assert evidence_summary({"request": {"method": "GET", "url": "https://x/"}}) == [
        "GET https://x/ -> no response"
    ]
    document = {
        "source": "openapi.yaml",
        "pointer": "/info",
        "line": 3,
        "column": 1,
        "value_excerpt": "version: 1",
    }
    assert evidence_summary({"document": document}) == [
        "openapi.yaml#/info (line 3, column 1): version: 1"
    ]
    assert evidence_summary({"error": "boom", "note": "n"}) == ["error: boom", "note: n"]


def test_unknown_verdict_is_an_error_not_a_pass() -> None:
    report = make_report()
    report["results"][0]["verdict"] = "passed"
    error = ET.fromstring(render_junit(report)).find(".//error")
    assert error is not None and error.get("message") == "unknown verdict 'passed'"


def test_empty_report_renders() -> None:
    root = _parse(make_report([], verdict="error"))
    assert root.get("tests") == "0" and root.findall("testsuite") == []


def test_junitparser_reads_it(tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    report = _mixed_report()
    path = tmp_path / "junit.xml"  # as CI tools read it: a file, bytes with a declaration
    path.write_text(render_junit(report), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    assert len(cases) == len(report["results"])
    by_name = {case.name.split(" — ")[0]: case for case in cases}
    assert not by_name["/core/version-header"].is_passed
    assert isinstance(by_name["/core/version-header"].result[0], junitparser.Failure)
    assert isinstance(by_name["/core/doc-openapi"].result[0], junitparser.Error)
    assert by_name["/core/transport/cors"].is_skipped
    assert by_name["/core/uri-version"].is_passed
    assert by_name["/core/publish-openapi"].is_passed
    assert by_name["/core/publish-openapi"].system_out.startswith("warning:")
