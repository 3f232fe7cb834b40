"""Running a campaign's targets: each in a process of its own, at most `jobs` at once.

A target's run is whatever `run_one` does (the CLI's: the normal run of `cgconform run` with
that target's own budget, rate limit and deadline, its report files written into the
target's folder). It runs in a child process, so that a target which crashes its run, hangs
past the campaign's time limit or exhausts memory takes only its own cell down: the child
says why it wrote no report (a configuration problem, the target is unreachable) through a
pipe, and a child that died without a word is described by its exit status.

On Linux the children are forked, so they start with everything this process has imported
(a target's run starts in milliseconds); elsewhere they are spawned.

SIGINT or SIGTERM stops the campaign: no further target starts, running targets finish
their partial reports (the terminal sends SIGINT to them too; a SIGTERM is passed on), and the
targets not started are reported as not run. A second signal ends the children at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType
from typing import Any

from cgconform.model.catalogue import CatalogueError
from cgconform.model.target import ConfigError, Target, is_url
from cgconform.run.campaign_file import CampaignTarget

# A run's own report files: removed from a target's folder before it runs again, so that an
# old report is never read as the new one.
REPORT_FILES = (
    "report.json",
    "junit.xml",
    "report.sarif",
    "report.earl.jsonld",
    "report.en.html",
    "report.nl.html",
    "badge.svg",
)
_MESSAGE_LIMIT = 2000
_POLL_S = 0.2
_KILL_GRACE_S = 10.0

RunOne = Callable[[CampaignTarget, Path], None]
"""Runs one target and writes its reports into the folder; raises TargetProblem (or
ConfigError) when the target cannot be run. Called in a child process."""


class TargetProblem(Exception):
    """A target that cannot be run (unreachable, misconfigured): its cell says why."""


@dataclass
class TargetRun:
    """What became of one target of the campaign."""

    target: CampaignTarget
    folder: Path
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None  # why its run wrote no report
    not_run: str | None = None  # why it never started (the campaign was stopped)
    timed_out: float | None = None  # the time limit that stopped it, in seconds

    @property
    def duration_s(self) -> float:
        if self.started_at is None or self.finished_at is None:
            return 0.0
        return round((self.finished_at - self.started_at).total_seconds(), 3)


@dataclass
class CampaignRun:
    runs: list[TargetRun]
    started_at: datetime
    finished_at: datetime
    interrupted: str | None = None  # the signal that stopped the campaign


@dataclass
class _Job:
    run: TargetRun
    process: BaseProcess
    pipe: Connection
    deadline: float | None
    timeout_s: float | None
    terminated_at: float | None = None


@dataclass
class _Stop:
    signal: str | None = None
    count: int = 0
    received: list[int] = field(default_factory=list)


def run_targets(
    targets: Sequence[CampaignTarget],
    out: Path,
    run_one: RunOne,
    *,
    jobs: int,
    timeout_s: float | None = None,
    progress: Callable[[int, int, list[str]], None] | None = None,
    on_done: Callable[[TargetRun], None] | None = None,
) -> CampaignRun:
    """Run every target, at most `jobs` at once, each in its own process; the result holds a
    TargetRun per target in the order given."""
    started = datetime.now(UTC)
    runs = [TargetRun(target=t, folder=out / t.id) for t in targets]
    pending = deque(runs)
    running: list[_Job] = []
    done = 0
    stop = _Stop()
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")

    def report_progress() -> None:
        if progress is not None:
            progress(done, len(runs), [job.run.target.name for job in running])

    with _signals(stop):
        report_progress()
        while pending or running:
            while pending and len(running) < max(jobs, 1) and stop.signal is None:
                run = pending.popleft()
                try:
                    running.append(_start(context, run, run_one, timeout_s))
                except OSError as exc:  # its folder cannot be made: its cell, not the campaign
                    run.error = f"cannot write its report folder {run.folder}: {exc.strerror}"
                    done += 1
                    if on_done is not None:
                        on_done(run)
                report_progress()
            if stop.signal is not None and stop.count == 1:
                _pass_on(stop, running)
            if stop.count > 1:
                _kill(running)
            ready = set(wait([job.process.sentinel for job in running], timeout=_POLL_S))
            for job in [j for j in running if j.process.sentinel in ready]:
                running.remove(job)
                _finish(job)
                done += 1
                if on_done is not None:
                    on_done(job.run)
            _enforce_time_limits(running)
            if stop.signal is not None and not running:
                break
            report_progress()
        for run in pending:
            run.not_run = f"not run: the campaign was stopped ({stop.signal}) before it started"
            if on_done is not None:
                on_done(run)
        report_progress()
    return CampaignRun(runs, started, datetime.now(UTC), interrupted=stop.signal)


def _start(context: Any, run: TargetRun, run_one: RunOne, timeout_s: float | None) -> _Job:
    run.folder.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        with contextlib.suppress(FileNotFoundError):
            (run.folder / name).unlink()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(run_one, run.target, run.folder, sender),
        name=f"cgconform campaign: {run.target.id}",
        daemon=True,
    )
    run.started_at = datetime.now(UTC)
    process.start()
    sender.close()
    deadline = time.monotonic() + timeout_s if timeout_s else None
    return _Job(run=run, process=process, pipe=receiver, deadline=deadline, timeout_s=timeout_s)


def _child(run_one: RunOne, target: CampaignTarget, folder: Path, pipe: Connection) -> None:
    """In the child process: run the target; send None, or the reason it wrote no report."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    quiet = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the child's lifetime
    sys.stdout = sys.stderr = quiet
    message: str | None
    try:
        run_one(target, folder)
        message = None
    except (TargetProblem, ConfigError, CatalogueError) as exc:
        message = str(exc) or type(exc).__name__
    except KeyboardInterrupt:
        message = "stopped by SIGINT before its run began"
    except BaseException as exc:  # a crash of the run: this cell only, never the campaign
        message = f"the run crashed: {type(exc).__name__}: {exc}"
    try:
        pipe.send(message[:_MESSAGE_LIMIT] if message else None)
    finally:
        pipe.close()


