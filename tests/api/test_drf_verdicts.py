"""`adr-runtime` on the DRF reference API (fixtures/api/drf/): a project configured as Open
Zaak and Open Klant are, with Django's and DRF's defaults left as they are. Every verdict is
asserted with its reason (fixtures/api/drf/README.md says why a default DRF project passes or
fails each rule), so a change that makes a check assume the hand-written reference API's
shapes shows up here as a wrong verdict on a real framework.

Skipped without Django, Django REST Framework or drf-spectacular, except in CI (`CI=true`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cgtest.clirun import CliResult

if not os.environ.get("CI"):
    for _name in ("django", "rest_framework", "drf_spectacular"):
        pytest.importorskip(_name, reason=f"{_name} is not installed (pip install -e '.[test]')")

from cgconform.fixtures.api.drf.server import RunningDrfApi, serve_drf
from cgconform.fixtures.api.drf.store import STORE

Cli = Callable[..., CliResult]
TOKEN_VARIABLE = "CG_DRF_AUTHORIZATION"

# requirement -> (verdict, a fragment of the message that says why)
EXPECTED: dict[str, tuple[str, str]] = {
    # Django's own 404 pages (unknown paths, trailing slashes) come without the header: the
    # vng-style middleware only adds it to DRF's responses
    "/core/version-header": ("fail", "404 without an API-Version header"),
    "/core/semver": ("pass", ""),
    # the router has no trailing slashes and APPEND_SLASH only adds them: 404
    "/core/no-trailing-slash": ("pass", "GET /zaken/"),
    # those same Django 404s are text/html
    "/core/error-handling/problem-details": ("fail", "Content-Type is text/html"),
    # PageNumberPagination answers 404 for ?page=geen-getal; CharField takes a number
    "/core/error-handling/invalid-input": ("fail", "page=geen-getal (not a number)"),
    "/core/http-methods": ("pass", "TRACE /voertuigen/{kenteken}"),
    # 404 for unknown items (a kenteken that fits its pattern), 406, 415, 401 without Token
    "/core/http-response-code": ("pass", "GET /voertuigen/{kenteken}"),
    "/core/http-safety": ("pass", ""),
    # Django sends neither Cache-Control: no-store nor a Content-Security-Policy
    "/core/transport/security-headers": ("fail", "Cache-Control missing"),
    "/core/transport/tls": ("fail", "plain http"),
    "/core/date-time/format": ("pass", "date-time values in"),
    # TIME_ZONE = "Europe/Amsterdam": +01:00, not Z
    "/core/date-time/timezone": ("warning", "+01:00"),
    # drf-spectacular declares no 404 for a page number past the end
    "/core/doc-openapi": ("fail", "status 404 is not declared"),
    # no CORS package: the document is not readable from other origins
    "/core/publish-openapi": ("warning", "Access-Control-Allow-Origin is missing"),
    # Django's development server: Server: WSGIServer/0.2 CPython/...
    "/core/hide-implementation": ("warning", "WSGIServer"),
    "/core/stateless": ("pass", ""),
}


@pytest.fixture
def drf() -> Iterator[RunningDrfApi]:
    """A served API with its seed data only (fuzzing in one test creates zaken the next
    must not see)."""
    STORE.reset()
    with serve_drf() as running:
        yield running
    STORE.reset()


def run(cli: Cli, tmp_path: Path, api: RunningDrfApi, *extra: str) -> CliResult:
    """As a municipality would configure it: the document the API serves, Token credentials,
    and writes allowed on the test deployment."""
    target = tmp_path / "target.toml"
    target.write_text(
        f'base_url = "{api.base_url}"\nspec = "{api.spec_url}"\n'
        f'[auth.headers]\nAuthorization = "env:{TOKEN_VARIABLE}"\n[budget]\nrate_limit = 0\n'
    )
    return cli(
        "run",
        "--profile",
        "adr-runtime",
        "--target",
        str(target),
        "--quiet",
        "--seed",
        "1",
        *extra,
    )


def _results(result: CliResult) -> dict[str, dict[str, Any]]:
    return {r["requirement"]: r for r in result.report["results"]}


def test_every_verdict_on_a_default_drf_project(
    cli: Cli, tmp_path: Path, drf: RunningDrfApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, drf.auth["Authorization"])
    found = {z.uuid: repr(z) for z in STORE.zaken()}
    result = run(cli, tmp_path, drf, "--allow-writes", "*")
    results = _results(result)
    wrong = {
        requirement: (results[requirement]["verdict"], results[requirement]["message"][:400])
        for requirement, (verdict, why) in EXPECTED.items()
        if results[requirement]["verdict"] != verdict or why not in results[requirement]["message"]
    }
    assert not wrong, wrong
    assert set(results) == set(EXPECTED)
    assert "assertion failed" not in str(result.report)
    # the credential reaches no report: not in report.json, nor in the HTML and JUnit files
    for written in result.report_dir.iterdir():
        assert drf.token not in written.read_text("utf-8", errors="replace"), written.name
    # writes went only to resources the run created: every zaak it found is as it was
    after = {z.uuid: repr(z) for z in STORE.zaken()}
    assert {k: after.get(k) for k in found} == found


def test_a_small_budget_still_reads_every_path(
    cli: Cli, tmp_path: Path, drf: RunningDrfApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, drf.auth["Authorization"])
    result = run(cli, tmp_path, drf, "--max-requests", "40")
    assert result.report["run"]["budget"]["requests_sent"] <= 40
    coverage = _results(result)["/core/date-time/format"]["message"]
    for path in ("/catalogi", "/voertuigen", "/zaken", "/voertuigen/{kenteken}", "/zaken/{uuid}"):
        assert f"GET {path} (" in coverage, coverage
    # without writes allowed, DELETE is not tried, and the report says why
    safety = _results(result)["/core/http-safety"]
    assert safety["verdict"] == "not_tested" and "allow_writes" in safety["message"]


def test_a_date_before_1892_shows_django_s_local_mean_time_offset(
    cli: Cli, tmp_path: Path, drf: RunningDrfApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real finding on a default project: with TIME_ZONE = "Europe/Amsterdam", Django writes
    a date-time before 1892 with Amsterdam's local mean time offset, which RFC 3339 lacks."""
    monkeypatch.setenv(TOKEN_VARIABLE, drf.auth["Authorization"])
    created = requests.post(
        drf.url("/zaken"),
        json={
            "identificatie": "ZAAK-0332",
            "startdatum": "0332-04-27",
            "registratiedatum": "0332-04-27T02:00:00Z",
        },
        headers=drf.auth,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    result = run(cli, tmp_path, drf, "--max-requests", "40")
    found = _results(result)["/core/date-time/format"]
    assert found["verdict"] == "fail" and "+00:19:32" in found["message"], found["message"]
