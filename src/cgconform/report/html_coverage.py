"""What the HTML report shows about the coverage of a text's normative sentences, per section
(for catalogues of a text's sentences, such as FSC Core and FSC Logging: requirement ids
``<standard>/<section>/.../<name>``).

From report.json alone: each result carries its standard, id, automation and verdict, so the
view counts, per section, the requirements this run decided, how (automatically or
semi-automatically) and with which verdicts. The catalogue knows more than a report (the
sentences no check decides, or that a Test Suite scenario decides), so a caller that has it
(the CLI, from `cgconform.cli.coverage.coverage_json`) may pass those rows as `sentences`; the
view then adds, per section, how many sentences the text has and how many are not checked
(unobservable, or no check yet)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DECIDED_WELL = ("pass",)
DECIDED_BADLY = ("fail", "error")


def is_sectioned(standard: str, requirement_id: str) -> bool:
    return requirement_id.startswith(standard + "/") and requirement_id.count("/") >= 2


def section_of(requirement_id: str) -> str:
    return "/".join(requirement_id.split("/")[1:-1])


@dataclass
class SectionView:
    section: str
    checks: int = 0  # requirements of this section the run has a result for
    automatic: int = 0
    semi_automatic: int = 0
    passed: int = 0
    warned: int = 0
    failed: int = 0
    other: int = 0  # inconclusive, not_tested, not_applicable, needs_review
    # From the catalogue (None: not given)
    sentences: int | None = None
    checked_automatically: int | None = None
    checked_semi_automatically: int | None = None
    unobservable: int | None = None
    no_check_yet: int | None = None

    def add(self, result: Mapping[str, Any]) -> None:
        self.checks += 1
        if result.get("automation") == "automatic":
            self.automatic += 1
        elif result.get("automation") == "semi-automatic":
            self.semi_automatic += 1
        verdict = result.get("verdict")
        if verdict in DECIDED_WELL:
            self.passed += 1
        elif verdict == "warning":
            self.warned += 1
        elif verdict in DECIDED_BADLY:
            self.failed += 1
        else:
            self.other += 1

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class TextView:
    standard: str
    version: str
    sections: list[SectionView] = field(default_factory=list)

    @property
    def total(self) -> SectionView:
        total = SectionView("total")
        for row in self.sections:
            for name in (
                "checks",
                "automatic",
                "semi_automatic",
                "passed",
                "warned",
                "failed",
                "other",
            ):
                setattr(total, name, getattr(total, name) + getattr(row, name))
            for name in (
                "sentences",
                "checked_automatically",
                "checked_semi_automatically",
                "unobservable",
                "no_check_yet",
            ):
                value = getattr(row, name)
                if value is not None:
                    setattr(total, name, (getattr(total, name) or 0) + value)
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "standard_version": self.version,
            "sections": [row.as_dict() for row in self.sections],
            "total": self.total.as_dict(),
        }


def coverage_view(
    report: Mapping[str, Any], sentences: Sequence[Mapping[str, Any]] | None = None
) -> list[TextView]:
    """One table per text catalogue the run's results cite (none: the page shows nothing).

    `sentences` are the rows of `cgconform.cli.coverage.coverage_json` (per text: `sections`
    with sentences, automatic, semi_automatic, unobservable, no_check_yet)."""
    texts: dict[tuple[str, str], dict[str, SectionView]] = {}
    seen: set[tuple[str, str]] = set()
    for result in _results(report):
        standard = str(result.get("standard", ""))
        rid = str(result.get("requirement", ""))
        if not is_sectioned(standard, rid) or (standard, rid) in seen:
            continue  # a requirement in several profiles counts once
        seen.add((standard, rid))
        key = (standard, str(result.get("standard_version", "")))
        rows = texts.setdefault(key, {})
        section = section_of(rid)
        rows.setdefault(section, SectionView(section)).add(result)
    for text in sentences or ():
        key = (str(text.get("standard", "")), str(text.get("standard_version", "")))
        if key not in texts:
            continue
        rows = texts[key]
        for row in text.get("sections") or ():
            section = str(row.get("section", ""))
            view = rows.setdefault(section, SectionView(section))
            view.sentences = int(row.get("sentences", 0))
            view.checked_automatically = int(row.get("automatic", 0))
            view.checked_semi_automatically = int(row.get("semi_automatic", 0))
            view.unobservable = int(row.get("unobservable", 0))
            view.no_check_yet = int(row.get("no_check_yet", 0))
    return [
        TextView(standard, version, sorted(rows.values(), key=lambda r: r.section))
        for (standard, version), rows in sorted(texts.items())
    ]


def _results(report: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    results = report.get("results")
    if isinstance(results, list):
        yield from (r for r in results if isinstance(r, Mapping))
