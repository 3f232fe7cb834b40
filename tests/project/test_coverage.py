"""The coverage gate (like Inferno's check_coverage), made fatal.

- every check in suites/ names a requirement the catalogue knows, and that a profile includes;
- every MUST / MUST NOT in a profile has at least one check, unless the profile gives a
  `not_tested_reason` or the requirement is `manual` (then it is `needs_review`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest
import suites

from cgconform.model.catalogue import load_catalogue, load_profiles
from cgconform.run.marks import requirement_args


def checks() -> Iterator[tuple[str, tuple[str, str]]]:
    for info in pkgutil.walk_packages(suites.__path__, "suites."):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if obj.__module__ != module.__name__:
                continue
            for args in requirement_args(obj):
                yield f"{info.name}.{name}", args


ALL_CHECKS = list(checks())


def test_suites_have_checks() -> None:
    assert ALL_CHECKS, "no checks found in suites/"


@pytest.mark.parametrize(("check", "key"), ALL_CHECKS, ids=[c for c, _ in ALL_CHECKS])
def test_every_check_names_a_known_requirement(check: str, key: tuple[str, str]) -> None:
    assert len(key) == 2, f"{check}: use @requirement(standard, id)"
    catalogue = load_catalogue()
    assert catalogue.knows(*key), f"{check} names {key}, which no catalogue knows"
    in_profiles = [p.id for p in load_profiles().values() if key in p.requirement_keys]
    assert in_profiles, f"{check} names {key}, which no profile includes"


def test_every_mandatory_requirement_of_every_profile_has_a_check() -> None:
    covered = {key for _, key in ALL_CHECKS}
    missing = [
        f"{profile.id}: {item.requirement.id} ({item.level})"
        for profile in load_profiles().values()
        for item in profile.requirements
        if item.level in ("MUST", "MUST NOT")
        and item.requirement.key not in covered
        and not item.not_tested_reason
        and item.requirement.automation != "manual"
    ]
    assert not missing, "mandatory requirements without a check:\n" + "\n".join(missing)


def test_every_check_function_in_suites_is_marked() -> None:
    """A public function in a check module without a requirement would silently never run."""
    unmarked = []
    for info in pkgutil.walk_packages(suites.__path__, "suites."):
        parts = info.name.split(".")
        if info.ispkg or parts[-1].startswith("_") or "harness" in parts:  # no checks there
            continue
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            own = obj.__module__ == module.__name__ and not name.startswith("_")
            if own and not requirement_args(obj):
                unmarked.append(f"{info.name}.{name}")
    assert not unmarked, "public functions in suites/ without @requirement: " + (
        ", ".join(unmarked)
    )
