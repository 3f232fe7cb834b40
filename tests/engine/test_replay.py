"""`run --record` and `cgconform replay`: a recorded run, replayed with the target stopped,
gets the live run's verdicts; the cassette holds no credential; an edited cassette is judged
as edited; what was not recorded is not_tested, never sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cgtest.clirun import CliResult

from cgconform.fixtures.api.server import serve

Cli = Callable[..., CliResult]
KEY_VARIABLE = "CG_FIXTURE_API_KEY"
SEED = "7"


def _record(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, defect: str | None
) -> tuple[CliResult, Path, str]:
    cassette = tmp_path / "cassette.yaml"
    with serve(defect) as api:
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        target = tmp_path / "target.toml"
        target.write_text(
            f'base_url = "{api.base_url}"\nspec = "{api.spec_path}"\nallow_writes = ["*"]\n'
            f'[auth.headers]\nX-Api-Key = "env:{KEY_VARIABLE}"\n[budget]\nrate_limit = 0\n'
        )
        live = cli(
            "run", "--profile", "adr-runtime", "--target", str(target), "--quiet",
            "--seed", SEED, "--record", str(cassette),
        )  # fmt: skip
    monkeypatch.delenv(KEY_VARIABLE)  # the replay needs no credential
    return live, cassette, api.api_key


def _replay(cli: Cli, tmp_path: Path, cassette: Path, name: str) -> CliResult:
    return cli(
        "replay", str(cassette), "--profile", "adr-runtime", "--quiet",
        "--report-dir", str(tmp_path / name),
    )  # fmt: skip


@pytest.mark.parametrize("defect", [None, "no_version_header_on_errors"])
def test_a_replay_gets_the_live_verdicts(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, defect: str | None
) -> None:
    live, cassette, api_key = _record(cli, tmp_path, monkeypatch, defect)
    replayed = _replay(cli, tmp_path, cassette, "replay")  # the server is stopped
    differ = {
        r["requirement"]: (r["verdict"], r["message"][:600])
        for r in replayed.report["results"]
        if r["verdict"] != live.verdicts()[r["requirement"]]
    }
    assert not differ, (differ, {k: live.verdicts()[k] for k in differ})
    assert replayed.code == live.code
    if defect is not None:
        assert live.verdicts()["/core/version-header"] == "fail"
    text = cassette.read_text("utf-8")
    assert api_key not in text
    assert "${" + KEY_VARIABLE + "}" in text  # the credential header, as its placeholder
    run = replayed.report["run"]
    # run.command is the process's command line (`cgconform replay CASSETTE ...` from a shell)
    assert run["options"]["replay"]["cassette"] == str(cassette)
    assert live.report["run"]["options"]["record"] == str(cassette)


def _edited(cassette: Path, edit: Callable[[list[dict[str, Any]]], None]) -> Path:
    data = yaml.safe_load(cassette.read_text("utf-8"))
    edit(data["interactions"])
    edited = cassette.with_name("edited.yaml")
    edited.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return edited


def test_an_edited_cassette_is_judged_as_edited(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live, cassette, _ = _record(cli, tmp_path, monkeypatch, None)
    assert live.verdicts()["/core/http-methods"] == "pass"

    def server_error(interactions: list[dict[str, Any]]) -> None:
        trace = next(i for i in interactions if i["request"]["method"] == "TRACE")
        trace["response"]["status"] = {"code": 500, "message": "Internal Server Error"}

    replayed = _replay(cli, tmp_path, _edited(cassette, server_error), "edited")
    assert replayed.verdicts()["/core/http-methods"] == "fail"
    row = next(r for r in replayed.report["results"] if r["requirement"] == "/core/http-methods")
    assert "500" in row["message"]

    def forgotten(interactions: list[dict[str, Any]]) -> None:
        interactions[:] = [i for i in interactions if i["request"]["method"] != "TRACE"]

    replayed = _replay(cli, tmp_path, _edited(cassette, forgotten), "forgotten")
    row = next(r for r in replayed.report["results"] if r["requirement"] == "/core/http-methods")
    assert row["verdict"] == "not_tested"
    assert "not in the recording: TRACE " in str(row.get("reason") or row.get("message"))


def test_profiles_that_play_mock_servers_are_not_replayed(cli: Cli, tmp_path: Path) -> None:
    cassette = tmp_path / "c.yaml"
    cassette.write_text("interactions: []\n")
    result = cli("replay", str(cassette), "--profile", "fsc-manager", "--report-dir", str(tmp_path))
    assert result.code == 2
    assert "cannot be replayed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "said"),
    [(None, "cassette not found"), ("a: [", "not a readable YAML"), ("a: 1\n", "not a cassette")],
)
def test_a_broken_cassette_is_one_line(
    cli: Cli, tmp_path: Path, content: str | None, said: str
) -> None:
    cassette = tmp_path / "c.yaml"
    if content is not None:
        cassette.write_text(content)
    result = cli("replay", str(cassette), "--profile", "adr-runtime", "--report-dir", str(tmp_path))
    assert result.code == 2
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
