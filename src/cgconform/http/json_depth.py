"""JSON nested too deep to read, found without recursion (part of the HTTP layer; no HTTP
library imported, so that loading a local OpenAPI document stays light)."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 200
"""Deepest nesting of arrays and objects a body may have to be read as JSON: deeper values
would exhaust the interpreter's stack in whatever walks them (parsers, validators, checks)."""


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON `value` nests arrays and objects more than `limit` deep (walked
    without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def load_json(text: str | bytes, limit: int = MAX_JSON_DEPTH, **kwargs: Any) -> Any:
    """`json.loads`, but JSON nested more than `limit` deep is a ValueError (not a
    RecursionError, not a value that breaks whoever walks it next)."""
    if isinstance(text, str):
        brackets = text.count("[") + text.count("{")
    else:
        brackets = text.count(b"[") + text.count(b"{")
    problem = f"nested more than {limit} levels deep"
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise ValueError(problem) from None
    if brackets > limit and too_deep(value, limit):
        raise ValueError(problem)
    return value
