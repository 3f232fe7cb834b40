"""What a check raises to say anything other than a silent `pass`.

A check that returns normally passes. A check that wants its pass to say what it exercised
("12 responses of 5 operations: GET /zaken (3), ...") raises :class:`Passed` with that
message. A check reports a violation by raising :class:`Failure` (or a plain
``AssertionError``); every other verdict has its own exception here, each carrying its reason.
Any other exception escaping a check is a fault in the suite and becomes `error`, never `fail`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cgconform.model.verdicts import Verdict

Evidence = Mapping[str, Any]


class Outcome(Exception):
    """Base of every verdict-carrying exception a check may raise."""

    verdict: Verdict = Verdict.ERROR

    def __init__(self, message: str, *, evidence: Sequence[Evidence] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = list(evidence)


class Passed(Outcome):
    """The target meets the requirement; the message says what was exercised to find so."""

    verdict = Verdict.PASS


class Failure(Outcome, AssertionError):
    """The target violates the requirement. On a SHOULD it is reported as `warning`."""

    verdict = Verdict.FAIL


class Warning(Outcome):
    """A heuristic finding, or a recommendation not followed: never blocks."""

    verdict = Verdict.WARNING


class Inconclusive(Outcome):
    """The check could not decide (no test data, 429, network trouble)."""

    verdict = Verdict.INCONCLUSIVE


class NotTested(Outcome):
    """The check did not run (budget spent, phase disabled); the reason is required."""

    verdict = Verdict.NOT_TESTED


class NotApplicable(Outcome):
    """The requirement does not apply to this target."""

    verdict = Verdict.NOT_APPLICABLE


class NeedsReview(Outcome):
    """A person has to judge; the message says what to look at."""

    verdict = Verdict.NEEDS_REVIEW


class TargetUnreachable(Inconclusive):
    """The target did not answer (connection refused, timeout, TLS handshake failure)."""


class BudgetExhausted(NotTested):
    """The run's request budget is spent; the request was not sent."""
