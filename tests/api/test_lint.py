"""`cgconform lint`: many documents in one process, the formats, ADR 2.1, real-world mess."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from cgtest.clirun import CliResult, assert_valid_report
from cgtest.shared_data import SHARED, require_shared

from cgconform.fixtures.openapi.defects import DEFECTS, REFERENCE, reference
from cgconform.run.lint import lint_paths

Cli = Callable[..., CliResult]


def write(tmp_path: Path, name: str, document: dict[str, object]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def test_text_output_points_at_file_line_and_column(cli: Cli, tmp_path: Path) -> None:
    spec = write(tmp_path, "v.json", DEFECTS["semver_two_parts"].apply(reference()))
    result = cli("lint", str(spec))
    assert result.code == 1
    line = next(x for x in result.stdout.splitlines() if "/core/semver" in x)
    assert f"{spec}:" in line and "fail" in line
    location = line.split()[0]
    assert location.count(":") >= 2 and location.rsplit(":", 2)[1].isdigit()


def test_several_documents_one_report_each_and_exit_1_when_any_must_fails(
    cli: Cli, tmp_path: Path
) -> None:
    bad = write(tmp_path, "bad.json", DEFECTS["version_header_missing"].apply(reference()))
    result = cli("lint", "--format", "json", str(REFERENCE), str(bad))
    assert result.code == 1
    documents = json.loads(result.stdout)["documents"]
    assert [d["verdict"] for d in documents] == ["conformant", "not_conformant"]
    for report in documents:
        assert_valid_report(report)
    assert cli("lint", str(REFERENCE)).code == 0


def test_documents_linted_in_parallel_give_the_same_reports_in_the_order_given(
    tmp_path: Path,
) -> None:
    names = ["version_header_missing", "semver_two_parts", "contact_missing"]
    paths = [str(REFERENCE)] + [
        str(write(tmp_path, f"{n}.json", DEFECTS[n].apply(reference()))) for n in names
    ]

    def results(reports: list[dict[str, object]]) -> list[object]:
        return [
            (r["target"], [(x["requirement"], x["verdict"], x["message"]) for x in r["results"]])  # type: ignore[index, union-attr]
            for r in reports
        ]

    one_by_one = lint_paths(paths, jobs=1)
    assert results(lint_paths(paths, jobs=2)) == results(one_by_one)
    assert [r["target"]["spec"] for r in one_by_one] == paths  # type: ignore[index]


def test_sarif_has_rules_results_and_regions(cli: Cli, tmp_path: Path) -> None:
    spec = write(tmp_path, "p.json", DEFECTS["problem_without_detail"].apply(reference()))
    result = cli("lint", "--format", "sarif", str(spec))
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "/core/error-handling/problem-details" in rules
    assert rules["/core/error-handling/problem-details"]["helpUri"].startswith("https://")
    finding = next(
        r for r in run["results"] if r["ruleId"] == "/core/error-handling/problem-details"
    )
    assert finding["level"] == "error"
    region = finding["locations"][0]["physicalLocation"]["region"]
    text = spec.read_text().splitlines()
    assert '"properties"' in text[region["startLine"] - 1]


def test_junit_one_suite_per_document(cli: Cli, tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.json", DEFECTS["semver_two_parts"].apply(reference()))
    result = cli("lint", "--format", "junit", str(REFERENCE), str(bad))
    suites = ET.fromstring(result.stdout).findall("testsuite")
    assert len(suites) == 2
    assert int(suites[1].get("failures", "0")) == 1


def test_adr_2_1_applies_its_own_rule_set(cli: Cli, tmp_path: Path) -> None:
    spec = write(tmp_path, "k.json", DEFECTS["path_not_kebab_case"].apply(reference()))
    v22 = json.loads(cli("lint", "--format", "json", str(spec)).stdout)["documents"][0]
    v21 = json.loads(cli("lint", "--format", "json", "--adr-version", "2.1", str(spec)).stdout)
    report = v21["documents"][0]
    assert report["profiles"][0]["standard_version"] == "2.1.0"
    assert report["run"]["options"]["standard_version"] == "2.1.0"
    ids = {r["requirement"] for r in report["results"]}
    assert "/core/path-segments-kebab-case" not in ids  # new in 2.2
    assert all(
        r["url"].startswith("https://gitdocumentatie.logius.nl/publicatie/api/adr/2.1.0/")
        for r in report["results"]
    )
    assert v22["verdict"] == "not_conformant" and report["verdict"] == "conformant"


def test_unknown_adr_version_is_a_usage_error(cli: Cli) -> None:
    result = cli("lint", "--adr-version", "1.0", str(REFERENCE))
    assert result.code == 2 and "does not support ADR 1.0" in result.stderr


def test_missing_document_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    result = cli("lint", str(tmp_path / "nope.yaml"))
    assert result.code == 2 and "not found" in result.stderr


def test_multi_file_document_resolves_relative_refs(tmp_path: Path) -> None:
    document = reference()
    problem = document["components"]["schemas"].pop("Problem")  # type: ignore[union-attr]
    del problem["properties"]["detail"]
    (tmp_path / "common.json").write_text(json.dumps({"Problem": problem}))
    text = json.dumps(document).replace('"#/components/schemas/Problem"', '"common.json#/Problem"')
    (tmp_path / "root.json").write_text(text)
    (report,) = lint_paths([str(tmp_path / "root.json")], offline=True)
    verdicts = {r["requirement"]: r for r in report["results"]}
    assert verdicts["/core/doc-openapi"]["verdict"] == "pass"
    row = verdicts["/core/error-handling/problem-details"]
    assert row["verdict"] == "fail"
    sources = {e["document"]["source"] for e in row["evidence"]}
    assert sources == {str(tmp_path / "common.json")}
    assert all("line" in e["document"] for e in row["evidence"])


def test_missing_referenced_file_fails_doc_openapi(tmp_path: Path) -> None:
    text = json.dumps(reference()).replace(
        '"#/components/schemas/Problem"', '"absent.json#/Problem"'
    )
    (tmp_path / "root.json").write_text(text)
    (report,) = lint_paths([str(tmp_path / "root.json")], offline=True)
    row = next(r for r in report["results"] if r["requirement"] == "/core/doc-openapi")
    assert row["verdict"] == "fail" and "absent.json" in row["message"]


def corpus_files() -> list[str]:
    folder = SHARED / "corpus"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else ["(shared missing)"]


@pytest.mark.parametrize("name", corpus_files())
def test_every_corpus_file_lints_without_a_suite_error(name: str) -> None:
    path = require_shared("corpus", name)
    (report,) = lint_paths([str(path)], offline=True)
    assert_valid_report(report)
    errors = [r for r in report["results"] if r["verdict"] == "error"]
    assert not errors, errors[0]["message"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("dup.yaml", "openapi: 3.0.3\ninfo:\n  title: Een\n  title: Twee\n  version: 1.0.0\n"),
        (
            "dup.json",
            '{"openapi": "3.0.3", "info": {"title": "Een", "title": "Twee", "version": "1.0.0"}}',
        ),
    ],
)
def test_a_key_given_twice_fails_doc_openapi_and_the_rest_is_still_checked(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    (report,) = lint_paths([str(path)], offline=True)
    rows = {r["requirement"]: r for r in report["results"]}
    assert rows["/core/doc-openapi"]["verdict"] == "fail"
    assert "twice" in rows["/core/doc-openapi"]["message"]
    assert "title" in rows["/core/doc-openapi"]["message"]
    assert rows["/core/semver"]["verdict"] == "pass"  # read as JSON parsers read it
