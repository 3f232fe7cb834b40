"""`cgconform run --shard i/n` and `cgconform report merge`: shards split a profile's
requirements (each in exactly one shard), and their merged report is the unsharded run's
report apart from times and ids."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cgtest.clirun import CliResult, assert_valid_report

from cgconform.fixtures.api.server import serve
from cgconform.fixtures.openapi.defects import DEFECTS, reference

Cli = Callable[..., CliResult]
COUNT = 3
SEED = "7"
KEY_VARIABLE = "CG_FIXTURE_API_KEY"
# Defects of the document, each under another requirement: the merged run must find them all.
SEEDED = ("semver_two_parts", "trailing_slash", "contact_missing", "date_field_without_format")
TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HTTP_DATE = re.compile(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT")


def _stable(value: Any) -> Any:
    """A result without what differs between two runs of the same checks: times and ids."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in ("duration_s", "elapsed_s")}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, str):
        return UUID.sub("<id>", HTTP_DATE.sub("<date>", TIME.sub("<time>", value)))
    return value


def _shards(cli: Cli, tmp_path: Path, args: list[str]) -> list[Path]:
    paths = []
    for index in range(1, COUNT + 1):
        out = tmp_path / f"shard{index}"
        result = cli(*args, "--shard", f"{index}/{COUNT}", "--report-dir", str(out))
        assert result.code in (0, 1), result.stderr
        paths.append(out / "report.json")
    return paths


