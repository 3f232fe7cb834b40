"""`cgconform run`: execute the selected suites through pytest, in-process, and collect outcomes."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cgconform.http.cassette import Cassette
from cgconform.model.catalogue import Profile
from cgconform.model.locations import suites_dir
from cgconform.model.shards import Shard, unshardable
from cgconform.model.target import ConfigError, Target, is_url
from cgconform.model.verdicts import Verdict
from cgconform.run.assemble import (
    CheckOutcome,
    RunInfo,
    add_positions,
    build_report,
    redact_report,
    rfc3339,
    target_info,
)
from cgconform.run.context import RunContext, build_context
from cgconform.run.plugin import CONTEXT_KEY, OUTCOME_PROPERTY, REQUIREMENTS_KEY
from cgconform.run.recording import recording_or_replay
from cgconform.run.stop import DeadlineBudget, RunStop

# pytest's exit codes that mean the suite itself broke (not the target).
_PYTEST_BROKEN = {
    pytest.ExitCode.INTERRUPTED: "the run was interrupted (or a suite module failed to import)",
    pytest.ExitCode.INTERNAL_ERROR: "pytest hit an internal error",
    pytest.ExitCode.USAGE_ERROR: "pytest rejected the arguments cgconform gave it",
}


@dataclass
class RunRequest:
    profiles: list[Profile]
    target: Target
    command: str
    seed: int | None = None
    strict: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    shard: Shard | None = None
    record: Path | None = None  # --record: write every exchange to this cassette
    replay: Cassette | None = None  # `cgconform replay`: answers come from this cassette


def check_shardable(profiles: Sequence[Profile], shard: Shard | None) -> None:
    """`--shard` only for profiles whose checks are independent of each other."""
    refused = unshardable(profiles) if shard is not None else []
    if refused:
        raise ConfigError(
            f"--shard: profile {', '.join(refused)} cannot be split into shards (its checks "
            "depend on each other); run it without --shard"
        )


def check_target_fits(profiles: Sequence[Profile], target: Target) -> None:
    """Usage errors before anything runs: what a profile needs must be configured."""
    for profile in profiles:
        if "spec" in profile.needs and not target.spec:
            raise ConfigError(
                f"profile {profile.id} needs an OpenAPI document: give --spec PATH|URL "
                "or spec = ... in target.toml"
            )
        if "base_url" in profile.needs and not target.base_url:
            raise ConfigError(
                f"profile {profile.id} needs the target's base URL: give --url URL "
                "or base_url = ... in target.toml"
            )
    if target.spec and not is_url(target.spec) and not Path(target.spec).is_file():
        raise ConfigError(f"OpenAPI document not found: {target.spec} (check --spec)")


class _Collector:
    """Receives every test report of the in-process pytest session."""

    def __init__(
        self,
        context: RunContext,
        progress: Callable[[int, int], None] | None,
        stop: RunStop,
    ) -> None:
        self.context = context
        self.stop = stop
        self.collected = False
        self.outcomes: dict[str, CheckOutcome] = {}
        self.collection_errors: list[str] = []
        self.progress = progress
        self.total = 0
        self.done = 0

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[CONTEXT_KEY] = self.context

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            self.outcomes[item.nodeid] = CheckOutcome(
                name=_check_name(item.nodeid), requirements=list(item.stash[REQUIREMENTS_KEY])
            )
        self.total = len(session.items)
        self.collected = True
        if self.progress:
            self.progress(0, self.total)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> bool | None:
        """Once the deadline has passed, no further check starts."""
        if self.stop.deadline_passed():
            item.session.shouldstop = self.stop.deadline_reason
            return True
        return None

    def mark_unfinished(self, reason: str) -> None:
        """Every check that reported no verdict (it did not run, or was cut off) is
        `not_tested` with `reason`."""
        for outcome in self.outcomes.values():
            if outcome.found is None:
                outcome.add(Verdict.NOT_TESTED, reason, [])

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            detail = text[-1] if text else "collection failed"
            self.collection_errors.append(
                self.context.redactor.text(f"{report.nodeid or 'suites'}: {detail}")
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = self.outcomes.get(report.nodeid)
        if outcome is None:
            return
        outcome.duration_s += report.duration
        for name, value in report.user_properties:
            if name == OUTCOME_PROPERTY:
                data = json.loads(str(value))
                outcome.add(Verdict.parse(data["verdict"]), data["message"], data["evidence"])
        if report.when == "teardown":
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total)


def _check_name(nodeid: str) -> str:
    """`api/document.py::semver_...` -> `suites/api/document.py::semver_...`."""
    return nodeid if nodeid.startswith("suites/") else f"suites/{nodeid}"


@contextmanager
def _isolated_plugins() -> Iterator[None]:
    """Load only cgconform's plugin: other installed pytest plugins must not change a run."""
    old = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = old


