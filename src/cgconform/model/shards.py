"""Shards: a stable part of a run (`cgconform run --shard i/n`).

Every requirement of a profile belongs to exactly one of n shards, by a stable hash of the
profile id and the requirement: the same on every machine, Python version and run. A
requirement's checks all run in its shard, so each shard decides whole requirements, and
`cgconform report merge` joins the shards' reports into the report of one run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cgconform.model.catalogue import Profile


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based: 1/3, 2/3, 3/3)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`2/3` -> Shard(2, 3); ValueError with a message that says what is wrong."""
        index, slash, count = text.partition("/")
        if not slash or not index.strip().isdigit() or not count.strip().isdigit():
            raise ValueError(f"{text!r} is not a shard: write i/n, e.g. 1/3")
        shard = cls(int(index), int(count))
        if shard.count < 1 or not 1 <= shard.index <= shard.count:
            raise ValueError(f"{text!r}: the shard index runs from 1 to n (1/{shard.count or 'n'})")
        return shard

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def owns(self, profile_id: str, key: tuple[str, str]) -> bool:
        return shard_of(profile_id, key, self.count) == self.index

    def requirements(self, profiles: Iterable[Profile]) -> list[dict[str, str]]:
        """The requirements of this shard, in the order of the profiles (report.json's
        `run.shard.requirements`)."""
        return [
            {
                "profile": p.id,
                "standard": item.requirement.standard,
                "requirement": item.requirement.id,
            }
            for p in profiles
            for item in p.requirements
            if self.owns(p.id, item.requirement.key)
        ]

    def as_report(self, profiles: Iterable[Profile]) -> dict[str, Any]:
        return {
            "index": self.index,
            "count": self.count,
            "requirements": self.requirements(profiles),
        }


def shard_of(profile_id: str, key: tuple[str, str], count: int) -> int:
    """The shard (1..count) a requirement of a profile belongs to: a stable hash, never
    Python's `hash()` (salted per process)."""
    standard, requirement = key
    text = f"{profile_id}\n{standard}\n{requirement}".encode()
    digest = hashlib.sha256(text).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def unshardable(profiles: Iterable[Profile]) -> list[str]:
    """The profiles whose checks depend on each other (they may not be split)."""
    return [p.id for p in profiles if not p.shardable]
