"""The evidence a run keeps: every exchange, by the check that made it (DESIGN.md §7)."""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from cgconform.http.evidence import Exchange

__all__ = ["Journal"]


class Journal:
    """Evidence of every exchange, by the check that made it.

    The engine calls :meth:`begin` / :meth:`end` (or uses :meth:`check`) around each check;
    exchanges made meanwhile, from any thread, belong to that check. Only the last
    `max_per_check` exchanges of a check are kept, without their raw responses.
    """

    def __init__(self, max_per_check: int = 50) -> None:
        self.max_per_check = max_per_check
        self._lock = threading.Lock()
        self._current: str | None = None
        self._exchanges: dict[str | None, collections.deque[Exchange]] = {}
        self._dropped: collections.Counter[str | None] = collections.Counter()

    @property
    def current(self) -> str | None:
        return self._current

    def begin(self, check_id: str) -> None:
        with self._lock:
            self._current = check_id

    def end(self) -> None:
        with self._lock:
            self._current = None

    @contextmanager
    def check(self, check_id: str) -> Iterator[None]:
        self.begin(check_id)
        try:
            yield
        finally:
            self.end()

    def record(self, exchange: Exchange) -> None:
        """Keep the evidence of `exchange` for the current check (None outside checks)."""
        with self._lock:
            kept = self._exchanges.setdefault(
                self._current, collections.deque(maxlen=self.max_per_check)
            )
            if len(kept) == kept.maxlen:
                self._dropped[self._current] += 1
            kept.append(exchange.detached())

    def for_check(self, check_id: str | None) -> list[Exchange]:
        """The kept exchanges of a check, oldest first."""
        with self._lock:
            return list(self._exchanges.get(check_id, ()))

    def dropped(self, check_id: str | None) -> int:
        """How many older exchanges of a check were not kept."""
        with self._lock:
            return self._dropped[check_id]

    def pop(self, check_id: str | None) -> list[Exchange]:
        """The kept exchanges of a check, forgetting them."""
        with self._lock:
            self._dropped.pop(check_id, None)
            return list(self._exchanges.pop(check_id, ()))
