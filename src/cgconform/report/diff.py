"""Regressions and fixes between two report.json files (``cgconform report diff OLD NEW``).

Results are matched by ``(profile, requirement)``. A change is a **regression** when a
requirement's verdict got worse in the order of DESIGN.md §4 (moves to or from
``not_applicable`` do not count: they follow the profile options or the target's statement), when
a requirement that was not there before is ``fail`` or ``error``, or when the run verdict got
worse. The CLI turns :attr:`ReportDiff.regression` into its exit code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cgconform.model.verdicts import RunVerdict, Verdict, run_verdict

_FAILING = frozenset({Verdict.FAIL, Verdict.ERROR})
_FIXABLE = frozenset({Verdict.FAIL, Verdict.ERROR, Verdict.INCONCLUSIVE, Verdict.NOT_TESTED})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

Key = tuple[str, str]


@dataclass(frozen=True)
class Change:
    """One requirement of one profile whose verdict differs (``None``: absent on that side)."""

    profile: str
    requirement: str
    old: Verdict | None
    new: Verdict | None
    level: str = ""
    title: Mapping[str, str] = field(default_factory=dict)

    @property
    def worse(self) -> bool:
        """The verdict got worse; moves to or from ``not_applicable`` do not count."""
        if self.old is None or self.new is None:
            return False
        if Verdict.NOT_APPLICABLE in (self.old, self.new):
            return False
        return self.new > self.old

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "requirement": self.requirement,
            "level": self.level,
            "title": dict(self.title),
            "old": self.old.label if self.old is not None else None,
            "new": self.new.label if self.new is not None else None,
            "worse": self.worse,
        }


@dataclass(frozen=True)
class ReportDiff:
    """What changed from one report to the next; every list follows the reports' order."""

    old_run_verdict: RunVerdict
    new_run_verdict: RunVerdict
    old_run_id: str = ""
    new_run_id: str = ""
    new_failures: list[Change] = field(default_factory=list)
    """Now ``fail``/``error``; before anything else, or absent."""
    fixed: list[Change] = field(default_factory=list)
    """Was ``fail``/``error``/``inconclusive``/``not_tested``, now ``pass``."""
    changed: list[Change] = field(default_factory=list)
    """Every other verdict change between two present results."""
    added: list[Change] = field(default_factory=list)
    """Only in the new report (``old`` is ``None``)."""
    removed: list[Change] = field(default_factory=list)
    """Only in the old report (``new`` is ``None``)."""
    unchanged: int = 0

    @property
    def run_verdict_worse(self) -> bool:
        old, new = self.old_run_verdict, self.new_run_verdict
        return old is not new and run_verdict([old, new]) is new

    @property
    def regressions(self) -> list[Change]:
        """The requirement changes that make this diff a regression."""
        worse = [c for c in self.new_failures + self.changed if c.worse]
        return worse + [c for c in self.added if c.new in _FAILING]

    @property
    def regression(self) -> bool:
        return self.run_verdict_worse or bool(self.regressions)


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> ReportDiff:
    """Compare two report.json mappings (validate them first: unknown verdicts raise ValueError).

    A requirement reported twice in one profile counts once, with its first result.
    """
    before = _index(old)
    after = _index(new)
    groups: dict[str, list[Change]] = {
        "new_failures": [],
        "fixed": [],
        "changed": [],
        "added": [],
        "removed": [],
    }
    unchanged = 0
    for key, result in after.items():
        new_verdict = Verdict.parse(result["verdict"])
        previous = before.get(key)
        old_verdict = Verdict.parse(previous["verdict"]) if previous is not None else None
        change = _change(key, result, old_verdict, new_verdict)
        if old_verdict is None:
            groups["added"].append(change)
        if old_verdict is new_verdict:
            unchanged += 1
        elif new_verdict in _FAILING and old_verdict not in _FAILING:
            groups["new_failures"].append(change)
        elif old_verdict is None:
            pass  # added and not failing: listed under `added` only
        elif old_verdict in _FIXABLE and new_verdict is Verdict.PASS:
            groups["fixed"].append(change)
        else:
            groups["changed"].append(change)
    for key, result in before.items():
        if key not in after:
            old_verdict = Verdict.parse(result["verdict"])
            groups["removed"].append(_change(key, result, old_verdict, None))
    return ReportDiff(
        old_run_verdict=RunVerdict(old["verdict"]),
        new_run_verdict=RunVerdict(new["verdict"]),
        old_run_id=str(old.get("run", {}).get("id", "")),
        new_run_id=str(new.get("run", {}).get("id", "")),
        unchanged=unchanged,
        **groups,
    )


