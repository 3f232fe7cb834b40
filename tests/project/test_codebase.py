"""The code's own rules, enforced by tests rather than review (DESIGN.md §7, STYLE.md R5/R6)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def imports(folder: str) -> Iterator[tuple[Path, str]]:
    for path in sorted((REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                yield from ((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


def test_engine_knows_no_standard() -> None:
    bad = [
        f"{p.relative_to(REPO)}: {m}"
        for p, m in imports("src/cgconform")
        if m.split(".")[0] in ("suites", "fixtures")
    ]
    assert not bad, "the engine imports suites/fixtures: " + ", ".join(bad)


def test_checks_use_the_one_http_layer() -> None:
    network = ("requests", "httpx", "urllib3", "aiohttp", "socket", "http.client")
    bad = [
        f"{p.relative_to(REPO)}: {m}"
        for p, m in imports("suites")
        if m in network or m.split(".")[0] in network
    ]
    assert not bad, "checks talk to the network without cgconform.http: " + ", ".join(bad)


def test_suites_know_no_report_format() -> None:
    bad = [
        f"{p.relative_to(REPO)}: {m}"
        for p, m in imports("suites")
        if m.startswith("cgconform.report")
    ]
    assert not bad, ", ".join(bad)


def _tool(name: str) -> list[str]:
    exe = shutil.which(name, path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return [exe]


def test_ruff_is_clean() -> None:
    proc = subprocess.run(
        [*_tool("ruff"), "check", "src", "suites", "tests", "fixtures", "benchmarks"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_is_clean() -> None:
    proc = subprocess.run([*_tool("mypy")], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
