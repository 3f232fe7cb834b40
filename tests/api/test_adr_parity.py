"""Parity of `cgconform lint` with the official ADR linter (Spectral + ruleset-2.2-develop.yaml).

Spectral is the oracle and is run at test time (once per session per document set); see
tests/spectral_oracle.py and docs/adr-parity.md. A requirement is *flagged* by Spectral when
one of its error/warn results maps to it (spectral_oracle.RULES), and by cgconform when its
verdict is fail or warning. Only requirements that the Spectral ruleset checks are compared;
cgconform's own heuristics (naming, language, sensitive URIs, ...) have no counterpart.

Tests that need Spectral skip when it is not installed (.ci/spectral.sh installs it); with
CG_REQUIRE_SPECTRAL=1 (set by CI) that skip is a failure. Tests that need ../shared follow
CG_REQUIRE_SHARED (tests/shared_data.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from cgtest import spectral_oracle as so
from cgtest.shared_data import GOLDEN, golden_cases, require_shared

ADR_VERSION = "2.2.0"
RULESET = so.RULESET_FILES[ADR_VERSION]
FLAGGING_VERDICTS = frozenset({"fail", "warning"})
MIN_AGREEMENT = 0.97
REPO = Path(__file__).resolve().parents[2]

# (document, requirement) -> why cgconform deliberately answers differently from Spectral
# there; the reason points at a section of docs/adr-parity.md. document is a corpus file name
# ("fsc-manager.yaml") or "golden/<case>" for a golden case. Keep it short and true: an entry
# that no longer differs makes its test fail.
DELIBERATE_DIFFERENCES: dict[tuple[str, str], str] = {
    (doc, "/core/doc-openapi"): "remote $ref not fetched: inconclusive, see docs/adr-parity.md#d1"
    for doc in (
        "logboek-dataverwerkingen-lezen.json",
        "zgw-documenten-openzaak.yaml",
        "zgw-zaken-openzaak.yaml",
    )
}

# Golden cases whose expected-output.txt Spectral 6.16 does not reproduce word for word.
GOLDEN_MESSAGE_DIFFERENCES = {
    "openapi-versie-missing": "Spectral 6.16's unrecognized-format message also lists "
    "OpenAPI 3.2.x; the golden output was made with 6.15 (adr-linter/README.md)",
}


def require_spectral() -> Path:
    """The Spectral binary, or skip (fail under CG_REQUIRE_SPECTRAL=1) when it is absent."""
    binary = so.spectral_binary()
    if binary is not None:
        return binary
    where = os.environ.get("CG_SPECTRAL") or str(so.DEFAULT_BINARY)
    reason = f"needs Spectral, the parity oracle, at {where}: run .ci/spectral.sh"
    if os.environ.get("CG_REQUIRE_SPECTRAL") == "1":
        pytest.fail(f"CG_REQUIRE_SPECTRAL=1 but Spectral is missing; {reason}")
    pytest.skip(reason)


def corpus_documents() -> list[Path]:
    corpus = so.SHARED / "corpus"
    if not corpus.is_dir():
        return []
    return so.corpus_documents(corpus)


def golden_documents() -> list[Path]:
    return [GOLDEN / case / "openapi.json" for case in golden_cases()]


# --- the two sides, computed once per session ------------------------------------------------


_spectral_runs: dict[tuple[Path, ...], Mapping[Path, list[dict[str, Any]]] | so.SpectralError] = {}


def spectral_results(documents: tuple[Path, ...]) -> Mapping[Path, list[dict[str, Any]]]:
    """Spectral's results, from one run per document set per session (a failure too is
    remembered, so that it costs one Spectral run, not one per test)."""
    if documents not in _spectral_runs:
        try:
            _spectral_runs[documents] = so.run_spectral(list(documents), RULESET)
        except so.SpectralError as exc:
            _spectral_runs[documents] = exc
    outcome = _spectral_runs[documents]
    if isinstance(outcome, so.SpectralError):
        raise outcome
    return outcome


@cache
def cgconform_reports(documents: tuple[Path, ...]) -> Mapping[Path, dict[str, Any]]:
    from cgconform.run.lint import lint_paths  # the API under test

    reports = lint_paths(list(documents), adr_version=ADR_VERSION, offline=True)
    assert len(reports) == len(documents), "lint_paths gives one report per document"
    return dict(zip(documents, reports, strict=True))


def spectral_flags(document: Path, documents: Sequence[Path]) -> dict[str, list[str]]:
    require_spectral()
    return so.flagged(spectral_results(tuple(documents))[document], ADR_VERSION)


def cgconform_flags(document: Path, documents: Sequence[Path]) -> dict[str, dict[str, Any]]:
    """Requirement -> cgconform's result row, for every requirement it reports."""
    report = cgconform_reports(tuple(documents))[document]
    return {row["requirement"]: row for row in report["results"]}


