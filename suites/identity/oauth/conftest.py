"""The probes of one run against urls.resource, set up once: the [oauth] table read (a wrong
one stops the run with one message), the test issuer's metadata served if asked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cgconform.run.context import RunContext
from cgconform.suites.identity.harness.rs_probes import ResourceProbes
from cgconform.suites.identity.harness.rs_settings import load_rs_settings


@pytest.fixture(scope="session")
def resource(cg_context: RunContext) -> Iterator[ResourceProbes]:
    settings = load_rs_settings(cg_context.target)
    probes = ResourceProbes.create(cg_context.http, cg_context.redactor, settings)
    probes.start()
    try:
        yield probes
    finally:
        probes.stop()