def _finish(job: _Job) -> None:
    """The child has ended: what it said, or how it died."""
    run = job.run
    said: Any = ...
    with contextlib.suppress(EOFError, OSError):
        if job.pipe.poll():
            said = job.pipe.recv()
    job.pipe.close()
    job.process.join()
    run.finished_at = datetime.now(UTC)
    if said is ...:
        run.error = _death(job.process.exitcode)
        if run.timed_out is not None:
            run.error = f"stopped after the campaign's time limit of {run.timed_out:g} s"
    elif said is not None:
        run.error = str(said)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the run ended without a report: killed by {name}"
    return f"the run ended without a report (exit status {code})"


def _enforce_time_limits(running: list[_Job]) -> None:
    now = time.monotonic()
    for job in running:
        if job.deadline is None or now < job.deadline:
            continue
        if job.terminated_at is None:
            job.terminated_at = now
            job.run.timed_out = job.timeout_s
            _signal(job, signal.SIGTERM)  # its run stops and writes a partial report
        elif now - job.terminated_at > _KILL_GRACE_S:
            _signal(job, signal.SIGKILL)


def _signal(job: _Job, number: int) -> None:
    pid = job.process.pid
    if pid is not None and job.process.is_alive():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, number)


def _pass_on(stop: _Stop, running: list[_Job]) -> None:
    """A SIGTERM is the parent's alone (a CI runner cancelling the job): pass it on once, so
    that every running target writes its partial report. A SIGINT from a terminal reached
    the children already."""
    while stop.received:
        number = stop.received.pop()
        if number == signal.SIGTERM:
            for job in running:
                _signal(job, signal.SIGTERM)


def _kill(running: list[_Job]) -> None:
    for job in running:
        _signal(job, signal.SIGKILL)


@contextlib.contextmanager
def _signals(stop: _Stop) -> Iterator[None]:
    """SIGINT/SIGTERM stop the campaign (see the module docstring); the second one ends it at
    once with KeyboardInterrupt once the children are killed."""
    from threading import current_thread, main_thread

    if current_thread() is not main_thread():
        yield
        return

    def handle(number: int, frame: FrameType | None) -> None:
        stop.count += 1
        stop.received.append(number)
        if stop.signal is None:
            stop.signal = signal.Signals(number).name

    previous = {n: signal.signal(n, handle) for n in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


# --- is the target there at all? -----------------------------------------------------------

# What the HTTP layer says when nothing answered at the network level (http/errors.py).
_NO_CONNECTION = re.compile(
    r": (connection refused|the host name could not be resolved|no connection within .*|"
    r"network is unreachable|no route to host)$"
)


def unreachable(target: Target) -> str | None:
    """Why the target cannot be reached at all, or None: one GET to its base URL and each
    http(s) URL of [urls], through the HTTP layer with the target's own TLS settings and
    timeout. Only a failure to connect counts (refused, unknown host, no connection in time);
    any answer, even an error status or a failed TLS handshake, is left to the run to judge."""
    from cgconform.model.outcomes import Outcome
    from cgconform.run.context import build_context

    urls = [target.base_url, *target.urls.values()]
    wanted = list(dict.fromkeys(u for u in urls if u and is_url(u)))
    if not wanted:
        return None
    http = build_context(target, []).http
    for url in wanted:
        try:
            http.get(url)
        except Outcome as exc:
            message = str(getattr(exc, "message", exc))
            if _NO_CONNECTION.search(message):
                return f"not reachable: {message}"
    return None
