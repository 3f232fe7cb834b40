"""Self-tests of the `adr-openapi` checks: the reference passes, every seeded defect fails
with its own requirement id, and the official linter's golden cases agree."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from cgtest.clirun import CliResult
from cgtest.shared_data import GOLDEN, golden_cases, require_shared

from cgconform.fixtures.openapi.defects import DEFECTS, REFERENCE, reference

Cli = Callable[..., CliResult]
REVIEWED = {"/core/interface-language", "/core/doc-language"}


def lint(cli: Cli, spec: Path | str, *extra: str) -> CliResult:
    return cli("run", "--profile", "adr-openapi", "--spec", str(spec), "--quiet", *extra)


def test_reference_document_is_conformant(cli: Cli) -> None:
    result = lint(cli, REFERENCE)
    assert result.code == 0, result.stdout
    assert result.report["verdict"] == "conformant"
    verdicts = result.verdicts()
    assert {k for k, v in verdicts.items() if v == "needs_review"} == REVIEWED
    assert {v for k, v in verdicts.items() if k not in REVIEWED} == {"pass"}


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_seeded_defect_is_caught_by_its_requirement_only(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    defect = DEFECTS[name]
    spec = tmp_path / f"{name}.json"
    spec.write_text(json.dumps(defect.apply(reference())), encoding="utf-8")
    result = lint(cli, spec)
    verdicts = result.verdicts()
    others = {k: v for k, v in verdicts.items() if k not in (defect.requirement, *REVIEWED)}
    assert verdicts[defect.requirement] == defect.verdict, result.stdout
    assert set(others.values()) == {"pass"}, others
    row = next(r for r in result.report["results"] if r["requirement"] == defect.requirement)
    assert row["message"], "a finding says what is wrong"
    assert row["evidence"], "a finding points at the document"
    assert result.code == (1 if defect.verdict == "fail" else 0)


def test_unparseable_yaml_fails_doc_openapi_with_the_line(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1.0.0\n")
    result = lint(cli, spec)
    assert result.code == 1
    row = next(r for r in result.report["results"] if r["requirement"] == "/core/doc-openapi")
    assert row["verdict"] == "fail"
    assert re.search(r"line \d+", row["message"])
    assert result.verdicts()["/core/semver"] == "inconclusive"


def test_public_api_option_makes_contact_not_applicable(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "no-contact.json"
    spec.write_text(json.dumps(DEFECTS["contact_missing"].apply(reference())))
    target = tmp_path / "target.toml"
    target.write_text(f'spec = "{spec}"\n[statement]\npublic_api = false\n')
    result = cli("run", "--profile", "adr-openapi", "--target", str(target), "--quiet")
    row = next(
        r for r in result.report["results"] if r["requirement"] == "/core/doc-openapi-contact"
    )
    assert row["verdict"] == "not_applicable"
    assert "public_api = false" in row["reason"]
    assert result.code == 0


def test_junit_has_one_testcase_per_result(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "v.json"
    spec.write_text(json.dumps(DEFECTS["version_header_missing"].apply(reference())))
    result = lint(cli, spec)
    tree = ET.parse(result.report_dir / "junit.xml")
    cases = tree.getroot().findall(".//testcase")
    assert len(cases) == len(result.report["results"])
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == 1
    assert "API-Version" in (failures[0].find("failure").text or "")  # type: ignore[union-attr]


# -- the official ADR linter's golden cases ---------------------------------------------------

# Spectral rule -> the ADR requirement it checks (ruleset-2.2-develop.yaml comments).
SPECTRAL_RULES = {
    "nlgov:openapi3": "/core/doc-openapi",
    "nlgov:openapi-root-exists": "/core/doc-openapi",
    "oas3-schema": "/core/doc-openapi",
    "oas3-api-servers": "/core/doc-openapi",
    "operation-operationId-unique": "/core/doc-openapi",
    "path-params": "/core/doc-openapi",
    "openapi-tags-uniqueness": "/core/doc-openapi",
    "oas3-valid-media-example": "/core/doc-openapi",
    "oas3-valid-schema-example": "/core/doc-openapi",
    "oas3-server-variables": "/core/doc-openapi",
    "nlgov:semver": "/core/semver",
    "nlgov:missing-version-header": "/core/version-header",
    "nlgov:missing-header": "/core/version-header",
    "info-contact": "/core/doc-openapi-contact",
    "nlgov:info-contact-fields-exist": "/core/doc-openapi-contact",
    "nlgov:include-major-version-in-uri": "/core/uri-version",
    "path-keys-no-trailing-slash": "/core/no-trailing-slash",
    "nlgov:paths-no-trailing-slash": "/core/no-trailing-slash",
    "nlgov:paths-kebab-case": "/core/path-segments-kebab-case",
    "nlgov:query-keys-camel-case": "/core/query-keys-camel-case",
    "nlgov:use-problem-schema": "/core/error-handling/problem-details",
    "nlgov:problem-schema-members": "/core/error-handling/problem-details",
    "nlgov:problem-invalid-input": "/core/error-handling/invalid-input",
    "nlgov:date-time-ensure-timezone": "/core/date-time/format",
    "nlgov:time-without-timezone": "/core/date-time/format",
    "nlgov:specify-format-for-date-and-time": "/core/date-time/format",
    "nlgov:use-date-instead-of-datetime": "/core/date-time/date-omit-time-portion",
    "nlgov:servers-use-https": "/core/transport/tls",
}
# Requirements the official linter has no rule for: cgconform's own heuristics and reviews.
NOT_IN_LINTER = {
    "/core/transport/no-sensitive-uris",
    "/core/naming-resources",
    "/core/naming-collections",
    "/core/interface-language",
    "/core/doc-language",
    "/core/nested-child",
}
RULE_IN_OUTPUT = re.compile(r"^\s*\d+:\d+\s+error\s+(\S+)", re.MULTILINE)


def expected_findings(case: str) -> set[str]:
    text = (GOLDEN / case / "expected-output.txt").read_text(encoding="utf-8")
    return {SPECTRAL_RULES[r] for r in RULE_IN_OUTPUT.findall(text) if r in SPECTRAL_RULES}


def test_golden_cases_are_present() -> None:
    require_shared("reference", "adr-linter", "testcases")
    assert len(golden_cases()) == 26


@pytest.mark.parametrize("case", golden_cases() or ["(shared missing)"])
def test_golden_case_agrees_with_the_official_linter(cli: Cli, case: str) -> None:
    spec = require_shared("reference", "adr-linter", "testcases", case, "openapi.json")
    result = lint(cli, spec)
    found = {
        k
        for k, v in result.verdicts().items()
        if v in ("fail", "warning") and k not in NOT_IN_LINTER
    }
    assert found == expected_findings(case), result.stdout


def test_baseline_is_conformant_and_version_header_missing_fails(cli: Cli) -> None:
    baseline = require_shared("reference", "adr-linter", "testcases", "baseline", "openapi.json")
    assert lint(cli, baseline).code == 0
    missing = require_shared(
        "reference", "adr-linter", "testcases", "version-header-missing", "openapi.json"
    )
    result = lint(cli, missing)
    assert result.code == 1
    assert result.report["verdict"] == "not_conformant"
    assert result.verdicts()["/core/version-header"] == "fail"
