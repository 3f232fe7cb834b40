"""The Logboek under test, written to once per run (suites/logboek/harness/logboek_run.py)."""

from __future__ import annotations

import pytest

from cgconform.model.outcomes import TargetUnreachable
from cgconform.run.context import RunContext
from cgconform.suites.logboek.harness.logboek_run import LogboekRun, start
from cgconform.suites.logboek.harness.settings import load_settings


@pytest.fixture(scope="session")
def logboek_run(cg_context: RunContext) -> LogboekRun:
    run = start(cg_context, load_settings(cg_context.target))
    if not any(w.reached for w in run.writes):
        first = (run.writes or run.not_spoken)[0]
        raise TargetUnreachable(
            f"the Logboek answered none of the writes: {first.detail}", evidence=first.evidence
        )
    return run
