"""The demo parts of the reference resource server and irma server (what `cgconform demo`
starts for nlgov-oauth-resource-server and yivi-requestor): both profiles in one run, on one
target, are conformant, and their session-scoped harnesses do not get in each other's way."""

from __future__ import annotations

import os
from pathlib import Path

from cgtest.clirun import assert_valid_report

from cgconform.fixtures.identity.resource_server import demo_resource_server
from cgconform.fixtures.identity.yivi_server import DEMO_TOKEN_VARIABLE, demo_yivi
from cgconform.model.catalogue import select_profiles
from cgconform.model.target import BudgetConfig, Target
from cgconform.run.runner import RunRequest, execute

PROFILES = ("nlgov-oauth-resource-server", "yivi-requestor")


def test_both_demo_parts_are_conformant_in_one_run(tmp_path: Path) -> None:
    with (
        demo_resource_server(tmp_path) as (resource, oauth),
        demo_yivi(tmp_path) as (yivi, yivi_table, statement),
    ):
        target = Target(
            name="demo identity parts",
            urls={"resource": resource, "yivi": yivi},
            budget=BudgetConfig(max_requests=1000, rate_limit=None, timeout_s=5),
            statement=statement,
            suite_settings={"oauth": oauth, "yivi": yivi_table},
        )
        report = execute(
            RunRequest(profiles=select_profiles(PROFILES), target=target, command="demo", seed=1)
        )
        token = os.environ[DEMO_TOKEN_VARIABLE]
    assert DEMO_TOKEN_VARIABLE not in os.environ
    assert_valid_report(report)
    assert {p["id"]: p["verdict"] for p in report["profiles"]} == dict.fromkeys(
        PROFILES, "conformant"
    )
    assert token not in str(report)
