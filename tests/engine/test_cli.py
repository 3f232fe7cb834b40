"""The command line: fixed names and exit codes, clear errors without tracebacks, cheap start."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from cgtest.clirun import CliResult

from cgconform.fixtures.openapi.defects import DEFECTS, REFERENCE, reference

Cli = Callable[..., CliResult]
Proc = Callable[..., subprocess.CompletedProcess[str]]


def assert_clean_error(proc: subprocess.CompletedProcess[str], text: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert text in proc.stderr


def test_version(cli_process: Proc) -> None:
    proc = cli_process("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("cgconform ")


def test_missing_spec_file_is_a_usage_error(cli_process: Proc, tmp_path: Path) -> None:
    proc = cli_process("run", "--profile", "adr-openapi", "--spec", str(tmp_path / "nope.json"))
    assert_clean_error(proc, "OpenAPI document not found")


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["run", "--profile", "adr-openapi"], "needs an OpenAPI document"),
        (["run", "--profile", "no-such-profile", "--spec", "x"], "unknown profile"),
        (["run", "--spec", "x"], "--profile"),
        (["run", "--profile", "adr-openapi", "--target", "missing.toml"], "cannot read target"),
        (["run", "--profile", "adr-openapi", "--url", "nope"], "is not an http(s) URL"),
        (["run", "--profile", "adr-openapi", "--spec", "x", "--format", "pdf"], "unknown format"),
        (["run", "--profile", "adr-openapi", "--max-requests", "-3"], "must not be negative"),
        (["profiles", "nope"], "unknown profile"),
        (["report", "diff", "a.json", "b.json"], "report not found"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_message(
    cli_process: Proc, args: list[str], text: str
) -> None:
    assert_clean_error(cli_process(*args), text)


def test_broken_target_file_is_a_usage_error(cli_process: Proc, tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text('[auth]\nbearer = "plain-secret"\n')
    proc = cli_process("run", "--profile", "adr-openapi", "--target", "t.toml", "--spec", "x")
    assert_clean_error(proc, "credentials are given by reference only")
    assert "plain-secret" not in proc.stderr


def test_unset_credential_is_a_usage_error(cli_process: Proc, tmp_path: Path) -> None:
    (tmp_path / "t.toml").write_text(
        f'spec = "{REFERENCE}"\n[auth]\nbearer = "env:CG_SURELY_UNSET"\n'
    )
    proc = cli_process("run", "--profile", "adr-openapi", "--target", "t.toml")
    assert_clean_error(proc, "CG_SURELY_UNSET is not set")


def test_profiles_text_and_json(cli: Cli) -> None:
    assert "adr-openapi" in cli("profiles").stdout
    rows = json.loads(cli("profiles", "adr-openapi", "--format", "json").stdout)
    assert {"id", "standard", "standard_version", "level", "automation", "title"} <= set(rows[0])
    assert {r["id"] for r in rows} >= {"/core/semver", "/core/version-header"}


def test_startup_is_cheap_and_imports_nothing_heavy() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from cgconform.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['profiles']); main(['profiles', 'adr-openapi'])\n"
        "heavy = [m for m in ('schemathesis', 'hypothesis', 'pytest', 'requests') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    for args in (["--version"], ["profiles"]):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cgconform", *args], check=True, capture_output=True, timeout=60
        )
        elapsed = time.perf_counter() - started
        assert elapsed < 1.0, f"cgconform {' '.join(args)} took {elapsed:.2f} s"


def test_demo_runs_and_is_conformant(cli: Cli) -> None:
    result = cli("demo")
    assert result.code == 0, result.stdout
    assert result.report["verdict"] == "conformant"
    assert (result.report_dir / "junit.xml").is_file()
    assert "CONFORMANT" in result.stdout


def test_summary_in_dutch(cli: Cli) -> None:
    result = cli(
        "run", "--profile", "adr-openapi", "--spec", str(REFERENCE), "--lang", "nl", "--quiet"
    )
    assert "Oordeel: CONFORM" in result.stdout


def _report(cli: Cli, tmp_path: Path, name: str, defect: str | None) -> Path:
    spec = tmp_path / f"{name}.json"
    doc = DEFECTS[defect].apply(reference()) if defect else reference()
    spec.write_text(json.dumps(doc))
    out = tmp_path / name
    cli("run", "--profile", "adr-openapi", "--spec", str(spec), "--report-dir", str(out), "--quiet")
    return out / "report.json"


def test_report_diff_exits_1_on_regression_and_0_on_a_fix(cli: Cli, tmp_path: Path) -> None:
    good = _report(cli, tmp_path, "good", None)
    bad = _report(cli, tmp_path, "bad", "semver_two_parts")
    regression = cli("report", "diff", str(good), str(bad))
    assert regression.code == 1
    assert "/core/semver" in regression.stdout
    fixed = cli("report", "diff", str(bad), str(good), "--format", "json")
    assert fixed.code == 0
    assert json.loads(fixed.stdout)["regression"] is False


def test_report_render_junit(cli: Cli, tmp_path: Path) -> None:
    good = _report(cli, tmp_path, "good", None)
    out = tmp_path / "rendered"
    result = cli("report", "render", str(good), "--format", "junit", "--out", str(out))
    assert result.code == 0
    assert (out / "junit.xml").is_file()
