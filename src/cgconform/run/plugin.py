"""The pytest plugin: the one bridge between checks in ``suites/`` and pytest.

- collects check functions in ``suites/`` marked ``@requirement(standard, id)``
  (:mod:`cgconform.run.marks`) or ``@pytest.mark.requirement(standard, id)`` (they need no
  ``test_`` prefix), and gives each a ``requirement`` mark for the first kind too;
- deselects checks whose requirements are not selected by the run's profiles;
- turns each check's exception into a verdict with message and evidence (``Outcome``
  exceptions carry their own verdict, ``AssertionError`` is `fail`, anything else is `error`)
  and attaches it to the test report as the user property ``cg_outcome``; a check that
  raises ``Passed`` (a pass that says what it exercised) is a passed test to pytest too.

The plugin is inert in pytest sessions that do not use cgconform.
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cgconform.model.locations import suites_dir
from cgconform.model.outcomes import Outcome
from cgconform.model.target import ConfigError
from cgconform.model.verdicts import Verdict
from cgconform.run.checks import classify
from cgconform.run.marks import MARK, marked, requirement_args

if False:  # typing only; importing the engine eagerly would slow down every pytest session
    from cgconform.http.client import HttpClient
    from cgconform.openapi.document import SpecDocument
    from cgconform.run.context import RunContext

CONTEXT_KEY = pytest.StashKey["RunContext"]()
REQUIREMENTS_KEY = pytest.StashKey[Iterable[tuple[str, str]]]()
OUTCOME_PROPERTY = "cg_outcome"
REQUIREMENT_PROPERTY = "requirement"
MAX_EXCHANGES = 5  # exchanges from the journal attached to a finding without evidence
MAX_EVIDENCE = 200  # evidence items a check may attach (e.g. every location in a document)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cgconform", "cgconform conformance checks")
    group.addoption("--cg-target", help="target.toml of the system under test")
    group.addoption("--cg-url", help="base URL of the system under test")
    group.addoption("--cg-spec", help="OpenAPI document (path or URL)")
    group.addoption("--cg-profile", action="append", default=[], help="profile id (repeatable)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requirement(standard, id): the normative requirement a check verifies"
    )
    if CONTEXT_KEY in config.stash:
        return
    wanted = [config.getoption(o) for o in ("cg_target", "cg_url", "cg_spec")]
    if any(wanted) or config.getoption("cg_profile"):
        config.stash[CONTEXT_KEY] = _context_from_options(config)


def _context_from_options(config: pytest.Config) -> RunContext:
    """`pytest suites/ --cg-target ...`: the same context `cgconform run` builds."""
    from cgconform.model.catalogue import CatalogueError, load_profiles, select_profiles
    from cgconform.model.target import ConfigError, Target, load_target
    from cgconform.run.context import build_context

    try:
        path = config.getoption("cg_target")
        target = load_target(path) if path else Target()
        target = target.with_overrides(
            url=config.getoption("cg_url"), spec=config.getoption("cg_spec")
        )
        ids = config.getoption("cg_profile")
        profiles = select_profiles(ids) if ids else list(load_profiles().values())
        return build_context(target, profiles)
    except (ConfigError, CatalogueError) as exc:
        raise pytest.UsageError(str(exc)) from None


def _suite_module_name(path: Path) -> str | None:
    """`cgconform.suites.api.runtime.headers` for a file of the shipped suites, else None."""
    try:
        relative = path.resolve().relative_to(suites_dir().resolve())
    except (ValueError, FileNotFoundError):
        return None
    return ".".join(("cgconform", "suites", *relative.with_suffix("").parts))


def _in_suites(path: Path) -> bool:
    return _suite_module_name(path) is not None


class CheckModule(pytest.Module):
    """A suite module, imported under its one package name (``cgconform.suites...``) whether
    pytest was pointed at the checkout's ``suites/`` or at the installed package: the checks and
    the harness modules they share are then loaded once, never twice under two names."""

    def _getobj(self) -> Any:
        name = _suite_module_name(self.path)
        if name is None:  # only made for files in the suites (pytest_collect_file)
            raise self.CollectError(f"{self.path} is not in cgconform's suites")
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise self.CollectError(f"cannot import {name}: {exc}") from exc
        self.config.pluginmanager.consider_module(module)
        return module


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if (
        file_path.suffix == ".py"
        and not file_path.name.startswith(("_", "test_", "conftest"))
        and _in_suites(file_path)
    ):
        module: pytest.Module = CheckModule.from_parent(parent, path=file_path)
        return module
    return None


def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> list[pytest.Function] | None:
    if (
        isinstance(collector, pytest.Module)
        and inspect.isfunction(obj)
        and not name.startswith("_")
        and requirement_args(obj)
        and _in_suites(collector.path)
    ):
        items = list(collector._genfunctions(name, obj))
        for item in items:
            for standard, req_id in marked(obj):
                item.add_marker(pytest.mark.requirement(standard, req_id))
        return items
    return None


def requirement_keys(item: pytest.Item) -> list[tuple[str, str]]:
    keys = []
    for mark in item.iter_markers(MARK):
        if len(mark.args) != 2 or not all(isinstance(a, str) for a in mark.args):
            raise pytest.UsageError(
                f"{item.nodeid}: use @requirement(standard, id), got {mark.args!r}"
            )
        keys.append((mark.args[0], mark.args[1]))
    return keys


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    for item in items:
        keys = requirement_keys(item)
        item.stash[REQUIREMENTS_KEY] = keys
        item.user_properties.extend((REQUIREMENT_PROPERTY, f"{s} {i}") for s, i in keys)
    context = config.stash.get(CONTEXT_KEY, None)
    if context is None:
        return
    wanted = context.selection
    keep = [i for i in items if set(i.stash[REQUIREMENTS_KEY]) & wanted]
    drop = [i for i in items if not set(i.stash[REQUIREMENTS_KEY]) & wanted]
    if drop:
        config.hook.pytest_deselected(items=drop)
    items[:] = keep


def pytest_runtest_setup(item: pytest.Item) -> None:
    context = item.config.stash.get(CONTEXT_KEY, None)
    if context is not None:
        context.journal.begin(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    context = item.config.stash.get(CONTEXT_KEY, None)
    if (
        context is not None  # a cgconform run, not any pytest session with the plugin loaded
        and call.excinfo is not None
        and isinstance(call.excinfo.value, ConfigError)
    ):
        # The configuration is wrong, not the target: stop here with one clear message.
        if context.config_error is None:
            context.config_error = str(call.excinfo.value)
        item.session.shouldstop = str(call.excinfo.value)
        return report
    if call.excinfo is not None and _is_pass(call.excinfo.value):
        # `Passed` ends a check with a message: pytest shows it as the pass it is.
        report.outcome = "passed"
        report.longrepr = None
    outcome = _classify(item, call, report)
    if outcome is not None:
        if context is not None:
            outcome["message"] = context.redactor.text(outcome["message"])
            outcome["evidence"] = context.redactor.value(outcome["evidence"])
        report.user_properties = [
            *report.user_properties,
            (OUTCOME_PROPERTY, json.dumps(outcome, default=str)),
        ]
    return report


def _is_pass(exc: BaseException) -> bool:
    return isinstance(exc, Outcome) and exc.verdict is Verdict.PASS


def _classify(
    item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
) -> dict[str, Any] | None:
    excinfo = call.excinfo
    if excinfo is None:
        if call.when != "call":
            return None
        return {"verdict": Verdict.PASS.label, "message": "", "evidence": []}
    exc = excinfo.value
    evidence: list[dict[str, Any]]
    if report.skipped and not isinstance(exc, Outcome):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(exc)
        verdict, message, evidence = Verdict.NOT_TESTED, str(reason).removeprefix("Skipped: "), []
    else:
        verdict, message, evidence = classify(exc, call.when)
    if not evidence and verdict is not Verdict.PASS:
        evidence = list(_journal_evidence(item))
    return {"verdict": verdict.label, "message": message, "evidence": evidence[:MAX_EVIDENCE]}


def _journal_evidence(item: pytest.Item) -> Iterator[dict[str, Any]]:
    context = item.config.stash.get(CONTEXT_KEY, None)
    if context is None:
        return
    for exchange in context.journal.for_check(item.nodeid)[-MAX_EXCHANGES:]:
        yield exchange.to_evidence()


# -- fixtures the checks use ---------------------------------------------------------------


def _context(request: pytest.FixtureRequest) -> RunContext:
    context = request.config.stash.get(CONTEXT_KEY, None)
    if context is None:
        raise pytest.UsageError(
            "cgconform checks need a target: run `cgconform run` or pass --cg-target/--cg-url"
        )
    return context


@pytest.fixture(scope="session")
def cg_context(request: pytest.FixtureRequest) -> RunContext:
    """The run's shared state: target, HTTP layer, budget, selection."""
    return _context(request)


@pytest.fixture(scope="session")
def cg_http(cg_context: RunContext) -> HttpClient:
    """The one HTTP layer (budget, rate limit, timeouts, redaction, evidence)."""
    return cg_context.http


@pytest.fixture(scope="session")
def cg_spec(cg_context: RunContext) -> SpecDocument:
    """The target's OpenAPI document as loaded (check `.ok` / `.error`)."""
    return cg_context.spec()
