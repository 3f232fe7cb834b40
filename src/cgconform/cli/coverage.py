"""How much of a standard's text the profiles check, per section: for `cgconform profiles`.

Some catalogues list every normative sentence of a text rather than the scenarios of a test
suite (``profiles/standards/FSC-Core-*.yaml``, ``FSC-Logging-*.yaml``). They are recognised by
their ids, ``<standard>/<section>/.../<name>``, and say in comments per entry which other
requirements already decide a sentence (a scenario of a test suite, another check) and why a
sentence is not checked::

    - id: FSC-Core/contracts/validation/created-at
      # > The date provided in `contract.content.created_at` can not be in the future.
      # scenarios: none
      # via: FSC-Core/...            (optional)
      # check: fsc-manager           (optional: a check of its own runs in that profile)
      # why not: ...                 (optional: why it is not checked)

A sentence counts as checked when its own requirement, one of its scenarios or one of its
via-requirements is in a profile of the same suites; automatically or semi-automatically as the
catalogue says of that requirement; otherwise it is not checked, either because no outsider can
observe it (automation manual) or because no check exists yet.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgconform.model.catalogue import Profile, Requirement, load_catalogue
from cgconform.model.locations import profiles_dir

COMMENT_KEYS = ("scenarios", "via", "check", "why not", "note", "source")
_ENTRY = re.compile(r"^  - id: (\S+)\s*$")
_QUOTE = re.compile(r"^\s+# > ?(.*)$")
_KEY = re.compile(r"^\s+# (scenarios|via|check|why not|note|source): ?(.*)$")
_CONTINUED = re.compile(r"^\s+#   (.*)$")

CHECKED_AUTOMATICALLY = "automatic"
CHECKED_SEMI_AUTOMATICALLY = "semi-automatic"
NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Annotation:
    """What the comments of one catalogue entry say."""

    quote: str = ""
    scenarios: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    check: tuple[str, ...] = ()
    why_not: str = ""
    note: str = ""
    source: str = ""


def _ids(text: str) -> tuple[str, ...]:
    return tuple(i for i in (part.strip() for part in text.split(",")) if i and i != "none")


def read_annotations(text: str) -> dict[str, Annotation]:
    """Requirement id -> the comments of its entry, from a catalogue's YAML text."""
    found: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    key: str | None = None
    for line in text.splitlines():
        entry = _ENTRY.match(line)
        if entry:
            current = found.setdefault(
                entry.group(1), {"quote": [], **{k: [] for k in COMMENT_KEYS}}
            )
            key = None
            continue
        if current is None:
            continue
        quote = _QUOTE.match(line)
        if quote:
            current["quote"].append(quote.group(1).strip())
            key = None
            continue
        keyed = _KEY.match(line)
        if keyed:
            key = keyed.group(1)
            current[key].append(keyed.group(2).strip())
            continue
        continued = _CONTINUED.match(line)
        if continued and key is not None:
            current[key].append(continued.group(1).strip())
            continue
        key = None
    return {
        rid: Annotation(
            quote=" ".join(parts["quote"]),
            scenarios=_ids(" ".join(parts["scenarios"])),
            via=_ids(" ".join(parts["via"])),
            check=_ids(" ".join(parts["check"])),
            why_not=" ".join(parts["why not"]),
            note=" ".join(parts["note"]),
            source=" ".join(parts["source"]),
        )
        for rid, parts in found.items()
    }


def is_text_catalogue(standard: str, ids: Iterable[str]) -> bool:
    """A catalogue of a text's sentences: every id is `<standard>/<section>/.../<name>`."""
    ids = list(ids)
    return bool(ids) and all(i.startswith(standard + "/") and i.count("/") >= 2 for i in ids)


def section_of(requirement_id: str) -> str:
    """`FSC-Core/contracts/validation/created-at` -> `contracts/validation`."""
    return "/".join(requirement_id.split("/")[1:-1])


@dataclass(frozen=True)
class SentenceCoverage:
    requirement: Requirement
    annotation: Annotation
    status: str  # CHECKED_AUTOMATICALLY | CHECKED_SEMI_AUTOMATICALLY | NOT_CHECKED
    checked_by: tuple[str, ...]  # ids of the requirements in the profiles that decide it
    reason: str = ""  # why not checked

    @property
    def section(self) -> str:
        return section_of(self.requirement.id)

    @property
    def unobservable(self) -> bool:
        return self.status == NOT_CHECKED and self.requirement.automation == "manual"


@dataclass
class SectionCoverage:
    standard: str
    version: str
    section: str
    sentences: int = 0
    automatic: int = 0
    semi_automatic: int = 0
    unobservable: int = 0
    no_check_yet: int = 0

    @property
    def not_checked(self) -> int:
        return self.unobservable + self.no_check_yet

    def add(self, sentence: SentenceCoverage) -> None:
        self.sentences += 1
        if sentence.status == CHECKED_AUTOMATICALLY:
            self.automatic += 1
        elif sentence.status == CHECKED_SEMI_AUTOMATICALLY:
            self.semi_automatic += 1
        elif sentence.unobservable:
            self.unobservable += 1
        else:
            self.no_check_yet += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "standard_version": self.version,
            "section": self.section,
            "sentences": self.sentences,
            "automatic": self.automatic,
            "semi_automatic": self.semi_automatic,
            "not_checked": self.not_checked,
            "unobservable": self.unobservable,
            "no_check_yet": self.no_check_yet,
        }


