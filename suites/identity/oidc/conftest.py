"""The relying party cgconform plays for the oidc checks, one per run: the [oidc] table read
(a broken one stops the run with one clear message), discovery and keys fetched once, the
listeners at the redirect_uris stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cgconform.run.context import RunContext
from cgconform.suites.identity.harness.oidc_flows import RelyingParty


@pytest.fixture(scope="session")
def oidc(cg_context: RunContext) -> Iterator[RelyingParty]:
    party = RelyingParty(cg_context)
    try:
        yield party
    finally:
        party.close()