def _pytest_args(profiles: Sequence[Profile]) -> list[str]:
    root = suites_dir()
    paths = list(
        dict.fromkeys(str(root / s) for s in (p for prof in profiles for p in prof.suites))
    )
    for path in paths:
        if not Path(path).exists() and not Path(path + ".py").exists():
            raise ConfigError(f"a profile names suite {path}, which does not exist")
    paths = [p if Path(p).exists() else p + ".py" for p in paths]
    ini = Path(__file__).with_name("pytest-run.ini")
    return [
        *paths,
        "-c",
        str(ini),
        "--rootdir",
        str(root.parent),
        "-p",
        "cgconform.run.plugin",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:terminal",
        "-p",
        "no:junitxml",
    ]


def execute(
    request: RunRequest, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Run the profiles' checks and return report.json as a dict."""
    check_shardable(request.profiles, request.shard)
    check_target_fits(request.profiles, request.target)
    started = datetime.now(UTC)
    stop = RunStop(request.target.budget.deadline_s)
    context = build_context(
        request.target,
        request.profiles,
        seed=request.seed,
        strict=request.strict,
        shard=request.shard,
        replaying=request.replay is not None,
    )
    if stop.deadline_s is not None:  # before the HTTP layer is set up (on first use)
        context.budget = DeadlineBudget(context.budget.max_requests, stop)
    collector = _Collector(context, progress, stop)
    output = io.StringIO()
    args = _pytest_args(request.profiles)
    cassettes = recording_or_replay(
        context, record=request.record, replay=request.replay, command=request.command
    )
    with (
        cassettes,
        _isolated_plugins(),
        redirect_stdout(output),
        redirect_stderr(output),
        stop.signals(),
    ):
        code = pytest.main(args, plugins=[collector])
    finished = datetime.now(UTC)
    if context.config_error is not None:
        raise ConfigError(context.config_error)

    suite_error = None
    stopped = stop.reason
    if stopped is not None:
        collector.mark_unfinished(stopped)
    if collector.collection_errors:
        suite_error = "suite error: " + "; ".join(collector.collection_errors)
    elif code in _PYTEST_BROKEN and not (stopped and code == pytest.ExitCode.INTERRUPTED):
        suite_error = f"suite error: {_PYTEST_BROKEN[pytest.ExitCode(code)]}"
        tail = context.redactor.text(output.getvalue().strip())[-2000:]
        if tail:
            suite_error += f"\npytest said:\n{tail}"

    target = request.target
    run = RunInfo(
        command=request.command,
        started_at=started,
        finished_at=finished,
        seed=request.seed,
        budget={
            "max_requests": context.budget.max_requests,
            "requests_sent": context.budget.sent,
            "requests_refused": context.budget.refused,
        },
        strict=request.strict,
        options=request.options,
        suite_error=suite_error,
        interrupted=_interrupted(stop),
        deadline=_deadline(stop),
        unreached=stopped if not collector.collected else None,
        shard=request.shard,
    )
    report = build_report(
        profiles=request.profiles,
        outcomes=list(collector.outcomes.values()),
        target=target_info(target),
        statement=target.statement,
        run=run,
    )
    spec = context.loaded_spec
    if spec is not None and spec.ok:
        add_positions(report, spec)
    return redact_report(report, context.redactor)


def _interrupted(stop: RunStop) -> dict[str, Any] | None:
    """report.json's `run.interrupted`: which signal stopped the run, and when."""
    if stop.signal is None or stop.signalled_at is None:
        return None
    return {"signal": stop.signal, "at": rfc3339(stop.signalled_at)}


def _deadline(stop: RunStop) -> dict[str, Any] | None:
    """report.json's `run.deadline`: the run's deadline and, if it passed, when."""
    if stop.deadline_s is None:
        return None
    passed = stop.deadline_passed_at
    return {"seconds": stop.deadline_s, **({"passed_at": rfc3339(passed)} if passed else {})}
