"""The layout docs/architecture.md draws, enforced on the code: which part may import which,
no import circle, the engine never importing a suite or a fixture (not even by a string given
to importlib), and each check module reachable under one package name."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENGINE = REPO / "src" / "cgconform"
ARCHITECTURE = REPO / "docs" / "architecture.md"

# What each part may import of cgconform (docs/architecture.md, "Who may import whom").
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "http": {"model"},
    "openapi": {"model", "http"},
    "run": {"model", "http", "openapi"},
    "report": {"model"},
    "cli": {"model", "http", "openapi", "run", "report"},
    "suites": {"model", "http", "openapi", "run", "suites"},
    "fixtures": {"model", "http", "openapi", "suites", "fixtures"},
}
FOLDERS = {
    "suites": REPO / "suites",
    "fixtures": REPO / "fixtures",
    **{part: ENGINE / part for part in ("model", "http", "openapi", "run", "report", "cli")},
}


def _module_name(path: Path) -> str:
    if path.is_relative_to(ENGINE):
        parts = path.relative_to(ENGINE.parent).with_suffix("").parts
    else:
        parts = ("cgconform", *path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _python_files() -> Iterator[tuple[str, Path]]:
    for part, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            yield part, path


def _imports(path: Path, module: str | None = None) -> Iterator[str]:
    """Every cgconform module `path` imports: statements anywhere in the file (lazy imports
    inside functions included), relative imports resolved, and string literals passed to
    importlib.import_module."""
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name
            yield from (f"{name}.{a.name}" for a in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
        ):
            yield ast.unparse(node.args[0]).strip("'\"f")


def _part_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] in ("suites", "fixtures"):
        return parts[0]  # the old top-level names: always a violation below
    if parts[0] != "cgconform" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in FOLDERS else None


def _edges() -> Iterator[tuple[str, Path, str]]:
    for part, path in _python_files():
        for name in _imports(path):
            yield part, path, name


def test_each_part_imports_only_what_architecture_md_allows() -> None:
    bad = set()
    for part, path, name in _edges():
        target = _part_of(name)
        if target is None or target == part:
            continue
        if target not in ALLOWED[part] or name.split(".")[0] != "cgconform":
            bad.add(f"{path.relative_to(REPO)} ({part}) imports {name} ({target})")
    assert not bad, "\n".join(sorted(bad))


def test_engine_never_imports_a_suite_or_a_fixture() -> None:
    engine_parts = ALLOWED.keys() - {"suites", "fixtures"}
    bad = [
        f"{path.relative_to(REPO)}: {name}"
        for part, path, name in _edges()
        if part in engine_parts and re.match(r"(cgconform\.)?(suites|fixtures)\b", name)
    ]
    assert not bad, "the engine imports suites/fixtures: " + ", ".join(bad)


def test_the_rule_itself_catches_a_forbidden_import(tmp_path: Path) -> None:
    """The scanner sees lazy imports and importlib strings, not only top-level statements."""
    source = tmp_path / "m.py"
    source.write_text(
        "def f():\n    from cgconform.suites.fsc.harness import pki\n"
        "    importlib.import_module('cgconform.fixtures.demo')\n"
    )
    names = set(_imports(source, "cgconform.run.probe"))
    assert {"cgconform.suites.fsc.harness", "cgconform.fixtures.demo"} <= names


def _module_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for _, path in _python_files()}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for imported in _imports(path):
            # `from pkg import mod` names the module pkg.mod; `from mod import func` the module
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name and not name.startswith(imported + "."):
                graph[name].add(imported)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    assert _cycles(_module_graph()) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_architecture_md_names_every_part_and_its_rule() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    for part, allowed in ALLOWED.items():
        line = re.search(rf"^\| `{part}` \| ([^|]*) \|", text, re.MULTILINE)
        assert line, f"docs/architecture.md has no row for `{part}` in its import table"
        named = set(re.findall(r"`(\w+)`", line.group(1)))
        assert named == allowed - {part}, (part, named)


@pytest.mark.parametrize("folder", ["suites", "fixtures", "profiles"])
def test_the_checkout_links_the_shipped_folders_into_the_package(folder: str) -> None:
    link = ENGINE / folder
    assert link.is_symlink() and link.resolve() == (REPO / folder).resolve(), (
        f"src/cgconform/{folder} must link to ../../{folder} (see docs/architecture.md)"
    )
