"""Running one profile in-process against a reference fixture (the self-tests of each role),
and reading its report.json."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from cgconform.model.catalogue import select_profiles
from cgconform.model.target import Target
from cgconform.run.runner import RunRequest, execute
from cgtest.clirun import assert_valid_report


def run_profile(
    profile_id: str, target: Target, only: Iterable[str] | None = None
) -> dict[str, Any]:
    """The report.json of one profile (only the requirements `only` names, if given), validated
    against the shipped schema."""
    (profile,) = select_profiles([profile_id])
    if only is not None:
        wanted = set(only)
        profile = replace(
            profile,
            requirements=tuple(r for r in profile.requirements if r.requirement.id in wanted),
        )
    report: dict[str, Any] = execute(
        RunRequest(profiles=[profile], target=target, command="self-test", seed=1)
    )
    assert_valid_report(report)
    return report


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {r["requirement"]: r["verdict"] for r in report["results"]}


def results(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["requirement"]: r for r in report["results"]}


def explain(report: dict[str, Any]) -> str:
    """Every result in one line each: for assertion messages."""
    return "\n".join(
        f"{r['verdict']:12} {r['requirement']}: {r.get('message', '')[:300]}"
        for r in report["results"]
    )
