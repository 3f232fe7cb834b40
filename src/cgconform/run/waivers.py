"""Waivers (DESIGN.md §4): a signed-off, expiring exception for a requirement that blocks.

A waivers file is a YAML list::

    - requirement: /core/version-header      # the id as the standard writes it
      profile: adr-runtime                   # optional: only in this profile
      reason: API-Version header comes with release 2.4 (JIRA PERC-112)
      owner: team-percelen@example.nl
      expires: 2027-01-31                    # last day the waiver holds

:func:`apply_waivers` adds ``"waiver": {requirement, reason, owner, expires}`` to every
result it covers and recomputes the profile and run verdicts with :mod:`cgconform.model.verdicts`;
the result's own verdict stays as it is, so the report still says what was found.

A waiver covers a result that blocks conformance for a reason that lies with the target: a
``fail``, ``inconclusive`` or ``not_tested`` on a MUST / MUST NOT requirement. Never
``error`` (a fault in the suite: the run is invalid, a waiver cannot make it valid), nor
``needs_review`` (it is settled by a person's review, not by an exception), nor results that
do not block anyway (``warning``, a SHOULD): a waiver for those would hide nothing and is
reported as unused. A waiver with a ``profile`` wins over one without for the same result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from cgconform.model.verdicts import (
    MANDATORY_LEVELS,
    RunVerdict,
    Verdict,
    profile_verdict,
    run_verdict,
)

WAIVABLE = frozenset({Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.NOT_TESTED})

_FIELDS = ("requirement", "profile", "reason", "owner", "expires")
_REQUIRED = ("requirement", "reason", "owner", "expires")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML, with dates kept as text so that a bad one is our error, not PyYAML's."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


class WaiverError(ValueError):
    """A waivers file that cannot be used; the message names the file, entry and field."""


@dataclass(frozen=True)
class Waiver:
    requirement: str
    reason: str
    owner: str
    expires: date
    profile: str | None = None

    def as_result_field(self) -> dict[str, str]:
        """The ``waiver`` object of a result in report.json."""
        return {
            "requirement": self.requirement,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
        }

    def covers(self, result: Mapping[str, Any]) -> bool:
        """Whether this waiver names ``result``'s requirement (and profile, if it has one)."""
        return result.get("requirement") == self.requirement and (
            self.profile is None or result.get("profile") == self.profile
        )

    @property
    def name(self) -> str:
        return self.requirement if self.profile is None else f"{self.requirement} ({self.profile})"


# --- loading -------------------------------------------------------------------------------


def load_waivers(path: Path | str) -> list[Waiver]:
    """The waivers in the YAML file at ``path``; :class:`WaiverError` when it is unusable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise WaiverError(f"{path}: cannot read the waivers file: {why}") from None
    return parse_waivers(text, source=str(path))


def parse_waivers(text: str, *, source: str = "waivers.yaml") -> list[Waiver]:
    """The waivers in YAML ``text``; ``source`` names the file in error messages."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise WaiverError(f"{source}: not valid YAML{where}: {problem}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise WaiverError(
            f"{source}: expected a list of waivers (- requirement: ..., reason: ..., owner: ..., "
            f"expires: YYYY-MM-DD), found a {_kind(data)}"
        )
    lines = [item.start_mark.line + 1 for item in node.value] if node is not None else []
    waivers: list[Waiver] = []
    seen: dict[tuple[str, str | None], int] = {}
    for index, entry in enumerate(data):
        where = f"{source}: entry {index + 1}"
        if index < len(lines):
            where += f" (line {lines[index]})"
        waiver = _parse_entry(entry, where)
        key = (waiver.requirement, waiver.profile)
        if key in seen:
            raise WaiverError(
                f"{where}: field 'requirement': {waiver.name} is already waived by entry "
                f"{seen[key] + 1}"
            )
        seen[key] = index
        waivers.append(waiver)
    return waivers