@dataclass
class TextCoverage:
    """The coverage of one text catalogue by a family of profiles."""

    standard: str
    version: str
    profiles: tuple[str, ...]
    sentences: list[SentenceCoverage] = field(default_factory=list)

    def sections(self) -> list[SectionCoverage]:
        rows: dict[str, SectionCoverage] = {}
        for sentence in self.sentences:
            row = rows.setdefault(
                sentence.section, SectionCoverage(self.standard, self.version, sentence.section)
            )
            row.add(sentence)
        return list(rows.values())

    def total(self) -> SectionCoverage:
        total = SectionCoverage(self.standard, self.version, "total")
        for sentence in self.sentences:
            total.add(sentence)
        return total


def family(profile: Profile, profiles: Mapping[str, Profile]) -> list[Profile]:
    """The profiles that run the same suites as `profile` (FSC: its four profiles)."""
    suites = set(profile.suites)
    return [p for p in profiles.values() if suites & set(p.suites)]


def _catalogue_path(directory: Path, standard: str, version: str) -> Path:
    return directory / "standards" / f"{standard}-{version}.yaml"


def text_coverage(
    profile: Profile,
    profiles: Mapping[str, Profile],
    directory: Path,
    catalogue: Mapping[tuple[str, str], Mapping[str, Requirement]],
) -> list[TextCoverage]:
    """The coverage of every text catalogue a profile of `profile`'s family cites."""
    members = family(profile, profiles)
    included: dict[str, Requirement] = {}
    for member in members:
        for item in member.requirements:
            included.setdefault(item.requirement.id, item.requirement)
    cited = {(r.standard, r.standard_version) for r in included.values()}
    names = {p.id for p in members}
    result = []
    for standard, version in sorted(catalogue):
        requirements = catalogue[(standard, version)]
        if not is_text_catalogue(standard, requirements):
            continue
        path = _catalogue_path(directory, standard, version)
        try:
            annotations = read_annotations(path.read_text(encoding="utf-8"))
        except OSError:
            annotations = {}
        mentioned = any(
            set(a.scenarios + a.via) & included.keys() or set(a.check) & names
            for a in annotations.values()
        )
        if (standard, version) not in cited and not mentioned:
            continue
        text = TextCoverage(standard, version, tuple(sorted(names)))
        for requirement in requirements.values():
            note = annotations.get(requirement.id, Annotation())
            text.sentences.append(_judge(requirement, note, included))
        result.append(text)
    return result


def _judge(
    requirement: Requirement, note: Annotation, included: Mapping[str, Requirement]
) -> SentenceCoverage:
    candidates = [requirement.id, *note.scenarios, *note.via]
    by = tuple(dict.fromkeys(c for c in candidates if c in included))
    automations = {included[c].automation for c in by}
    if "automatic" in automations:
        return SentenceCoverage(requirement, note, CHECKED_AUTOMATICALLY, by)
    if "semi-automatic" in automations:
        return SentenceCoverage(requirement, note, CHECKED_SEMI_AUTOMATICALLY, by)
    if by:  # only manual requirements decide it: a person does
        reason = "decided by a person (" + ", ".join(by) + ")"
    elif requirement.automation == "manual":
        reason = note.why_not or "no outsider can observe it"
    else:
        reason = note.why_not or "no check yet"
    return SentenceCoverage(requirement, note, NOT_CHECKED, by, reason)


# -- text ----------------------------------------------------------------------------------------


def render_text(coverages: Sequence[TextCoverage], *, width: int = 100) -> list[str]:
    """Per text: a table of its sections, then the sentences not checked and why."""
    lines: list[str] = []
    for text in coverages:
        lines.append("")
        lines.append(
            f"Coverage of {text.standard} {text.version} by the profiles "
            f"{', '.join(text.profiles)} (normative sentences of the text):"
        )
        header = (
            f"  {'section':<46} {'sentences':>9} {'automatic':>9} {'semi-auto':>9} "
            f"{'not checked':>11}  (unobservable / no check yet)"
        )
        lines.append(header)
        for row in [*text.sections(), text.total()]:
            lines.append(
                f"  {row.section:<46} {row.sentences:>9} {row.automatic:>9} "
                f"{row.semi_automatic:>9} {row.not_checked:>11}  "
                f"({row.unobservable} / {row.no_check_yet})"
            )
        missing = [s for s in text.sentences if s.status == NOT_CHECKED]
        if missing:
            lines.append(f"  Not checked ({len(missing)}), and why:")
            for sentence in missing:
                kind = "unobservable" if sentence.unobservable else "no check yet"
                reason = sentence.reason
                if reason.startswith("no check yet"):
                    reason = reason.removeprefix("no check yet").lstrip(": ")
                lines.append(f"    {sentence.requirement.id} [{kind}]")
                if reason:
                    lines.extend(
                        textwrap.wrap(
                            reason, width, initial_indent=" " * 6, subsequent_indent=" " * 6
                        )
                    )
    return lines


def profile_coverage_lines(profile: Profile, profiles: Mapping[str, Profile]) -> list[str]:
    """The coverage part of `cgconform profiles <id>` (nothing for a profile whose family
    cites no text catalogue)."""
    directory = profiles_dir()
    catalogue = load_catalogue(directory)
    return render_text(text_coverage(profile, profiles, directory, catalogue.by_version))


def coverage_json(coverages: Sequence[TextCoverage]) -> list[dict[str, Any]]:
    """The same as JSON rows: per text its sections and its unchecked sentences."""
    return [
        {
            "standard": text.standard,
            "standard_version": text.version,
            "profiles": list(text.profiles),
            "sections": [row.as_dict() for row in text.sections()],
            "total": text.total().as_dict(),
            "not_checked": [
                {
                    "id": s.requirement.id,
                    "unobservable": s.unobservable,
                    "reason": s.reason,
                }
                for s in text.sentences
                if s.status == NOT_CHECKED
            ],
        }
        for text in coverages
    ]
