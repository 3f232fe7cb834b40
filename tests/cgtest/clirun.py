"""The outcome of one `cgconform` invocation in a test, with its report.json at hand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cgconform.report.schema import validate_report


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    report_dir: Path

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "report.json").read_text("utf-8"))
        return data

    def verdicts(self) -> dict[str, str]:
        return {r["requirement"]: r["verdict"] for r in self.report["results"]}


def assert_valid_report(report: dict[str, Any]) -> None:
    errors = validate_report(report)
    assert not errors, "report.json does not validate against the shipped schema:\n" + "\n".join(
        errors
    )