def _parse_entry(entry: Any, where: str) -> Waiver:
    if not isinstance(entry, dict):
        raise WaiverError(f"{where}: expected a mapping with {', '.join(_REQUIRED)}")
    unknown = [str(k) for k in entry if k not in _FIELDS]
    if unknown:
        raise WaiverError(
            f"{where}: field {unknown[0]!r}: unknown field (allowed: {', '.join(_FIELDS)})"
        )
    for name in _REQUIRED:
        if name not in entry:
            raise WaiverError(f"{where}: field {name!r}: missing")
    texts = {
        name: _text(entry, name, where) for name in _FIELDS if name in entry and name != "expires"
    }
    return Waiver(
        requirement=texts["requirement"],
        reason=texts["reason"],
        owner=texts["owner"],
        expires=_date(entry["expires"], where),
        profile=texts.get("profile"),
    )


def _text(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry[name]
    if not isinstance(value, str):
        raise WaiverError(f"{where}: field {name!r}: expected text, found a {_kind(value)}")
    if not value.strip():
        raise WaiverError(f"{where}: field {name!r}: must not be empty")
    return value.strip()


def _date(value: Any, where: str) -> date:
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise WaiverError(f"{where}: field 'expires': {value!r} is not a date (YYYY-MM-DD)")


def _kind(value: Any) -> str:
    return {
        dict: "mapping",
        list: "list",
        str: "text",
        bool: "boolean",
        int: "number",
        float: "number",
    }.get(type(value), type(value).__name__)


# --- applying ------------------------------------------------------------------------------


def apply_waivers(
    report: MutableMapping[str, Any], waivers: Sequence[Waiver], *, today: date
) -> list[str]:
    """Attach the waivers in force on ``today`` to the results they cover in ``report``
    (report.json, changed in place) and recompute its profile and run verdicts.

    Returns one notice per waiver that was not used: expired ones, and ones that match no
    blocking result (or no requirement at all) in this report.
    """
    notices: list[str] = []
    active: list[Waiver] = []
    for waiver in waivers:
        if waiver.expires < today:
            notices.append(
                f"waiver for {waiver.name} expired on {waiver.expires.isoformat()}: not applied"
            )
        else:
            active.append(waiver)
    # Most specific first: a waiver for one profile wins over one for every profile.
    ranked = sorted(active, key=lambda w: w.profile is None)
    used: set[Waiver] = set()
    for result in report["results"]:
        if not _waivable(result):
            continue
        chosen = next((w for w in ranked if w.covers(result)), None)
        if chosen is not None:
            result["waiver"] = chosen.as_result_field()
            used.add(chosen)
    for waiver in active:
        if waiver in used:
            continue
        if any(waiver.covers(r) for r in report["results"]):
            notices.append(f"waiver for {waiver.name} matches no failure: remove it")
        else:
            notices.append(
                f"waiver for {waiver.name} matches no requirement in this report: "
                "check its requirement id and profile"
            )
    recompute_verdicts(report)
    return notices


def _waivable(result: Mapping[str, Any]) -> bool:
    try:
        verdict = Verdict.parse(str(result.get("verdict")))
    except ValueError:
        return False
    return verdict in WAIVABLE and result.get("level") in MANDATORY_LEVELS


def recompute_verdicts(report: MutableMapping[str, Any]) -> None:
    """Profile verdicts from their results (waived results do not block) and the run verdict
    from the profiles. A profile or run already in ``error`` stays there: an invalid run (a
    suite error the results may not show) is not made valid by a waiver."""
    strict = bool(report.get("run", {}).get("strict", False))
    verdicts: list[RunVerdict] = []
    for profile in report["profiles"]:
        if profile.get("verdict") == RunVerdict.ERROR:
            verdicts.append(RunVerdict.ERROR)
            continue
        members = [r for r in report["results"] if r.get("profile") == profile["id"]]
        verdict = profile_verdict(
            ((Verdict.parse(r["verdict"]), r["level"], "waiver" in r) for r in members),
            strict=strict,
        )
        profile["verdict"] = verdict.value
        verdicts.append(verdict)
    if report.get("verdict") != RunVerdict.ERROR:
        report["verdict"] = run_verdict(verdicts).value
