"""The README starts with exactly the two commands that work on a fresh machine, and CI runs
the second of them."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text("utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert block is not None and text.index("```sh") < 40, "the README starts with the commands"
    return block.group(1).strip().splitlines()


def test_two_commands_demo_then_tests() -> None:
    demo, tests = readme_commands()
    assert demo.endswith("cgconform demo") and "pip install ." in demo
    assert "pytest" in tests and "[test]" in tests


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text("utf-8").strip().splitlines()
    assert readme_commands()[1] in ci
    assert any("CG_REQUIRE_SHARED=1" in line for line in ci)
    assert any("CI=true" in line for line in ci)