def _index(report: Mapping[str, Any]) -> dict[Key, Mapping[str, Any]]:
    index: dict[Key, Mapping[str, Any]] = {}
    for result in report.get("results", []):
        index.setdefault((str(result["profile"]), str(result["requirement"])), result)
    return index


def _change(
    key: Key, result: Mapping[str, Any], old: Verdict | None, new: Verdict | None
) -> Change:
    title = result.get("title")
    return Change(
        profile=key[0],
        requirement=key[1],
        old=old,
        new=new,
        level=str(result.get("level", "")),
        title={k: str(v) for k, v in title.items()} if isinstance(title, Mapping) else {},
    )


def to_json(d: ReportDiff) -> dict[str, Any]:
    """The diff as a JSON-ready mapping (``cgconform report diff --format json``)."""
    return {
        "regression": d.regression,
        "run": {
            "old": {"id": d.old_run_id, "verdict": d.old_run_verdict.value},
            "new": {"id": d.new_run_id, "verdict": d.new_run_verdict.value},
            "worse": d.run_verdict_worse,
        },
        "new_failures": [c.to_json() for c in d.new_failures],
        "fixed": [c.to_json() for c in d.fixed],
        "changed": [c.to_json() for c in d.changed],
        "added": [c.to_json() for c in d.added],
        "removed": [c.to_json() for c in d.removed],
        "unchanged": d.unchanged,
        "regressions": [
            {"profile": c.profile, "requirement": c.requirement} for c in d.regressions
        ],
    }


_TEXT = {
    "en": {
        "run": "Run verdict",
        "worse": "worse",
        "regression": "REGRESSION",
        "no_regression": "No regression",
        "new_failures": "New failures",
        "fixed": "Fixed",
        "changed": "Changed",
        "added": "Added",
        "removed": "Removed",
        "unchanged": "Unchanged",
        "absent": "absent",
    },
    "nl": {
        "run": "Eindoordeel",
        "worse": "slechter",
        "regression": "REGRESSIE",
        "no_regression": "Geen regressie",
        "new_failures": "Nieuwe fouten",
        "fixed": "Opgelost",
        "changed": "Gewijzigd",
        "added": "Toegevoegd",
        "removed": "Verwijderd",
        "unchanged": "Ongewijzigd",
        "absent": "afwezig",
    },
}


def render_text(d: ReportDiff, lang: str = "en") -> str:
    """A human-readable summary, grouped by kind of change; ``lang`` is ``en`` or ``nl``."""
    text = _TEXT.get(lang, _TEXT["en"])
    run = f"{text['run']}: {d.old_run_verdict.value} -> {d.new_run_verdict.value}"
    if d.run_verdict_worse:
        run += f" ({text['worse']})"
    lines = [run, text["regression"] if d.regression else text["no_regression"]]
    groups: Sequence[tuple[str, list[Change]]] = (
        ("new_failures", d.new_failures),
        ("fixed", d.fixed),
        ("changed", d.changed),
        ("added", d.added),
        ("removed", d.removed),
    )
    for name, changes in groups:
        if not changes:
            continue
        lines.append("")
        lines.append(f"{text[name]} ({len(changes)}):")
        lines.extend(_line(c, lang, text) for c in changes)
    lines.append("")
    lines.append(f"{text['unchanged']}: {d.unchanged}")
    return "\n".join(lines) + "\n"


def _line(change: Change, lang: str, text: Mapping[str, str]) -> str:
    old = change.old.label if change.old is not None else text["absent"]
    new = change.new.label if change.new is not None else text["absent"]
    title = change.title.get(lang) or change.title.get("en") or ""
    mark = "! " if change.worse or (change.old is None and change.new in _FAILING) else "  "
    level = f" [{change.level}]" if change.level else ""
    line = f"{mark}{change.profile}  {change.requirement}  {old} -> {new}{level}"
    if title:
        line += f"  {title}"
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", line)
