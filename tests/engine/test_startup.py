"""What a small command imports: `cgconform lint` on a small document, `--version` and
`profiles` must not load the libraries only `run`, the reports or the harnesses need.

Import time is most of what `lint` costs on a small document, and it is asserted here as the
list of modules, not as seconds (benchmarks/ measures those).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "pytest",
    "_pytest",
    "requests",
    "urllib3",
    "schemathesis",
    "hypothesis",
    "jinja2",
    "rich",
    "cryptography",
    "jsonschema",
    "yaml",  # PyYAML: yaml-rs and rapidyaml read documents and catalogues
)

SMALL_DOCUMENT = """\
openapi: 3.0.3
info:
  title: Small API
  version: 1.0.0
  contact: {name: Team, url: "https://example.nl", email: team@example.nl}
servers:
  - url: https://api.example.nl/small/v1
paths:
  /items:
    get:
      operationId: listItems
      responses:
        "200":
          description: OK
          headers:
            API-Version: {schema: {type: string}}
          content:
            application/json:
              schema: {type: array, items: {type: string}}
"""


def imported(args: list[str], cwd: Path) -> set[str]:
    """The top-level packages `python -m cgconform ARGS` imports (python -X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "cgconform", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode in (0, 1, 3), done.stderr[-2000:]  # 3: inconclusive
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".", 1)[0])
    assert "cgconform" in names, done.stderr[-2000:]
    return names


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "small.yaml"],
        ["lint", "--format", "json", "small.yaml"],
        ["lint", "--format", "sarif", "small.yaml"],
        ["--version"],
        ["profiles"],
        ["profiles", "adr-openapi"],
    ],
    ids=" ".join,
)
def test_small_commands_import_no_heavy_library(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "small.yaml").write_text(SMALL_DOCUMENT, encoding="utf-8")
    heavy = sorted(imported(args, tmp_path) & set(HEAVY))
    assert not heavy, f"cgconform {' '.join(args)} imports {', '.join(heavy)}"


def test_lint_imports_the_http_layer_only_for_a_remote_ref(tmp_path: Path) -> None:
    """The check itself: a document whose $ref points to a URL does load the HTTP layer
    (--offline leaves it unfetched, and then nothing is loaded)."""
    remote = SMALL_DOCUMENT.replace(
        "schema: {type: array, items: {type: string}}",
        'schema: {$ref: "http://127.0.0.1:9/schemas.yaml#/Item"}',
    )
    (tmp_path / "remote.yaml").write_text(remote, encoding="utf-8")
    assert "requests" not in imported(["lint", "--offline", "remote.yaml"], tmp_path)
    assert "requests" in imported(["lint", "remote.yaml"], tmp_path)
