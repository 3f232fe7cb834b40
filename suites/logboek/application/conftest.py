"""The application under test, exercised once per run (suites/logboek/harness/session.py):
every check reads the same observations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cgconform.model.outcomes import TargetUnreachable
from cgconform.model.target import ConfigError
from cgconform.run.context import RunContext
from cgconform.suites.logboek.harness.session import Observations, Session
from cgconform.suites.logboek.harness.settings import load_settings


@pytest.fixture(scope="session")
def app_run(cg_context: RunContext) -> Iterator[Observations]:
    settings = load_settings(cg_context.target)
    try:
        session = Session(cg_context, settings)
        running = session.running()
        running.__enter__()
    except OSError as exc:
        raise ConfigError(
            f"{exc}: change [logboek] listen / listen_grpc or [logboek.sources.*] listen, "
            "or stop what uses that port"
        ) from None
    try:
        observations = session.exercise()
        if not any(sent.answered for sent in observations.sent):
            first = observations.sent[0] if observations.sent else None
            raise TargetUnreachable(
                f"the application at {session.application} answered none of the processings"
                + (f": {first.error}" if first and first.error else ""),
                evidence=first.evidence() if first else [],
            )
        yield observations
    finally:
        running.__exit__(None, None, None)