def is_flagged(row: Mapping[str, Any] | None) -> bool:
    return row is not None and row["verdict"] in FLAGGING_VERDICTS


def describe(requirement: str, codes: list[str], row: Mapping[str, Any] | None) -> str:
    spectral = ", ".join(f"{c} x{codes.count(c)}" for c in sorted(set(codes))) or "nothing"
    if row is None:
        ours = "no result for it"
    else:
        where = [
            f"line {e['document']['line']}"
            for e in row.get("evidence") or []
            if isinstance(e, dict)
            and isinstance(e.get("document"), dict)
            and e["document"].get("line") is not None
        ][:3]
        ours = " ".join([f"{row['verdict']}:", row.get("message") or "", *where]).strip(" :")
    return f"  {requirement}: Spectral {spectral}; cgconform {ours}"


def comparison(
    documents: Sequence[Path],
) -> list[tuple[Path, str, bool, bool, list[str], dict[str, Any] | None]]:
    """(document, requirement, spectral flags, cgconform flags, codes, cgconform row) for every
    document x requirement the ruleset covers."""
    covered = sorted(so.covered_requirements(ADR_VERSION))
    rows = []
    for doc in documents:
        theirs = spectral_flags(doc, documents)
        ours = cgconform_flags(doc, documents)
        for requirement in covered:
            codes = theirs.get(requirement, [])
            row = ours.get(requirement)
            rows.append((doc, requirement, bool(codes), is_flagged(row), codes, row))
    return rows


# --- the mapping itself (no Spectral needed) --------------------------------------------------


@pytest.mark.parametrize("version", sorted(so.RULESET_FILES))
def test_mapping_covers_every_rule_of_the_ruleset(version: str) -> None:
    path = require_shared("reference", "adr-linter", so.RULESET_FILES[version].name)
    rules = yaml.safe_load(path.read_text("utf-8"))["rules"]
    mapped = so.RULES[version]
    assert not set(rules) - set(mapped), "rules without a requirement in spectral_oracle.RULES"
    for code, definition in rules.items():
        severity = definition if isinstance(definition, str) else definition.get("severity")
        assert mapped[code].severity == severity, f"{code}: the ruleset says {severity}"


@pytest.mark.parametrize("version", sorted(so.RULESET_FILES))
def test_mapped_requirements_exist_in_the_catalogue(version: str) -> None:
    catalogue = yaml.safe_load(
        (REPO / "profiles" / "standards" / f"ADR-{version}.yaml").read_text("utf-8")
    )
    known = {r["id"] for r in catalogue["requirements"]}
    used = {r.requirement for r in so.RULES[version].values() if r.requirement}
    assert used <= known, f"not ADR {version} requirement ids: {sorted(used - known)}"


def test_expected_output_parser_reads_the_stylish_format() -> None:
    text = (
        "\n/testcases/x/openapi.json\n"
        " 40:35  error  nlgov:missing-version-header  Return the full version number in a "
        "response header.  paths./openapi.json.get.responses[200].headers\n"
        " 1:1  warning  unrecognized-format        The provided document does not match\n"
        "\n✖ 2 problems (1 error, 1 warning, 0 infos, 0 hints)\n"
    )
    first, second = so.parse_expected_output(text)
    assert (first.line, first.column, first.severity, first.code) == (
        40,
        35,
        "error",
        "nlgov:missing-version-header",
    )
    assert first.path == "paths./openapi.json.get.responses[200].headers"
    assert so.stylish_path(["paths", "/openapi.json", "get", "responses", "200", "headers"]) == (
        first.path
    )
    assert (second.severity, second.path) == ("warning", "")
    assert so.parse_expected_output("No results with a severity of 'error' found!\n") == []


# --- the oracle reproduces the official linter's own golden outputs ---------------------------


