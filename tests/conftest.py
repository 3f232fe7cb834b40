"""Fixtures for cgconform's own tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cgtest.clirun import CliResult, assert_valid_report


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `cgconform ...` in-process; every report.json it writes is schema-validated."""
    from cgconform.cli.main import main

    def invoke(*args: str) -> CliResult:
        argv = list(args)
        if "--report-dir" in argv:
            report_dir = Path(argv[argv.index("--report-dir") + 1])
        else:
            report_dir = tmp_path / "reports"
            if argv and argv[0] in ("run", "demo"):
                argv += ["--report-dir", str(report_dir)]
        code = main(argv)
        out, err = capsys.readouterr()
        result = CliResult(code, out, err, report_dir)
        if (report_dir / "report.json").exists():
            assert_valid_report(result.report)
        return result

    return invoke


@pytest.fixture
def cli_process(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `cgconform ...` as a separate process (exit codes, stderr, start-up cost)."""

    def invoke(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "COLUMNS": "200"}
        return subprocess.run(
            [sys.executable, "-m", "cgconform", *args],
            capture_output=True,
            text=True,
            cwd=cwd or tmp_path,
            env=env,
            timeout=120,
        )

    return invoke
