"""The harness of the FSC scenarios, built once per run, after a preflight that turns a wrong
configuration (wrong CA, wrong port, no client certificate) into one clear message instead of
a wall of findings (suites/fsc/harness/preflight.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cgconform.run.context import RunContext
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.preflight import preflight
from cgconform.suites.fsc.harness.settings import load_settings


@pytest.fixture(scope="session")
def fsc(cg_context: RunContext) -> Iterator[Harness]:
    settings = load_settings(cg_context.target)
    harness = Harness.create(cg_context, settings)
    preflight(settings, harness.a.http)
    harness.start()
    try:
        yield harness
    finally:
        harness.stop()
