"""`@requirement(standard, id)`: the normative requirement a check verifies.

A plain decorator, no pytest: `cgconform lint` imports the check modules and calls their
functions directly, and must not pay for importing pytest. The pytest plugin turns what it
records into ``pytest.mark.requirement`` marks when it collects a check, so `cgconform run` and
`pytest suites/` see the same marks as before; a check marked with
``@pytest.mark.requirement(standard, id)`` itself is still accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

ATTRIBUTE = "cg_requirements"
MARK = "requirement"

F = TypeVar("F", bound=Callable[..., Any])


def requirement(standard: str, req_id: str) -> Callable[[F], F]:
    """Mark a check function as verifying requirement `req_id` of `standard` (repeatable)."""
    if not (isinstance(standard, str) and isinstance(req_id, str)):
        raise TypeError(f"use @requirement(standard, id), got {(standard, req_id)!r}")

    def mark(function: F) -> F:
        # Decorators apply bottom-up: prepending keeps the keys in source order.
        keys = ((standard, req_id), *getattr(function, ATTRIBUTE, ()))
        setattr(function, ATTRIBUTE, keys)
        return function

    return mark


def marked(obj: object) -> tuple[tuple[str, str], ...]:
    """The keys `@requirement` recorded on a function (empty: none)."""
    keys: tuple[tuple[str, str], ...] = getattr(obj, ATTRIBUTE, ())
    return keys


def requirement_args(obj: object) -> list[tuple[Any, ...]]:
    """The arguments of every requirement mark of a function, of either kind: `@requirement`
    first, in source order, then ``@pytest.mark.requirement`` (read without importing pytest;
    not checked, so that the caller can say what is wrong with a malformed one)."""
    found: list[tuple[Any, ...]] = list(marked(obj))
    for mark in getattr(obj, "pytestmark", ()):
        if getattr(mark, "name", None) == MARK:
            found.append(tuple(mark.args))
    return found
