"""Interrupted and partial runs (issue 17): a signal or the run deadline stops a run with a
valid partial report that says so; reports are written whole or not at all; an unusable output
location is refused before the first request."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cgtest.clirun import CliResult, assert_valid_report
from cgtest.servers import LocalServer, Received, Reply

from cgconform.fixtures.openapi.defects import REFERENCE
from cgconform.model.target import ConfigError, Target, parse_target
from cgconform.report.files import OutputError, atomic_writer, check_output_file, write_text
from cgconform.report.html import render_html

Cli = Callable[..., CliResult]
SLOW_S = 0.3  # every answer of the slow target takes this long


@pytest.fixture
def slow_target() -> Iterator[LocalServer]:
    """A target that publishes its OpenAPI document and answers every request slowly."""
    document = REFERENCE.read_bytes()

    def answer(received: Received) -> Reply:
        time.sleep(SLOW_S)
        if received.path.endswith("/openapi.json"):
            return Reply(200, [("Content-Type", "application/json")], document)
        return Reply(404, [("Content-Type", "application/problem+json")], b'{"status": 404}')

    with LocalServer(default=answer) as server:
        yield server


def _start(server: LocalServer, report_dir: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "cgconform", "run", "--profile", "adr-runtime"),
            *("--url", server.url(""), "--report-dir", str(report_dir), "--quiet", *extra),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def _report(report_dir: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads((report_dir / "report.json").read_text("utf-8"))
    assert_valid_report(report)
    return report


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_the_run_with_a_partial_report(
    slow_target: LocalServer, tmp_path: Path, sent: signal.Signals
) -> None:
    report_dir = tmp_path / "reports"
    process = _start(slow_target, report_dir)
    time.sleep(2)
    assert process.poll() is None, "the run ended before it could be interrupted"
    process.send_signal(sent)
    signalled = time.monotonic()
    _, stderr = process.communicate(timeout=30)
    took = time.monotonic() - signalled

    assert process.returncode == 3, stderr
    assert took < 5, f"the run took {took:.1f} s to stop"
    assert f"cgconform: interrupted by {sent.name}; partial report written to {report_dir}" in (
        stderr
    )
    assert "Traceback" not in stderr

    report = _report(report_dir)
    assert report["run"]["interrupted"]["signal"] == sent.name
    assert report["run"]["started_at"] <= report["run"]["interrupted"]["at"]
    reason = f"the run was interrupted ({sent.name}) before this requirement was checked"
    unfinished = [r for r in report["results"] if r.get("reason") == reason]
    assert unfinished, "the requirements not yet checked say why"
    assert all(r["verdict"] == "not_tested" for r in unfinished)
    assert not [r for r in report["results"] if r["verdict"] == "error"], "no suite error"
    assert report["verdict"] == "inconclusive"
    page = (report_dir / "report.en.html").read_text("utf-8")
    assert f"This run was interrupted ({sent.name})" in page
    assert f"Deze run is onderbroken ({sent.name})" in render_html(report, lang="nl")


def test_the_deadline_stops_new_requests_and_leaves_the_rest_not_tested(
    slow_target: LocalServer, tmp_path: Path
) -> None:
    report_dir = tmp_path / "reports"
    started = time.monotonic()
    process = _start(slow_target, report_dir, "--deadline", "2")
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 3, stderr
    assert "cgconform: the run deadline of 2 s passed; partial report written to" in stderr
    report = _report(report_dir)
    assert report["run"]["deadline"]["seconds"] == 2
    assert "passed_at" in report["run"]["deadline"]
    assert "interrupted" not in report["run"]
    stopped = [r for r in report["results"] if "the run deadline of 2 s passed" in r["message"]]
    assert stopped and all(r["verdict"] == "not_tested" for r in stopped)
    # Start-up (before the deadline's clock starts) is well under 5 s; the last request may
    # have been sent just before the deadline and take SLOW_S to arrive and be answered.
    late = [r for r in slow_target.received if r.at > started + 2 + 5]
    assert not late, f"{len(late)} requests after the deadline"
    assert "deadline of 2 s passed" in render_html(report, lang="en")
    assert "tijdslimiet van de run (2 s)" in render_html(report, lang="nl")


def test_a_second_signal_stops_at_once(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, signal, time
        from cgconform.run.stop import RunStop

        stop = RunStop()
        with stop.signals():
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
            except KeyboardInterrupt:
                print("first", stop.signal, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
            print("still running", flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert done.stdout == "first SIGINT\n"
    assert done.returncode == 130
    assert "SIGTERM again: stopped at once, without a report" in done.stderr


def test_a_signal_the_process_ignores_stays_ignored() -> None:
    """A shell's background job ignores SIGINT, `nohup` SIGHUP: the run keeps that."""
    script = textwrap.dedent(
        """
        import os, signal
        from cgconform.run.stop import RunStop

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop = RunStop()
        with stop.signals():
            os.kill(os.getpid(), signal.SIGINT)
        print("still running", stop.signal, signal.getsignal(signal.SIGINT) is signal.SIG_IGN)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (0, "still running None True\n"), done.stderr


def test_deadline_in_target_toml_and_flag() -> None:
    target = parse_target({"budget": {"deadline": 90}})
    assert target.budget.deadline_s == 90
    assert target.with_overrides(deadline_s=2.5).budget.deadline_s == 2.5
    assert Target().budget.deadline_s is None
    for bad in (0, -1, "soon", True):
        with pytest.raises(ConfigError, match=r"budget\.deadline"):
            parse_target({"budget": {"deadline": bad}})
    with pytest.raises(ConfigError, match="--deadline: must be more than 0 seconds"):
        Target().with_overrides(deadline_s=0)


# -- atomic writes ---------------------------------------------------------------------------


def test_a_writer_that_fails_midway_leaves_the_old_file_and_no_debris(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_text(path, '{"old": true}\n')
    report = {"results": [{"requirement": "/core/x"}] * 1000, "last": object()}
    with pytest.raises(TypeError), atomic_writer(path) as file:
        json.dump(report, file)  # streams most of the report, then fails on `last`
    assert path.read_text("utf-8") == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_written_file_is_whole_and_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_text(path, "<testsuites/>\n")
    assert path.read_text("utf-8") == "<testsuites/>\n"
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["junit.xml"]


# -- output locations are checked before anything is sent ------------------------------------


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_an_unusable_report_dir_is_refused_before_the_first_request(
    cli: Cli, slow_target: LocalServer, tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder", encoding="utf-8")
    report_dir = blocker if where == "a file" else blocker / "reports"
    result = cli(
        "run", "--profile", "adr-runtime", "--url", slow_target.url(""),
        "--report-dir", str(report_dir), "--quiet",
    )  # fmt: skip
    assert result.code == 2
    assert slow_target.received == [], "nothing is sent when the reports cannot be written"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cgconform: error: "), result.stderr
    assert str(blocker) in lines[0]
    assert blocker.read_text("utf-8") == "not a folder"


def test_lint_output_is_checked_before_linting(cli: Cli, tmp_path: Path) -> None:
    for output, says in (
        (tmp_path, "it is a folder"),
        (tmp_path / "missing" / "out.txt", "does not exist"),
    ):
        result = cli("lint", str(REFERENCE), "--output", str(output))
        assert result.code == 2
        assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with pytest.raises(OutputError, match="it is a folder"):
        check_output_file(tmp_path)
