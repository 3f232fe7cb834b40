"""The console summary: what needs attention in detail, passes as one count line per profile,
nothing wrapped at 80 columns, `-v` lists every requirement; a progress display on a
terminal and none on CI or without one."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cgtest.clirun import CliResult
from cgtest.reportdata import make_report, make_result
from rich.console import Console

from cgconform.report.console import ProgressDisplay, on_ci, print_summary

LONG = (
    "GET https://api.example.nl/v1/parkeervergunningen/0b6f3f4e-8c1d-4a57-9a5e-2f1f3c7d9e10"
    "/voertuigen?kenteken=XX-999-X answered without an API-Version header"
)


def _report() -> dict:  # type: ignore[type-arg]
    return make_report(
        [
            make_result("/core/semver", "pass", message="info.version 1.0.0 is SemVer"),
            make_result("/core/version-header", "fail", message=LONG),
            make_result("/core/uri-version", "warning", level="SHOULD"),
            make_result("/core/no-trailing-slash", "pass"),
            make_result("/core/doc-openapi-contact", "not_applicable"),
            make_result("/core/naming-resources", "not_tested"),
            make_result("/core/error-handling/problem-details", "inconclusive", reason="429"),
            make_result("/core/doc-openapi", "pass", profile="adr-openapi"),
        ]
    )


def _text(verbose: bool = False, width: int = 80) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, highlight=False, color_system=None)
    print_summary(_report(), [Path("reports/report.json")], console=console, verbose=verbose)
    return out.getvalue()


def test_failures_in_detail_passes_as_one_count_line() -> None:
    text = _text()
    lines = text.splitlines()
    assert any(line.startswith("  ✗ fail") and "/core/version-header" in line for line in lines)
    assert any(line.startswith("  ! warning") and "/core/uri-version" in line for line in lines)
    assert any("? inconclusive" in line and "problem-details" in line for line in lines)
    assert any("- not_tested" in line for line in lines)
    assert "/core/semver" not in text and "/core/no-trailing-slash" not in text
    assert "/core/doc-openapi-contact" not in text
    runtime_count = next(line for line in lines if line.startswith("  ✓ pass 2"))
    assert "· not_applicable 1" in runtime_count and "-v lists them" in runtime_count
    assert any(line.startswith("  ✓ pass 1") for line in lines)  # the other profile
    # worst first: the fail before the warning
    assert text.index("/core/version-header") < text.index("/core/uri-version")


def test_nothing_is_wrapped_at_80_columns() -> None:
    text = _text(width=80)
    assert any(line.strip() == LONG for line in text.splitlines())  # the message, whole
    assert max(len(line) for line in text.splitlines()) > 80
    for line in text.splitlines():
        if "/core/version-header" in line:
            assert "Requirement /core/version-header" in line  # id and title on one line


def test_verbose_lists_every_requirement() -> None:
    text = _text(verbose=True)
    for requirement in ("/core/semver", "/core/no-trailing-slash", "/core/doc-openapi-contact"):
        assert requirement in text
    assert "info.version 1.0.0 is SemVer" in text  # what a pass covered
    assert "-v lists them" not in text


def test_run_in_a_process_keeps_long_lines_whole(
    cli_process: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    """`cgconform run` with a narrow terminal: every line of the summary as it is; no progress
    display on a pipe; -v lists the passes too."""
    from cgconform.fixtures.openapi.defects import DEFECTS, reference

    document = tmp_path / "openapi.json"
    import json

    document.write_text(json.dumps(DEFECTS["semver_two_parts"].apply(reference())))
    env_columns = {"COLUMNS": "60"}
    args = ["run", "--profile", "adr-openapi", "--spec", str(document)]
    result = subprocess.run(
        [sys.executable, "-m", "cgconform", *args, "--report-dir", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **env_columns},
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    fail = next(line for line in result.stdout.splitlines() if "/core/semver" in line)
    assert fail.startswith("  ✗ fail") and "Semantic Versioning" in fail
    assert len(fail) > 60
    assert "✓ pass" in result.stdout and "-v lists them" in result.stdout
    assert result.stderr == ""  # no progress display without a terminal
    verbose = cli_process(*args, "--report-dir", str(tmp_path / "v"), "-v")
    assert "/core/no-trailing-slash" in verbose.stdout and "-v lists them" not in verbose.stdout


def test_progress_only_on_a_terminal_and_never_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    monkeypatch.delenv("CI", raising=False)
    assert not on_ci()
    assert ProgressDisplay().enabled
    assert not ProgressDisplay(enabled=False).enabled  # --quiet
    for value in ("true", "True", "1"):
        monkeypatch.setenv("CI", value)
        assert on_ci() and not ProgressDisplay().enabled
    monkeypatch.setenv("CI", "false")
    assert ProgressDisplay().enabled
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: False))
    monkeypatch.delenv("CI")
    assert not ProgressDisplay().enabled


def test_the_progress_display_draws_and_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    monkeypatch.delenv("CI", raising=False)
    for thread in (True, False):
        with ProgressDisplay(label="targets", refresh_thread=thread) as display:
            display.update(1, 3, ["Zaken API", "Parkeren API"])
            display.update(3, 3)


def test_campaign_console_under_v(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    import json

    from cgconform.fixtures.openapi.defects import DEFECTS, reference

    (tmp_path / "good.json").write_text(json.dumps(reference()))
    (tmp_path / "bad.json").write_text(json.dumps(DEFECTS["semver_two_parts"].apply(reference())))
    campaign = tmp_path / "campaign.toml"
    campaign.write_text(
        'profiles = ["adr-openapi"]\n[[targets]]\nname = "Goed"\norganisation = "Gemeente"\n'
        'spec = "good.json"\n[[targets]]\nname = "Fout"\nspec = "bad.json"\n'
    )
    quiet = cli("campaign", str(campaign), "--report-dir", str(tmp_path / "a"))
    assert "✓ conformant 1: Goed" in quiet.stdout and "✗ not_conformant Fout" in quiet.stdout
    loud = cli("campaign", str(campaign), "--report-dir", str(tmp_path / "b"), "-v", "--lang", "nl")
    assert "Goed (Gemeente)" in loud.stdout and "adr-openapi /core/semver" in loud.stdout
    assert "Oordeel: NIET CONFORM" in loud.stdout
