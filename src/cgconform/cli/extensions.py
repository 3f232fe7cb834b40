"""What the roles add to the command line, found through entry points, never imported by name.

The engine knows no role; a role's suite (or the reference fixtures) plugs in here:

- ``cgconform.commands``: a subcommand, ``name = "module:COMMAND"`` where ``COMMAND`` has a
  ``help`` line, ``configure(parser)`` to add its arguments and ``run(args) -> int`` (raising
  :class:`cgconform.model.target.ConfigError` for a usage problem: exit 2), e.g. ``cgconform fsc``;
- ``cgconform.preflights``: what ``doctor`` checks for a suite's table of target.toml,
  ``<table> = "module:diagnose"`` with ``diagnose(target) -> [(ok, what, fix), ...]``;
- ``cgconform.demo``: the reference ecosystem ``cgconform demo`` starts, ``ecosystem =
  "module"`` with ``PROFILES`` and a context manager ``ecosystem()`` giving the target.

Reading entry points costs ~40 ms (importlib.metadata), so only the commands that need them
look: never ``lint``, ``run``, ``profiles`` or ``report``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, Protocol

COMMANDS = "cgconform.commands"
PREFLIGHTS = "cgconform.preflights"
DEMO = "cgconform.demo"

Finding = tuple[bool, str, str]


class Command(Protocol):
    help: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


class ExtensionError(Exception):
    """An extension is declared but cannot be loaded (a broken install)."""


def _load(group: str) -> dict[str, Any]:
    from importlib.metadata import entry_points

    loaded: dict[str, Any] = {}
    for point in entry_points(group=group):
        try:
            loaded[point.name] = point.load()
        except Exception as exc:  # an extension's import error must not become a traceback
            raise ExtensionError(
                f"{group} entry point {point.name!r} ({point.value}) cannot be loaded: "
                f"{type(exc).__name__}: {exc}; reinstall cgconform"
            ) from None
    return loaded


def commands() -> dict[str, Command]:
    return _load(COMMANDS)


def preflights() -> dict[str, Callable[[Any], Sequence[Finding]]]:
    return _load(PREFLIGHTS)


def demo_ecosystem() -> Any:
    found = _load(DEMO)
    if "ecosystem" not in found:
        raise ExtensionError(
            "the reference ecosystem is not installed (no cgconform.demo entry point); "
            "reinstall cgconform"
        )
    return found["ecosystem"]
