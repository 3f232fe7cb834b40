"""Verdicts (DESIGN.md §4) and how they combine into requirement, profile and run verdicts.

The order of :class:`Verdict` is the order of DESIGN.md §4: the worst verdict wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum


class Verdict(IntEnum):
    """Per-requirement verdict; a higher value is worse."""

    NOT_APPLICABLE = 0
    PASS = 1
    WARNING = 2
    NOT_TESTED = 3
    NEEDS_REVIEW = 4
    INCONCLUSIVE = 5
    FAIL = 6
    ERROR = 7

    @property
    def label(self) -> str:
        """The spelling used in report.json (`not_applicable`, `pass`, ...)."""
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> Verdict:
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown verdict {label!r}") from None


class RunVerdict(StrEnum):
    """Verdict of a profile or of a whole run."""

    CONFORMANT = "conformant"
    NOT_CONFORMANT = "not_conformant"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"


MANDATORY_LEVELS = frozenset({"MUST", "MUST NOT"})
LEVELS = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")

# Exit codes of `cgconform run` (DESIGN.md §5, fixed).
EXIT_CONFORMANT = 0
EXIT_NOT_CONFORMANT = 1
EXIT_USAGE = 2
EXIT_INCONCLUSIVE = 3

_EXIT_CODES = {
    RunVerdict.CONFORMANT: EXIT_CONFORMANT,
    RunVerdict.NOT_CONFORMANT: EXIT_NOT_CONFORMANT,
    RunVerdict.INCONCLUSIVE: EXIT_INCONCLUSIVE,
    RunVerdict.ERROR: EXIT_INCONCLUSIVE,
}


def worst(verdicts: Iterable[Verdict], default: Verdict = Verdict.NOT_TESTED) -> Verdict:
    """The requirement verdict: the worst of its checks' verdicts."""
    return max(verdicts, default=default)


def for_level(verdict: Verdict, level: str) -> Verdict:
    """A violated SHOULD / SHOULD NOT / MAY is a `warning`, not a `fail` (DESIGN.md §4)."""
    if verdict is Verdict.FAIL and level not in MANDATORY_LEVELS:
        return Verdict.WARNING
    return verdict


def blocks(verdict: Verdict, level: str, *, strict: bool = False, waived: bool = False) -> bool:
    """Whether a result keeps its profile from being conformant.

    A profile is conformant only when every mandatory requirement passed (or is waived);
    `needs_review` blocks only in strict (certification) mode.
    """
    if waived or level not in MANDATORY_LEVELS:
        return False
    if verdict is Verdict.NEEDS_REVIEW:
        return strict
    return verdict in (Verdict.FAIL, Verdict.INCONCLUSIVE, Verdict.NOT_TESTED, Verdict.ERROR)


def profile_verdict(
    results: Iterable[tuple[Verdict, str, bool]], *, strict: bool = False
) -> RunVerdict:
    """Combine `(verdict, level, waived)` triples of one profile into its verdict."""
    items = list(results)
    if any(v is Verdict.ERROR for v, _, _ in items):
        return RunVerdict.ERROR
    blocking = [v for v, level, waived in items if blocks(v, level, strict=strict, waived=waived)]
    if Verdict.FAIL in blocking:
        return RunVerdict.NOT_CONFORMANT
    if blocking:
        return RunVerdict.INCONCLUSIVE
    return RunVerdict.CONFORMANT


_RUN_ORDER = (
    RunVerdict.CONFORMANT,
    RunVerdict.INCONCLUSIVE,
    RunVerdict.NOT_CONFORMANT,
    RunVerdict.ERROR,
)


def run_verdict(profile_verdicts: Iterable[RunVerdict]) -> RunVerdict:
    """The run's verdict: the worst profile verdict (an invalid run is `error`)."""
    verdicts = list(profile_verdicts)
    if not verdicts:
        return RunVerdict.ERROR
    return max(verdicts, key=_RUN_ORDER.index)


def exit_code(verdict: RunVerdict) -> int:
    return _EXIT_CODES[verdict]
