"""Why a run stopped before every check ran: a signal (SIGINT, SIGTERM) or its deadline.

:class:`RunStop` is shared by the runner and the HTTP budget of one run. The first SIGINT or
SIGTERM (while :meth:`RunStop.signals` is active) is recorded and raised as
``KeyboardInterrupt`` in the main thread, which ends the pytest session at once; a second one
ends the process at once (exit 130), without a report. The deadline is a wall-clock limit for
the whole run: once it has passed, :class:`DeadlineBudget` sends no new request and the runner
starts no new check. Either way the checks that did not finish become ``not_tested`` with
:attr:`RunStop.reason`.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType

from cgconform.http.budget import Budget
from cgconform.model.outcomes import BudgetExhausted

__all__ = ["STOP_SIGNALS", "DeadlineBudget", "RunStop", "format_seconds"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SECOND_SIGNAL_EXIT = 130


def format_seconds(seconds: float) -> str:
    """``30.0`` -> ``30``, ``2.5`` -> ``2.5``."""
    return f"{seconds:g}"


class RunStop:
    """What stopped one run early, if anything."""

    def __init__(
        self, deadline_s: float | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.deadline_s = deadline_s
        self._clock = clock
        self._ends = None if deadline_s is None else clock() + deadline_s
        self.signal: str | None = None  # "SIGINT" or "SIGTERM"
        self.signalled_at: datetime | None = None
        self.deadline_passed_at: datetime | None = None

    def deadline_passed(self) -> bool:
        """Whether the run's deadline has passed (remembered from the first time it has)."""
        ends = self._ends
        if self.deadline_passed_at is None and ends is not None and self._clock() >= ends:
            self.deadline_passed_at = datetime.now(UTC)
        return self.deadline_passed_at is not None

    @property
    def deadline_reason(self) -> str:
        return f"the run deadline of {format_seconds(self.deadline_s or 0)} s passed"

    @property
    def reason(self) -> str | None:
        """Why the checks that did not finish were not checked; None: nothing stopped the run."""
        if self.signal is not None:
            return f"the run was interrupted ({self.signal}) before this requirement was checked"
        if self.deadline_passed_at is not None:
            return self.deadline_reason
        return None

    @contextmanager
    def signals(self) -> Iterator[None]:
        """While active, SIGINT and SIGTERM stop the run (see the module docstring), unless the
        process ignores them. Only the main thread receives signals: elsewhere this does
        nothing."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        # A signal the process was started to ignore (a shell's background job ignores SIGINT,
        # `nohup`) stays ignored.
        previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
        for s, handler in previous.items():
            if handler is not signal.SIG_IGN:
                signal.signal(s, self._on_signal)
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.signal is not None:
            os.write(2, f"cgconform: {name} again: stopped at once, without a report\n".encode())
            os._exit(SECOND_SIGNAL_EXIT)
        self.signal = name
        self.signalled_at = datetime.now(UTC)
        raise KeyboardInterrupt(name)


class DeadlineBudget(Budget):
    """The run's request budget, which also refuses every request once the deadline passed."""

    def __init__(self, max_requests: int | None, stop: RunStop) -> None:
        super().__init__(max_requests)
        self._stop = stop
        self._late_lock = threading.Lock()
        self._late = 0

    @property
    def refused(self) -> int:
        return super().refused + self._late

    def reserve(self) -> None:
        if self._stop.deadline_passed():
            with self._late_lock:
                self._late += 1
            raise BudgetExhausted(f"{self._stop.deadline_reason}; the request was not sent")
        super().reserve()
