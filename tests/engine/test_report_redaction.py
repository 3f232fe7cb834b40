"""End to end: no secret and no valid BSN that a target echoes reaches any report format.

A local server plays a hostile target: it echoes the bearer token and a BSN in its response
headers and body, in the URL it is asked for, and answers 500 so that the failure carries
the exchange as evidence. The run's report.json, junit.xml and console summary are searched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cgtest.clirun import CliResult
from cgtest.servers import LocalServer, Received, Reply
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

Cli = Callable[..., CliResult]


def bsn_from(prefix: str) -> str | None:
    """Complete 8 digits to a number that passes the BSN eleven-test (None if impossible)."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(prefix))
    check = total % 11
    return None if check == 10 else prefix + str(check)


def test_bsn_helper_is_right() -> None:
    assert bsn_from("99999365") == "999993653"


@pytest.fixture(scope="module")
def hostile() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


secrets_ = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="\"'\\"),
    min_size=12,
    max_size=40,
).filter(
    # token-like: a letter and a digit (a secret that is an ordinary word, such as
    # "semi-automatic", also occurs in the report's own vocabulary and cannot be told apart)
    lambda s: re.search(r"[A-Za-z]", s) is not None and re.search(r"\d", s) is not None
)
bsns = st.from_regex(r"\A[1-9][0-9]{7}\Z").map(bsn_from).filter(lambda b: b is not None)


@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(secret=secrets_, bsn=bsns)
def test_no_secret_or_bsn_reaches_any_report(
    cli: Cli,
    hostile: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    secret: str,
    bsn: str,
) -> None:
    def echo(request: Received) -> Reply:
        body = json.dumps(
            {
                "burgerservicenummer": bsn,
                "seen": request.header("Authorization"),
                "bsn_int": int(bsn),
                "path": request.target,
            }
        )
        return Reply(
            500,
            [
                ("Content-Type", "application/json"),
                ("X-Echo", secret),
                ("Set-Cookie", f"session={secret}"),
                ("X-Bsn", bsn),
            ],
            body.encode(),
        )

    hostile.route("/openapi.json", echo)
    monkeypatch.setenv("CG_TEST_BEARER", secret)
    target = tmp_path / "target.toml"
    url = hostile.url(f"/openapi.json?bsn={bsn}")
    target.write_text(f'spec = "{url}"\n[auth]\nbearer = "env:CG_TEST_BEARER"\n')
    out = tmp_path / "out"
    result = cli(
        "run",
        "--profile",
        "adr-openapi",
        "--target",
        str(target),
        "--quiet",
        "--report-dir",
        str(out),
    )
    assert result.report["verdict"] == "not_conformant"
    row = next(r for r in result.report["results"] if r["requirement"] == "/core/doc-openapi")
    assert row["evidence"], "the failing fetch is attached as evidence"
    texts = {
        "report.json": (out / "report.json").read_text("utf-8"),
        "junit.xml": (out / "junit.xml").read_text("utf-8"),
        "console": result.stdout + result.stderr,
    }
    for name, text in texts.items():
        assert secret not in text, f"the secret reached {name}"
        assert bsn not in text, f"the BSN reached {name}"
    assert "${CG_TEST_BEARER}" in texts["report.json"], "the reproducer names the variable"
