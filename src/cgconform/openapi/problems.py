"""What document validation finds: a :class:`Problem` at a JSON pointer, and how pointers are
written (RFC 6901). Shared by the structural validation and the example checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    rule: str  # what was checked: oas3-schema, operation-id-unique, ...
    pointer: str
    message: str
    source: str = ""  # another document than the one validated (a $ref target)
    certain: bool = True  # False: could not be verified (a remote $ref was not fetched)


def escape(key: str) -> str:
    """One reference token of a JSON pointer: `~` and `/` escaped."""
    return key.replace("~", "~0").replace("/", "~1")


def pointer(*parts: Any) -> str:
    return "".join("/" + escape(str(p)) for p in parts)
