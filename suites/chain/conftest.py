"""The chain, exercised once per run (suites/chain/harness/scenario.py): every check reads
the same observations."""

from __future__ import annotations

import pytest

from cgconform.run.context import RunContext
from cgconform.suites.chain.harness.scenario import Observations, Scenario
from cgconform.suites.chain.harness.settings import load_chain_settings


@pytest.fixture(scope="session")
def chain_run(cg_context: RunContext) -> Observations:
    settings = load_chain_settings(cg_context.target)
    return Scenario(cg_context, settings).run()
