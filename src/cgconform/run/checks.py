"""Check functions outside pytest: discovering them in suite modules, calling them directly,
and turning what they raise into a verdict (shared with the pytest plugin).

`cgconform run` executes checks through pytest; `cgconform lint` calls the same functions
directly with the fixtures it can provide (the OpenAPI document), which costs microseconds
instead of a pytest session per document.
"""

from __future__ import annotations

import importlib
import inspect
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from cgconform.model.locations import suites_dir
from cgconform.model.outcomes import Outcome
from cgconform.model.verdicts import Verdict
from cgconform.run.marks import requirement_args

Evidence = dict[str, Any]


def where(tb: TracebackType | None) -> str:
    """` at file.py:12`: the innermost frame of a suite error."""
    frames = traceback.extract_tb(tb)
    if not frames:
        return ""
    last = frames[-1]
    return f" at {Path(last.filename).name}:{last.lineno}"


def classify(exc: BaseException, phase: str = "call") -> tuple[Verdict, str, list[Evidence]]:
    """What an exception escaping a check means: its own verdict (Outcome), `fail`
    (AssertionError), or `error` (anything else: a fault in the suite, never the target's)."""
    if isinstance(exc, Outcome):
        return exc.verdict, exc.message, [dict(e) for e in exc.evidence]
    if isinstance(exc, AssertionError):
        return Verdict.FAIL, str(exc).strip() or "assertion failed", []
    message = f"suite error ({phase}): {type(exc).__name__}: {exc}{where(exc.__traceback__)}"
    return Verdict.ERROR, message, []


@dataclass(frozen=True)
class CheckFunction:
    name: str  # suites/api/document/versioning.py::info_version_is_semver
    function: Callable[..., None]
    requirements: tuple[tuple[str, str], ...]
    parameters: tuple[str, ...]

    def call(self, fixtures: Mapping[str, Any]) -> tuple[Verdict, str, list[Evidence]]:
        missing = [p for p in self.parameters if p not in fixtures]
        if missing:
            return (
                Verdict.NOT_TESTED,
                f"needs {', '.join(missing)}, which this mode cannot provide",
                [],
            )
        try:
            self.function(**{p: fixtures[p] for p in self.parameters})
        except Exception as exc:
            return classify(exc)
        return Verdict.PASS, "", []


def _modules(suite_paths: Iterable[str]) -> list[tuple[str, str]]:
    """(module name, check name prefix) of every check module in the given suite paths:
    (`cgconform.suites.api.document.versioning`, `suites/api/document/versioning.py`)."""
    root = suites_dir()
    found: list[tuple[str, str]] = []
    for entry in suite_paths:
        path = root / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
        for file in files:
            if file.name.startswith(("_", "test_", "conftest")) or not file.is_file():
                continue
            relative = file.relative_to(root.parent)
            found.append(
                ("cgconform." + ".".join(relative.with_suffix("").parts), relative.as_posix())
            )
    return found


def discover(suite_paths: Sequence[str]) -> list[CheckFunction]:
    """Every check function (marked with `@requirement`) in the given suite folders/modules."""
    found: list[CheckFunction] = []
    for module_name, file in _modules(suite_paths):
        module = importlib.import_module(module_name)
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if obj.__module__ != module.__name__ or name.startswith("_"):
                continue
            marks = requirement_args(obj)
            if not marks:
                continue
            found.append(
                CheckFunction(
                    name=f"{file}::{name}",
                    function=obj,
                    requirements=tuple((str(args[0]), str(args[1])) for args in marks),
                    parameters=tuple(inspect.signature(obj).parameters),
                )
            )
    return found
