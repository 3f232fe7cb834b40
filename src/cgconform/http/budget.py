"""How many requests a run may send and how fast (DESIGN.md §7).

:class:`Budget` counts the requests of a run and refuses those over its limit with
:class:`~cgconform.model.outcomes.BudgetExhausted`; :class:`RateLimiter` spaces their starts.
Every :class:`~cgconform.http.client.HttpClient` of a run shares one of each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cgconform.model.outcomes import BudgetExhausted, TargetUnreachable

__all__ = ["Budget", "CircuitBreaker", "RateLimiter", "TargetStoppedAnswering"]


class Budget:
    """The run's request budget: at most `max_requests` requests are sent (None: no limit)."""

    def __init__(self, max_requests: int | None) -> None:
        if max_requests is not None and max_requests < 0:
            raise ValueError(f"max_requests must be >= 0, not {max_requests}")
        self.max_requests = max_requests
        self._lock = threading.Lock()
        self._sent = 0
        self._refused = 0

    @property
    def sent(self) -> int:
        """Requests sent (reserved) so far."""
        return self._sent

    @property
    def refused(self) -> int:
        """Requests not sent because the budget was spent."""
        return self._refused

    @property
    def remaining(self) -> int | None:
        if self.max_requests is None:
            return None
        return max(0, self.max_requests - self._sent)

    def reserve(self) -> None:
        """Count one request about to be sent; BudgetExhausted when none is left."""
        with self._lock:
            if self.max_requests is not None and self._sent >= self.max_requests:
                self._refused += 1
                raise BudgetExhausted(
                    f"the request budget of {self.max_requests} requests is spent; "
                    "the request was not sent"
                )
            self._sent += 1

    def as_dict(self) -> dict[str, int | None]:
        """The report's ``run.budget`` (DESIGN.md §6)."""
        return {"max_requests": self.max_requests, "requests_sent": self._sent}


class RateLimiter:
    """No two requests start closer than ``1 / rps`` seconds apart (None: no limit).

    Thread-safe: waiting callers are let through one at a time.
    """

    def __init__(
        self,
        rps: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rps is not None and rps <= 0:
            raise ValueError(f"requests per second must be > 0, not {rps}")
        self.rps = rps
        self._interval = 1.0 / rps if rps else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: float | None = None

    def wait(self) -> None:
        """Block until the next request may start."""
        if self.rps is None:
            return
        with self._lock:
            now = self._clock()
            while self._next is not None and now < self._next:
                self._sleep(self._next - now)
                now = self._clock()
            self._next = now + self._interval


class TargetStoppedAnswering(TargetUnreachable):
    """The request was not sent: the target stopped answering earlier in the run."""


class CircuitBreaker:
    """Stops a run from sending to a target that stopped answering: after `max_timeouts`
    requests in a row timed out, every later request is refused (None: never)."""

    def __init__(self, max_timeouts: int | None = 3) -> None:
        if max_timeouts is not None and max_timeouts < 1:
            raise ValueError(f"max_timeouts must be >= 1, not {max_timeouts}")
        self.max_timeouts = max_timeouts
        self._lock = threading.Lock()
        self._in_a_row = 0
        self.reason: str | None = None  # why requests are refused, once they are

    def answered(self) -> None:
        """A response came (whatever it was): the count starts again."""
        with self._lock:
            if self.reason is None:
                self._in_a_row = 0

    def timed_out(self) -> None:
        with self._lock:
            self._in_a_row += 1
            if self.max_timeouts is not None and self._in_a_row >= self.max_timeouts:
                self.reason = (
                    f"the target stopped answering: {self._in_a_row} requests in a row timed "
                    "out; no more requests are sent to it in this run"
                )

    def check(self) -> None:
        """TargetStoppedAnswering when requests are refused."""
        if self.reason is not None:
            raise TargetStoppedAnswering(self.reason)
