"""Fixtures of the runtime checks: the API under test, built once per run; what the run
created as test data is deleted again at its end (where the target allows DELETE)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cgconform.model.outcomes import NotTested
from cgconform.run.context import RunContext
from cgconform.suites.api.runtime._api import ApiUnderTest


@pytest.fixture(scope="session")
def api(cg_context: RunContext) -> Iterator[ApiUnderTest]:
    base_url = cg_context.target.base_url
    if not base_url:
        raise NotTested("no base URL: give --url or base_url in target.toml")
    spec = cg_context.spec()
    spec.raise_if_unavailable()
    document = spec.data if spec.ok else {}
    under_test = ApiUnderTest(context=cg_context, document=document, base_url=base_url)
    yield under_test
    under_test.clean_up()
