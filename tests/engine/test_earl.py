"""EARL 1.0 JSON-LD rendered from report.json: one assertion per result, outcomes from the
five EARL outcome values, a document any JSON-LD processor expands without fetching."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cgtest.reportdata import BASE_URL, make_report, make_result

from cgconform.report.earl import OUTCOMES, render_earl
from cgconform.report.schema import validate_report

EARL = "http://www.w3.org/ns/earl#"
DCT = "http://purl.org/dc/terms/"
WAIVER = {
    "requirement": "/core/semver",
    "reason": "fixed in release 2.4",
    "owner": "team-percelen",
    "expires": "2027-01-31",
}


def _mixed_report() -> dict[str, Any]:
    results = [
        make_result("/core/version-header", "fail", automation="automatic"),
        make_result("/core/uri-version", "pass", automation="automatic"),
        make_result("/core/semver", "fail", waiver=WAIVER),
        make_result("/core/publish-openapi", "warning", level="SHOULD"),
        make_result("/core/hide-implementation", "warning", automation="semi-automatic"),
        make_result("/core/naming-resources", "needs_review", automation="manual"),
        make_result("/core/http-safety", "inconclusive", message="429 Too Many Requests"),
        make_result("/core/transport/cors", "not_tested"),
        make_result("/core/doc-openapi-contact", "not_applicable", level="SHOULD"),
        make_result("/core/doc-openapi", "error", profile="adr-openapi", message="KeyError"),
        make_result("/core/uri-version", "pass", profile="adr-openapi"),
    ]
    report = make_report(results)
    assert validate_report(report) == []
    return report


def _assertions(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in doc["@graph"] if n.get("@type") == "earl:Assertion"]


def _by_requirement(doc: dict[str, Any], requirement: str) -> dict[str, Any]:
    found = [a for a in _assertions(doc) if a["earl:test"]["dct:identifier"] == requirement]
    assert len(found) == 1, requirement
    return found[0]


def test_one_assertion_per_result() -> None:
    report = _mixed_report()
    doc = render_earl(report)
    assertions = _assertions(doc)
    assert len(assertions) == len(report["results"])
    assert [a["earl:test"]["dct:identifier"] for a in assertions] == [
        r["requirement"] for r in report["results"]
    ]


def test_every_outcome_is_one_of_the_five_earl_outcomes() -> None:
    for assertion in _assertions(render_earl(_mixed_report())):
        assert assertion["earl:result"]["earl:outcome"]["@id"] in OUTCOMES


@pytest.mark.parametrize(
    ("requirement", "outcome"),
    [
        ("/core/version-header", "earl:failed"),
        ("/core/semver", "earl:failed"),  # waived: the verdict stays
        ("/core/publish-openapi", "earl:failed"),  # a SHOULD not followed
        ("/core/hide-implementation", "earl:cantTell"),  # a heuristic on a MUST
        ("/core/naming-resources", "earl:cantTell"),
        ("/core/http-safety", "earl:cantTell"),
        ("/core/transport/cors", "earl:untested"),
        ("/core/doc-openapi-contact", "earl:inapplicable"),
        ("/core/doc-openapi", "earl:cantTell"),
    ],
)
def test_verdicts_map_to_outcomes(requirement: str, outcome: str) -> None:
    assertion = _by_requirement(render_earl(_mixed_report()), requirement)
    assert assertion["earl:result"]["earl:outcome"] == {"@id": outcome}


def test_result_keeps_verdict_level_message_reason_and_waiver() -> None:
    doc = render_earl(_mixed_report())
    warning = _by_requirement(doc, "/core/publish-openapi")["earl:result"]
    assert warning["dct:title"] == "warning (SHOULD)"
    assert warning["dct:description"] == "/core/publish-openapi: warning (test message)"
    error = _by_requirement(doc, "/core/doc-openapi")["earl:result"]
    assert error["dct:description"] == "suite error: KeyError"
    untested = _by_requirement(doc, "/core/transport/cors")["earl:result"]
    assert "reason: deselected by --max-requests: budget spent" in untested["earl:info"]
    waived = _by_requirement(doc, "/core/semver")["earl:result"]
    assert any("team-percelen" in i and "2027-01-31" in i for i in waived["earl:info"])
    passed = [
        a["earl:result"] for a in _assertions(doc) if a["earl:result"]["dct:title"] == "pass (MUST)"
    ]
    assert len(passed) == 2
    assert all("dct:description" not in r for r in passed)  # a pass has no message


def test_test_subject_assertor_mode_and_date() -> None:
    report = _mixed_report()
    doc = render_earl(report)
    assertion = _by_requirement(doc, "/core/version-header")
    test = assertion["earl:test"]
    assert test["@id"] == report["results"][0]["url"]
    assert test["@type"] == "earl:TestRequirement"
    assert {t["@language"]: t["@value"] for t in test["dct:title"]} == {
        "nl": "Eis /core/version-header",
        "en": "Requirement /core/version-header",
    }
    assert assertion["earl:subject"]["@id"] == BASE_URL
    assert assertion["earl:subject"]["dct:title"] == "example-api"
    assertor = assertion["earl:assertedBy"]
    assert {"earl:Assertor", "earl:Software"} <= set(assertor["@type"])
    assert assertor["doap:release"]["doap:revision"] == "0.1.0"
    assert assertion["earl:mode"] == {"@id": "earl:automatic"}
    assert _by_requirement(doc, "/core/hide-implementation")["earl:mode"] == {
        "@id": "earl:semiAuto"
    }
    assert _by_requirement(doc, "/core/naming-resources")["earl:mode"] == {"@id": "earl:manual"}
    assert _by_requirement(doc, "/core/transport/cors")["earl:mode"] == {"@id": "earl:unknownMode"}
    assert assertion["earl:result"]["dct:date"] == {
        "@value": report["run"]["finished_at"],
        "@type": "xsd:dateTime",
    }


def test_subject_without_base_url_is_the_spec_or_a_blank_node() -> None:
    report = _mixed_report()
    report["target"]["base_url"] = None
    assert _assertions(render_earl(report))[0]["earl:subject"]["@id"] == BASE_URL + "/openapi.json"
    report["target"]["spec"] = "/home/me/openapi.yaml"
    subject = _assertions(render_earl(report))[0]["earl:subject"]
    assert subject["@id"] == "_:subject"
    assert subject["dct:source"] == "/home/me/openapi.yaml"


def test_requirements_sharing_a_url_do_not_merge() -> None:
    url = "https://example.nl/standard.html"
    report = make_report([make_result("/a", "pass", url=url), make_result("/b", "pass", url=url)])
    for assertion in _assertions(render_earl(report)):
        assert "@id" not in assertion["earl:test"]
        assert assertion["earl:test"]["dct:source"] == {"@id": url}


def test_hostile_text_stays_a_literal() -> None:
    report = make_report(
        [make_result("/core/x", "fail", message='"}], "@context": "https://evil.example/"')]
    )
    doc = json.loads(json.dumps(render_earl(report)))
    assert doc["@context"]["earl"] == EARL
    assert _assertions(doc)[0]["earl:result"]["dct:description"].startswith('"}]')


# --- as JSON-LD -----------------------------------------------------------------------------


def _no_remote_documents(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the EARL document made the processor fetch {url}")


def _expand(doc: dict[str, Any]) -> list[dict[str, Any]]:
    jsonld = pytest.importorskip("pyld.jsonld")
    expanded: list[dict[str, Any]] = jsonld.expand(
        json.loads(json.dumps(doc)), {"documentLoader": _no_remote_documents}
    )
    return expanded


def test_expands_as_json_ld_to_earl_terms() -> None:
    report = _mixed_report()
    expanded = _expand(render_earl(report))
    assertions = [n for n in expanded if EARL + "Assertion" in n.get("@type", [])]
    assert len(assertions) == len(report["results"])
    earl_outcomes = {EARL + o.removeprefix("earl:") for o in OUTCOMES}
    for node in assertions:
        (result,) = node[EARL + "result"]
        assert result["@type"] == [EARL + "TestResult"]
        (outcome,) = result[EARL + "outcome"]
        assert outcome["@id"] in earl_outcomes
        (date,) = result[DCT + "date"]
        assert date["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
        (test,) = node[EARL + "test"]
        assert {t["@language"] for t in test[DCT + "title"]} == {"nl", "en"}
        assert test[DCT + "identifier"][0]["@value"].startswith("/core/")
        (mode,) = node[EARL + "mode"]
        assert mode["@id"].startswith(EARL)
        (assertor,) = node[EARL + "assertedBy"]
        assert EARL + "Assertor" in assertor["@type"]
        (subject,) = node[EARL + "subject"]
        assert subject["@type"] == [EARL + "TestSubject"]


def test_converts_to_rdf_with_one_assertion_per_result() -> None:
    jsonld = pytest.importorskip("pyld.jsonld")
    report = _mixed_report()
    nquads: str = jsonld.to_rdf(
        json.loads(json.dumps(render_earl(report))),
        {"format": "application/n-quads", "documentLoader": _no_remote_documents},
    )
    typed = [
        line
        for line in nquads.splitlines()
        if line.endswith(f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EARL}Assertion> .")
    ]
    assert len(typed) == len(report["results"])
    assert f"<{EARL}outcome> <{EARL}failed>" in nquads
    assert '"Eis /core/version-header"@nl' in nquads