def _merge(cli: Cli, out: Path, *reports: Path) -> CliResult:
    return cli("report", "merge", *map(str, reports), "--out", str(out))


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _assert_shards_merge_to(
    cli: Cli, tmp_path: Path, args: list[str], *, exact: bool = True
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run unsharded and as COUNT shards; the merge equals the unsharded report (`exact`:
    every result; else the caller compares them). Returns (merged, unsharded)."""
    whole = cli(*args, "--report-dir", str(tmp_path / "whole"))
    assert whole.code in (0, 1), whole.stderr
    shards = _shards(cli, tmp_path, args)
    reports = [_read(p) for p in shards]

    # every requirement in exactly one shard; a shard's results are its requirements only
    listed = [
        (r["profile"], r["standard"], r["requirement"])
        for report in reports
        for r in report["run"]["shard"]["requirements"]
    ]
    everything = [(r["profile"], r["standard"], r["requirement"]) for r in whole.report["results"]]
    assert sorted(listed) == sorted(everything) and len(set(listed)) == len(listed)
    for index, report in enumerate(reports, 1):
        assert report["run"]["shard"]["index"] == index
        own = {(r["profile"], r["standard"], r["requirement"]) for r in report["results"]}
        assert own == {
            (r["profile"], r["standard"], r["requirement"])
            for r in report["run"]["shard"]["requirements"]
        }
    assert sum(1 for report in reports if report["results"]) > 1, "the shards split the work"

    merged = _merge(cli, tmp_path / "merged", *reversed(shards))  # any order
    assert merged.code == whole.code, merged.stderr
    report = _read(tmp_path / "merged" / "report.json")
    assert_valid_report(report)
    assert (tmp_path / "merged" / "junit.xml").is_file()
    assert "shard" not in report["run"]
    assert report["verdict"] == whole.report["verdict"]
    assert report["target"] == whole.report["target"]
    assert report["run"]["seed"] == whole.report["run"]["seed"]
    if exact:
        assert report["profiles"] == whole.report["profiles"]
        assert _stable(report["results"]) == _stable(whole.report["results"])
    return report, whole.report


def test_adr_openapi_with_seeded_defects_merges_to_the_unsharded_run(
    cli: Cli, tmp_path: Path
) -> None:
    document = reference()
    for name in SEEDED:
        document = DEFECTS[name].apply(document)
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    args = ["run", "--profile", "adr-openapi", "--spec", str(spec), "--seed", SEED, "--quiet"]
    report, _ = _assert_shards_merge_to(cli, tmp_path, args)
    verdicts = {r["requirement"]: r["verdict"] for r in report["results"]}
    for name in SEEDED:
        assert verdicts[DEFECTS[name].requirement] == DEFECTS[name].verdict, name
    assert report["verdict"] == "not_conformant"


@pytest.fixture
def reference_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """target.toml of the reference API (fixtures/api), served while the test runs."""
    with serve(None) as api:
        monkeypatch.setenv(KEY_VARIABLE, api.api_key)
        target = tmp_path / "target.toml"
        target.write_text(
            f'base_url = "{api.base_url}"\nspec = "{api.spec_path}"\nallow_writes = ["*"]\n'
            f'[auth.headers]\nX-Api-Key = "env:{KEY_VARIABLE}"\n[budget]\nrate_limit = 0\n'
        )
        yield target


def test_adr_runtime_on_the_reference_api_merges_to_the_unsharded_run(
    cli: Cli, tmp_path: Path, reference_api: Path
) -> None:
    args = ["run", "--profile", "adr-runtime", "--target", str(reference_api), "--seed", SEED]
    merged, whole = _assert_shards_merge_to(cli, tmp_path, [*args, "--quiet"], exact=False)
    assert merged["run"]["budget"]["requests_sent"] > 10
    # A pass message may count the traffic of the whole run (cached probes, the journal):
    # compare verdicts, and the message and evidence of every finding.
    pairs = list(zip(_stable(merged["results"]), _stable(whole["results"]), strict=True))
    for got, want in pairs:
        assert got["verdict"] == want["verdict"], got["requirement"]
        if got["verdict"] != "pass":
            assert (got["message"], got["evidence"]) == (want["message"], want["evidence"])


def test_a_profile_with_dependent_checks_refuses_shards(cli: Cli) -> None:
    result = cli(
        "run", "--profile", "fsc-manager", "--url", "https://127.0.0.1:1", "--shard", "1/2"
    )
    assert result.code == 2
    assert "fsc-manager cannot be split into shards" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("shard", ["0/3", "4/3", "1/0", "a/b", "3"])
def test_a_malformed_shard_is_a_usage_error(cli: Cli, shard: str) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("run", "--profile", "adr-openapi", "--spec", "x", "--shard", shard)
    assert exited.value.code == 2


def test_a_shard_needs_a_seed(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(reference()), encoding="utf-8")
    result = cli("run", "--profile", "adr-openapi", "--spec", str(spec), "--shard", "1/2")
    assert result.code == 2 and "needs --seed" in result.stderr


def test_incomplete_or_mismatched_shards_are_refused(cli: Cli, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(reference()), encoding="utf-8")
    args = ["run", "--profile", "adr-openapi", "--spec", str(spec), "--quiet"]
    one, two, three = _shards(cli, tmp_path, [*args, "--seed", SEED])
    other = cli(*args, "--seed", "8", "--shard", f"3/{COUNT}", "--report-dir", str(tmp_path / "o"))
    four = cli(*args, "--seed", SEED, "--shard", "3/4", "--report-dir", str(tmp_path / "four"))
    whole = cli(*args, "--seed", SEED, "--report-dir", str(tmp_path / "whole"))
    out = tmp_path / "merged"
    refusals = {
        "incomplete: shard 3/3 missing": (one, two),
        "shard 2/3 is given twice": (one, two, two, three),
        "seed": (one, two, other.report_dir / "report.json"),
        "shard count": (one, two, four.report_dir / "report.json"),
        "is not a shard's report": (one, two, three, whole.report_dir / "report.json"),
    }
    for text, reports in refusals.items():
        result = _merge(cli, out, *reports)
        assert result.code == 2, text
        assert text in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not (out / "report.json").exists()
    target = _read(three)
    target["target"]["name"] = "another target"
    (tmp_path / "moved.json").write_text(json.dumps(target), encoding="utf-8")
    result = _merge(cli, out, one, two, tmp_path / "moved.json")
    assert result.code == 2 and "target" in result.stderr
    forged = _read(three)
    forged["results"] = forged["results"][1:]
    (tmp_path / "forged.json").write_text(json.dumps(forged), encoding="utf-8")
    result = _merge(cli, out, one, two, tmp_path / "forged.json")
    assert result.code == 2 and "not those of shard 3/3" in result.stderr
