"""Running only some FSC scenarios against a reference World (for the self-tests)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from cgtest.clirun import assert_valid_report

from cgconform.fixtures.fsc.world import World
from cgconform.model.catalogue import select_profiles
from cgconform.run.runner import RunRequest, execute

FSC_PROFILES = ("fsc-manager", "fsc-inway", "fsc-outway", "fsc-logging")


def run_only(world: World, ids: Iterable[str], **statement: Any) -> dict[str, Any]:
    """Run only these requirements of the fsc profiles against the world's Peer."""
    wanted = set(ids)
    profiles = []
    for profile in select_profiles(FSC_PROFILES):
        kept = tuple(r for r in profile.requirements if r.requirement.id in wanted)
        if kept:
            profiles.append(replace(profile, requirements=kept))
    target = world.target()
    if statement:
        target = replace(target, statement={**target.statement, **statement})
    report = execute(RunRequest(profiles=profiles, target=target, command="self-test", seed=1))
    assert_valid_report(report)
    return report
