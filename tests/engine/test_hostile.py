"""Nothing a target does breaks a run (issue 17): a hostile target, one way at a time.

Every mode of :mod:`cgtest.hostile` is run against with `cgconform run --profile adr-runtime
--timeout 2` in a process of its own (four modes at a time, a thread each): each run ends
within :data:`BOUND_S`, its peak memory stays under 1 GB, it writes a valid report.json, prints
no traceback, and its verdicts say what happened. A property test sends generated hostile
bodies and headers through the evidence, redaction and every report renderer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cgtest.clirun import CliResult, assert_valid_report
from cgtest.hostile import MODES, SCRIPT, hostile_server
from cgtest.reportdata import make_evidence, make_report, make_result
from cgtest.servers import LocalServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from cgconform.http.evidence import (
    EXCERPT_CHARS,
    HEADER_VALUE_CHARS,
    MAX_JSON_DEPTH,
    Exchange,
    RawResponse,
    RecordedRequest,
    RecordedResponse,
    TruncatedBody,
    charset,
    excerpt,
    shown_headers,
)
from cgconform.http.redaction import Redactor
from cgconform.report.earl import render_earl
from cgconform.report.html import render_html
from cgconform.report.junit import render_junit
from cgconform.report.sarif import render_sarif

TIMEOUT_S = 2
BOUND_S = 60.0  # a whole run, whatever the target does, at --timeout 2 (3 × timeout + work)
MAX_RSS_BYTES = 1024**3


@dataclass
class Run(CliResult):
    seconds: float = 0.0
    max_rss_bytes: int = 0

    def results(self) -> dict[str, dict[str, Any]]:
        return {r["requirement"]: r for r in self.report["results"]}

    def messages(self) -> str:
        return "\n".join(r.get("message", "") + r.get("reason", "") for r in self.report["results"])


def _run(server: LocalServer, workdir: Path) -> Run:
    """`cgconform run` against `server` in a process of its own: time and peak memory."""
    workdir.mkdir()
    out, err = (workdir / "stdout").open("w+"), (workdir / "stderr").open("w+")
    started = time.monotonic()
    command = [sys.executable, "-m", "cgconform", "run", "--profile", "adr-runtime"]
    command += ["--url", server.base_url, "--timeout", str(TIMEOUT_S)]
    command += ["--report-dir", str(workdir / "reports"), "--format", "json,junit,sarif,earl,html"]
    process = subprocess.Popen(
        command,
        stdout=out,
        stderr=err,
        cwd=workdir,
        env={**os.environ, "COLUMNS": "200"},
    )
    timer = threading.Timer(3 * BOUND_S, process.kill)  # a hung run fails, not the whole suite
    timer.start()
    _, status, usage = os.wait4(process.pid, 0)
    timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    out.seek(0)
    err.seek(0)
    with out, err:
        # ru_maxrss is in kilobytes on Linux
        return Run(
            process.returncode,
            out.read(),
            err.read(),
            workdir / "reports",
            seconds=seconds,
            max_rss_bytes=usage.ru_maxrss * 1024,
        )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    """One run per mode, four at a time (they mostly wait on the network)."""
    done: dict[str, Run] = {}
    servers = {mode: hostile_server(mode).start() for mode in MODES}
    base = tmp_path_factory.mktemp("hostile")
    try:
        slots = threading.Semaphore(4)  # 2 cores: a few at a time keeps each run's time its own

        def one(mode: str) -> None:
            with slots:
                done[mode] = _run(servers[mode], base / mode)

        threads = [threading.Thread(target=one, args=(mode,)) for mode in MODES]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        yield done
    finally:
        for server in servers.values():
            server.stop()


@pytest.mark.parametrize("mode", list(MODES))
def test_a_hostile_target_is_bounded_and_reported(runs: dict[str, Run], mode: str) -> None:
    run = runs[mode]
    assert run.seconds < BOUND_S, f"{mode}: {run.seconds:.1f} s"
    assert run.max_rss_bytes < MAX_RSS_BYTES, f"{mode}: {run.max_rss_bytes / 2**20:.0f} MB"
    assert "Traceback" not in run.stdout + run.stderr, run.stderr[-3000:]
    assert run.code in (0, 1, 3), run.stderr[-3000:]
    report = run.report
    assert_valid_report(report)
    suite_errors = [k for k, r in run.results().items() if "suite error" in r.get("message", "")]
    assert not suite_errors, f"{mode}: suite errors in {suite_errors}: {run.messages()}"
    for result in report["results"]:
        if result["verdict"] in ("inconclusive", "error", "fail"):
            assert result.get("message") or result.get("reason"), result
    # long payloads are cut in report.json
    for result in report["results"]:
        for item in result.get("evidence", []):
            response = item.get("response") or {}
            excerpt_text = response.get("body_excerpt", "")
            assert len(excerpt_text) <= EXCERPT_CHARS + len("…[truncated]")
            for value in response.get("headers", {}).values():
                assert len(value) <= HEADER_VALUE_CHARS + len("…[truncated]")
    html = (run.report_dir / "report.en.html").read_text("utf-8")
    assert SCRIPT not in html and "<img src=x" not in html
    ET.fromstring((run.report_dir / "junit.xml").read_text("utf-8"))


def _stopped(run: Run) -> None:
    """A target that stopped answering: inconclusive, saying so, and soon."""
    verdicts = run.verdicts()
    assert "pass" not in verdicts.values() and "fail" not in verdicts.values(), verdicts
    assert "the target stopped answering: 3 requests in a row timed out" in run.messages()
    # the document, then three requests that time out; nothing after them
    assert run.report["run"]["budget"]["requests_sent"] <= 5, run.report["run"]["budget"]


def test_silent_target_is_given_up_after_three_timeouts(runs: dict[str, Run]) -> None:
    _stopped(runs["silent"])


def test_one_byte_a_second_is_a_timeout_not_a_short_body(runs: dict[str, Run]) -> None:
    _stopped(runs["slow"])
    assert "the body is not JSON" not in runs["slow"].messages()


def test_a_cut_body_is_inconclusive_not_not_json(runs: dict[str, Run]) -> None:
    for mode in ("huge-body", "gzip-bomb"):
        run = runs[mode]
        results = run.results()
        assert "the body is not JSON" not in run.messages(), mode
        doc = results["/core/doc-openapi"]
        assert doc["verdict"] == "inconclusive", (mode, doc)
        assert "max_response_bytes" in doc["message"] and "cut" in doc["message"]


def test_json_nested_too_deep_is_unreadable_json(runs: dict[str, Run]) -> None:
    run = runs["deep-json"]
    assert "RecursionError" not in run.messages()
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in run.messages()
    assert run.code == 1  # failures of the target, not of the suite


def test_hundreds_of_headers_are_named_as_such(runs: dict[str, Run]) -> None:
    messages = runs["many-headers"].messages()
    assert "more than 100 header fields" in messages
    assert "connection broke off" not in messages


def test_redirect_to_itself_and_short_body_say_what_happened(runs: dict[str, Run]) -> None:
    assert "status 302 is not declared" in runs["self-redirect"].messages()
    assert "the connection broke off during the response" in runs["short-body"].messages()


def test_html_payloads_are_escaped(runs: dict[str, Run]) -> None:
    run = runs["html"]
    raw = json.dumps(run.report)
    assert "alert(" in raw  # the payload is in the evidence, as data
    html = (run.report_dir / "report.en.html").read_text("utf-8")
    assert "&lt;script&gt;" in html or "&lt;script" in html


# -- evidence, redaction and renderers on generated hostile data ---------------------------

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from("\x00\x1b\u202e<>&\"'"),
    max_size=300,
)
_HOSTILE_TEXT = st.one_of(
    _TEXT,
    st.builds(lambda t: f"{t}<script>alert(1)</script>{t}", _TEXT),
    st.builds(lambda n: "<script>" + "x" * n, st.integers(0, 30_000)),
)
_BODY = st.one_of(
    st.binary(max_size=2000),
    _HOSTILE_TEXT.map(lambda t: t.encode("utf-8")),
    st.builds(lambda n: b"[" * n + b"]" * n, st.integers(0, 50_000)),
    st.builds(lambda n: b"\xff\x00" * n, st.integers(0, 40_000)),
)
_HEADERS = st.dictionaries(
    st.text(
        st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"),
        min_size=1,
        max_size=40,
    ),
    _HOSTILE_TEXT,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=_BODY, headers=_HEADERS, message=_HOSTILE_TEXT, truncated=st.booleans())
def test_hostile_bodies_and_headers_render_safely(
    body: bytes, headers: dict[str, str], message: str, truncated: bool
) -> None:
    redactor = Redactor({"s3cr3t-token": "${API_TOKEN}"})
    content_type = headers.get("Content-Type", "application/json")
    shown = shown_headers(redactor.headers(headers))
    body_excerpt = excerpt(body, redactor, encoding=charset(content_type), cut=truncated)
    exchange = Exchange(
        request=RecordedRequest("GET", "https://api.example.nl/v1/x", {}),
        response=RecordedResponse(400, shown, body_excerpt, 0.1, truncated),
        reproduce="curl https://api.example.nl/v1/x",
        raw=RawResponse(
            400, CaseInsensitiveDict(headers), body, 0.1, truncated, "https://api.example.nl/v1/x"
        ),
    )
    try:
        exchange.json()
    except TruncatedBody:
        assert truncated
    except ValueError:
        pass
    evidence = {**make_evidence(), **exchange.to_evidence()}
    result = make_result(
        verdict="fail", message=f"{message} {body_excerpt}"[:5000], evidence=[evidence]
    )
    report = make_report([result])
    assert_valid_report(report)
    assert len(body_excerpt) <= EXCERPT_CHARS + len("…[truncated]")
    ET.fromstring(render_junit(report))
    json.dumps(render_earl(report))
    json.dumps(render_sarif([report]))
    html = render_html(report)
    assert "<script>alert" not in html and "<script>x" not in html


def test_an_oversized_or_too_deep_document_is_one_clear_error(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document past the size limit is refused before it is read (a 300 MB one would be, at
    64 MB; the limit is lowered here to keep the test small), and one nested far too deep is
    an error message, not a suite error: both end as a report, never a traceback."""
    from cgconform.openapi import document

    big = tmp_path / "big.json"
    big.write_text('{"openapi": "3.0.3", "x": "' + "a" * 4096 + '"}')
    monkeypatch.setattr(document, "MAX_DOCUMENT_BYTES", 1024)
    result = cli("lint", "--format", "json", str(big))
    assert result.code in (1, 3), result.stdout
    assert "larger than the 0 MB an OpenAPI document is read up to" in result.stdout
    monkeypatch.undo()
    deep = tmp_path / "deep.json"
    deep.write_text('{"openapi": "3.0.3", "paths": ' + '{"a": ' * 5000 + "{}" + "}" * 5001)
    result = cli("lint", "--format", "json", str(deep))
    assert "suite error" not in result.stdout and "Traceback" not in result.stdout
    assert "nested more than" in result.stdout