@pytest.mark.parametrize("case", golden_cases() or ["(shared missing)"])
def test_spectral_reproduces_the_golden_output(case: str) -> None:
    document = require_shared("reference", "adr-linter", "testcases", case, "openapi.json")
    require_spectral()
    expected = so.parse_expected_output(
        (document.parent / "expected-output.txt").read_text("utf-8")
    )
    got = spectral_results(tuple(golden_documents()))[document]
    spectral = sorted(
        (
            r["range"]["start"]["line"] + 1,
            r["range"]["start"]["character"] + 1,
            r["code"],
            so.stylish_path(r["path"]),
        )
        for r in got
    )
    assert spectral == sorted((e.line, e.column, e.code, e.path) for e in expected)
    if case not in GOLDEN_MESSAGE_DIFFERENCES:
        assert sorted(r["message"] for r in got) == sorted(e.message for e in expected)


def test_every_code_spectral_reports_is_mapped() -> None:
    require_shared("corpus")
    require_spectral()
    documents = corpus_documents()
    codes = {r["code"] for rs in spectral_results(tuple(documents)).values() for r in rs}
    codes |= {r["code"] for rs in spectral_results(tuple(golden_documents())).values() for r in rs}
    assert not codes - set(so.RULES[ADR_VERSION]), "map these in spectral_oracle.RULES"


# --- cgconform against the golden cases (needs no Spectral: expected-output.txt is the oracle)


@pytest.mark.parametrize("case", golden_cases() or ["(shared missing)"])
def test_golden_case_flags_what_the_official_linter_expects(case: str) -> None:
    document = require_shared("reference", "adr-linter", "testcases", case, "openapi.json")
    lines = so.parse_expected_output((document.parent / "expected-output.txt").read_text("utf-8"))
    expected = {r for e in lines if (r := so.requirement_of(e.code, ADR_VERSION)) is not None}
    covered = so.covered_requirements(ADR_VERSION)
    ours = cgconform_flags(document, golden_documents())
    found = {req for req, row in ours.items() if req in covered and is_flagged(row)}
    key = f"golden/{case}"
    unexplained = {req for req in expected ^ found if (key, req) not in DELIBERATE_DIFFERENCES}
    stale = sorted(
        req for (doc, req) in DELIBERATE_DIFFERENCES if doc == key and req not in expected ^ found
    )
    detail = "\n".join(
        describe(req, [e.code for e in lines if so.requirement_of(e.code) == req], ours.get(req))
        for req in sorted(unexplained)
    )
    assert not unexplained, f"{case}: cgconform and expected-output.txt differ\n{detail}"
    assert not stale, f"{key}: listed as deliberate differences but now agree: {stale}"


# --- cgconform against Spectral on real documents ---------------------------------------------


@pytest.mark.parametrize("name", [p.name for p in corpus_documents()] or ["(shared missing)"])
def test_corpus_document_agrees_with_spectral(name: str) -> None:
    document = require_shared("corpus", name)
    require_spectral()
    documents = corpus_documents()
    rows = [r for r in comparison(documents) if r[0] == document]
    differ = {req: (codes, row) for _, req, theirs, ours, codes, row in rows if theirs != ours}
    unexplained = {r: d for r, d in differ.items() if (name, r) not in DELIBERATE_DIFFERENCES}
    stale = sorted(
        req for (doc, req) in DELIBERATE_DIFFERENCES if doc == name and req not in differ
    )
    detail = "\n".join(describe(req, *unexplained[req]) for req in sorted(unexplained))
    assert not unexplained, f"{name}: cgconform and Spectral disagree on\n{detail}"
    assert not stale, f"{name}: listed as deliberate differences but now agree: {stale}"


def test_corpus_agreement_ratio(request: pytest.FixtureRequest) -> None:
    require_shared("corpus")
    require_spectral()
    rows = comparison(corpus_documents())
    agree = sum(1 for r in rows if r[2] == r[3])
    deliberate = sum(
        1 for r in rows if r[2] != r[3] and (r[0].name, r[1]) in DELIBERATE_DIFFERENCES
    )
    ratio = agree / len(rows)
    request.node.user_properties.append(("adr_parity_agreement", f"{ratio:.4f}"))
    disagreements = sorted(f"{r[0].name} {r[1]}" for r in rows if r[2] != r[3])
    message = (
        f"agreement {agree}/{len(rows)} = {ratio:.2%} over corpus document x requirement "
        f"({deliberate} of the {len(rows) - agree} differences deliberate); "
        f"differ: {', '.join(disagreements) or 'none'}"
    )
    assert ratio >= MIN_AGREEMENT, message
