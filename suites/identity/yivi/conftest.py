"""The requestor of one run, set up once: the [yivi] table read (a wrong one stops the run with
one message); at the end every session cgconform started and left open is cancelled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cgconform.run.context import RunContext
from cgconform.suites.identity.harness.yivi_harness import YiviHarness


@pytest.fixture(scope="session")
def yivi(cg_context: RunContext) -> Iterator[YiviHarness]:
    harness = YiviHarness.create(cg_context)
    try:
        yield harness
    finally:
        harness.close()
