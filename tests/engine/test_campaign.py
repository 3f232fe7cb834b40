"""`cgconform campaign`: many targets, bounded concurrency, one report folder each, and an
overview (campaign.json, campaign.html, JUnit, SARIF); a broken target is one `error` cell and
never stops the campaign; shards merge into the unsharded overview; the previous campaign
gives what improved and what regressed."""

from __future__ import annotations

import json
import os
import signal
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cgtest.clirun import CliResult, assert_valid_report

from cgconform.fixtures.openapi.defects import DEFECTS, reference
from cgconform.model.shards import Shard
from cgconform.model.target import ConfigError
from cgconform.report.campaign_schema import validate_campaign
from cgconform.run.campaign import TargetRun, run_targets, unreachable
from cgconform.run.campaign_file import CampaignTarget, load_campaign, slug

Cli = Callable[..., CliResult]
SEMVER = "semver_two_parts"  # breaks /core/semver (MUST)
TRAILING = "trailing_slash"  # breaks /core/no-trailing-slash (MUST)
CONTACT = "contact_missing"  # a SHOULD: a warning


def _document(folder: Path, name: str, *defects: str) -> Path:
    data = reference()
    for defect in defects:
        data = DEFECTS[defect].apply(data)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _campaign(folder: Path, body: str, name: str = "campaign.toml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def _stable(value: Any) -> Any:
    """campaign.json without what differs between two runs of one campaign: times."""
    if isinstance(value, dict):
        return {
            k: _stable(v) for k, v in value.items() if not k.endswith("_at") and k != "duration_s"
        }
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _overview(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "campaign.json").read_text("utf-8"))
    assert validate_campaign(data) == [], validate_campaign(data)
    return data


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """Five targets: conformant, two not conformant (one by a target.toml), one whose
    document is missing, one whose base URL nothing listens on."""
    docs = tmp_path / "docs"
    docs.mkdir()
    _document(docs, "reference")
    _document(docs, "semver", SEMVER, CONTACT)
    _document(docs, "both", SEMVER, TRAILING)
    (tmp_path / "both").mkdir()
    (tmp_path / "both" / "target.toml").write_text(
        'name = "From its own file"\nspec = "../docs/both.json"\n[budget]\nmax_requests = 10\n'
    )
    return _campaign(
        tmp_path,
        """
name = "API-register, december"
jobs = 2
profiles = ["adr-openapi"]

[[targets]]
name = "Parkeren API"
organisation = "Gemeente Voorbeeld"
spec = "docs/reference.json"

[[targets]]
name = "Zaken API"
organisation = "VNG Realisatie"
profiles = ["adr-openapi"]
spec = "docs/semver.json"

[[targets]]
target = "both/target.toml"
organisation = "Leverancier B.V."

[[targets]]
name = "Kwijt"
spec = "docs/missing.json"

[[targets]]
name = "Onbereikbaar"
base_url = "http://127.0.0.1:9/api/v1"
profiles = ["adr-runtime"]
spec = "docs/reference.json"
""",
    )


# --- the campaign file ---------------------------------------------------------------------


def test_the_campaign_file_of_the_issue_reads_as_documented(small: Path) -> None:
    campaign = load_campaign(small)
    assert campaign.name == "API-register, december" and campaign.jobs == 2
    ids = [t.id for t in campaign.targets]
    assert ids == ["parkeren-api", "zaken-api", "from-its-own-file", "kwijt", "onbereikbaar"]
    zaken = campaign.targets[1]
    assert zaken.organisation == "VNG Realisatie" and zaken.profiles == ("adr-openapi",)
    config = zaken.config()
    assert config.spec == str(small.parent / "docs" / "semver.json")  # relative to the file
    own = campaign.targets[2].config()
    assert own.budget.max_requests == 10 and own.name == "From its own file"
    assert campaign.targets[4].profiles == ("adr-runtime",)
    assert campaign.profiles == ["adr-openapi", "adr-runtime"]


def test_specs_make_one_target_per_document(tmp_path: Path) -> None:
    for name in ("b", "a"):
        _document(tmp_path, name)
    path = _campaign(
        tmp_path,
        'profiles = ["adr-openapi"]\n[[targets]]\nspecs = ["*.json", '
        '"https://api.example.nl/zaken/v1/openapi.json", "https://x.example/catalogi.yaml"]\n'
        'organisation = "Register"\n',
    )
    campaign = load_campaign(path)
    names = [t.name for t in campaign.targets]
    assert names == ["a", "b", "api.example.nl/zaken/v1/openapi.json", "catalogi"]
    assert {t.organisation for t in campaign.targets} == {"Register"}
    assert campaign.name == "campaign"  # the file's name when the campaign has none


def test_ids_are_slugs_made_unique_and_shards_split_them_evenly(tmp_path: Path) -> None:
    assert slug("Zaken API (VNG) — Ünïcode!") == "zaken-api-vng-unicode"
    assert slug("???") == "target"
    body = "".join(f'[[targets]]\nname = "Zaken"\nspec = "z{i}.json"\n' for i in range(7))
    campaign = load_campaign(_campaign(tmp_path, 'profiles = ["adr-openapi"]\n' + body))
    ids = [t.id for t in campaign.targets]
    assert ids == ["zaken", *(f"zaken-{n}" for n in range(2, 8))]
    parts = [campaign.shard(Shard(i, 3)) for i in (1, 2, 3)]
    assert sorted(t.id for part in parts for t in part) == sorted(ids)
    assert [len(p) for p in parts] == [3, 2, 2]
    again = load_campaign(tmp_path / "campaign.toml")
    assert [t.id for t in again.shard(Shard(2, 3))] == [t.id for t in parts[1]]
    assert again.digest() == campaign.digest()
    seeds = {campaign.target_seed(t) for t in campaign.targets}
    assert len(seeds) == 7  # stable, and one per target


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name = 3\n", "name: must be a non-empty string"),
        ('name = "x"\n', "no targets"),
        ('colour = "red"\n[[targets]]\nspec = "a.json"\n', "unknown key(s) colour"),
        ('[[targets]]\nspec = "a.json"\n', "no profiles"),
        ('profiles = ["adr-openapi", "adr-fantasy"]\n[[targets]]\nspec = "a"\n', "adr-fantasy"),
        ('profiles = ["adr-openapi"]\njobs = 0\n[[targets]]\nspec = "a"\n', "jobs: must be"),
        ('profiles = ["adr-openapi"]\n[[targets]]\nname = "x"\n', "say what to test"),
        (
            'profiles = ["adr-openapi"]\n[[targets]]\ntarget = "t.toml"\nspec = "a"\n',
            "put spec in that file",
        ),
        (
            'profiles = ["adr-openapi"]\n[[targets]]\nid = "a"\nspec = "a"\n'
            '[[targets]]\nid = "a"\nspec = "b"\n',
            "id 'a' is used twice",
        ),
        ('profiles = ["adr-openapi"]\n[[targets]]\nid = "Not OK"\nspec = "a"\n', "folder name"),
        ('profiles = ["adr-openapi"]\n[[targets]]\nspecs = "*.nothing"\n', "matches no file"),
        ("[[targets\n", "not valid TOML"),
    ],
)
def test_a_broken_campaign_file_is_one_line_and_exit_2(
    cli: Cli, tmp_path: Path, body: str, message: str
) -> None:
    path = _campaign(tmp_path, body)
    with pytest.raises(ConfigError, match=None) as caught:
        load_campaign(path)
    assert message in str(caught.value)
    result = cli("campaign", str(path), "--report-dir", str(tmp_path / "out"))
    assert result.code == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out" / "campaign.json").exists()


def test_usage_errors_of_the_command(cli: Cli, tmp_path: Path, small: Path) -> None:
    assert cli("campaign").code == 2
    missing = cli("campaign", str(tmp_path / "nope.toml"))
    assert missing.code == 2 and "cannot read campaign file" in missing.stderr
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = cli("campaign", str(small), "--report-dir", str(blocker))
    assert result.code == 2 and "not a folder" in result.stderr
    result = cli("campaign", str(small), "--report-dir", str(tmp_path / "o"), "--previous", "x")
    assert result.code == 2 and "--previous x: no campaign.json" in result.stderr
    with pytest.raises(SystemExit) as stopped:  # argparse: one line on stderr, exit 2
        cli("campaign", str(small), "--jobs", "0")
    assert stopped.value.code == 2


# --- running it ----------------------------------------------------------------------------


def test_a_campaign_writes_a_report_folder_per_target_and_the_overview(
    cli: Cli, small: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = cli("campaign", str(small), "--report-dir", str(out), "--jobs", "2")
    assert result.code == 3, result.stdout + result.stderr  # two error cells: worst is error
    overview = _overview(out)
    rows = {t["id"]: t for t in overview["targets"]}
    assert [t["id"] for t in overview["targets"]] == list(rows)
    assert rows["parkeren-api"]["verdict"] == "conformant"
    assert rows["zaken-api"]["verdict"] == "not_conformant"
    assert rows["from-its-own-file"]["verdict"] == "not_conformant"
    assert rows["from-its-own-file"]["organisation"] == "Leverancier B.V."
    assert rows["kwijt"]["verdict"] == "error"
    assert "OpenAPI document not found" in rows["kwijt"]["reason"]
    assert rows["onbereikbaar"]["verdict"] == "error"
    assert rows["onbereikbaar"]["reason"].startswith("not reachable: GET http://127.0.0.1:9/")
    assert "connection refused" in rows["onbereikbaar"]["reason"]
    assert overview["summary"] == {
        "targets": 5,
        "conformant": 1,
        "not_conformant": 2,
        "inconclusive": 0,
        "error": 2,
    }
    assert overview["verdict"] == "error"
    # each target's report folder holds the normal report files of `cgconform run`
    for target_id in ("parkeren-api", "zaken-api", "from-its-own-file"):
        folder = out / target_id
        names = {p.name for p in folder.iterdir()}
        assert {"report.json", "junit.xml", "report.en.html", "report.sarif", "badge.svg"} <= names
        report = json.loads((folder / "report.json").read_text("utf-8"))
        assert_valid_report(report)
        row = rows[target_id]
        assert row["profiles"][0]["counts"] == report["profiles"][0]["counts"]
        assert row["reports"]["html"] == f"{target_id}/report.en.html"
    zaken = json.loads((out / "zaken-api" / "report.json").read_text("utf-8"))
    assert zaken["target"]["name"] == "Zaken API"
    assert "# target zaken-api" in zaken["run"]["command"]
    assert not (out / "kwijt" / "report.json").exists() and rows["kwijt"]["reports"] == {}
    # the cells of the matrix: a target without adr-runtime has no such cell
    assert [c["id"] for c in rows["onbereikbaar"]["profiles"]] == ["adr-runtime"]
    assert [c["id"] for c in overview["profiles"]] == ["adr-openapi", "adr-runtime"]
    # the requirement failed most often: /core/semver, by both not conformant targets
    top = overview["most_failed"][0]
    assert top["requirement"] == "/core/semver" and top["count"] == 2
    assert top["targets"] == ["zaken-api", "from-its-own-file"]
    assert overview["most_warned"][0]["requirement"] == "/core/doc-openapi-contact"
    # the console: one line per target that is not conformant, the conformant on one line
    assert "‼ error" in result.stdout and "not reachable" in result.stdout
    assert "✓ conformant 1: Parkeren API" in result.stdout
    assert "Failed most often:" in result.stdout and "/core/semver" in result.stdout
    for name in ("campaign.json", "campaign.html", "campaign.junit.xml", "campaign.sarif"):
        assert (out / name).is_file()


def test_campaign_junit_and_sarif_cover_every_target(cli: Cli, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli("campaign", str(small), "--report-dir", str(out))
    root = ET.parse(out / "campaign.junit.xml").getroot()
    suites = [s.get("name") for s in root.iter("testsuite")]
    assert "adr-openapi — Zaken API" in suites and "adr-runtime — Onbereikbaar" in suites
    errored = [c for c in root.iter("testcase") if c.find("error") is not None]
    assert any("not reachable" in (c.find("error").get("message") or "") for c in errored)  # type: ignore[union-attr]
    assert int(root.get("errors", "0")) >= 2 and int(root.get("failures", "0")) >= 3
    sarif = json.loads((out / "campaign.sarif").read_text("utf-8"))
    run = sarif["runs"][0]
    assert {r["ruleId"] for r in run["results"]} >= {"/core/semver", "/core/no-trailing-slash"}
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any(n.startswith("Kwijt: OpenAPI document not found") for n in notes)
    assert run["invocations"][0]["executionSuccessful"] is False


def test_exit_codes_are_the_worst_target_verdicts(cli: Cli, tmp_path: Path) -> None:
    _document(tmp_path, "good")
    _document(tmp_path, "bad", SEMVER)
    head = 'profiles = ["adr-openapi"]\n'
    good = '[[targets]]\nname = "good"\nspec = "good.json"\n'
    bad = '[[targets]]\nname = "bad"\nspec = "bad.json"\n'
    broken = '[[targets]]\nname = "broken"\nspec = "gone.json"\n'
    cases = {"conformant": (good, 0), "not": (good + bad, 1), "error": (good + bad + broken, 3)}
    for name, (targets, code) in cases.items():
        path = _campaign(tmp_path, head + targets, f"{name}.toml")
        result = cli("campaign", str(path), "--report-dir", str(tmp_path / name))
        assert result.code == code, (name, result.stdout, result.stderr)
        assert _overview(tmp_path / name)["verdict"] == {0: "conformant", 1: "not_conformant"}.get(
            code, "error"
        )


def test_a_misconfigured_target_toml_is_its_own_error_cell(cli: Cli, tmp_path: Path) -> None:
    _document(tmp_path, "good")
    (tmp_path / "bad.toml").write_text('name = "Slecht"\nbase_url = "ftp://x"\n')
    (tmp_path / "secret.toml").write_text(
        'name = "Geheim"\nspec = "good.json"\nbase_url = "http://127.0.0.1:9"\n'
        '[auth]\nbearer = "env:CG_CAMPAIGN_UNSET_TOKEN"\n'
    )
    path = _campaign(
        tmp_path,
        'profiles = ["adr-openapi"]\n[[targets]]\ntarget = "bad.toml"\n'
        '[[targets]]\ntarget = "secret.toml"\n[[targets]]\ntarget = "absent.toml"\n'
        '[[targets]]\nname = "inline"\nspec = "good.json"\n[targets.budget]\nrate_limit = "fast"\n'
        '[[targets]]\nname = "good"\nspec = "good.json"\n',
    )
    result = cli("campaign", str(path), "--report-dir", str(tmp_path / "out"))
    assert result.code == 3
    rows = {t["name"]: t for t in _overview(tmp_path / "out")["targets"]}
    assert "is not an http(s) URL" in rows["Slecht"]["reason"]
    assert "CG_CAMPAIGN_UNSET_TOKEN is not set" in rows["Geheim"]["reason"]
    assert "cannot read target file" in rows["absent"]["reason"]
    assert rows["inline"]["reason"].startswith(f"{path}: targets[3]: budget.rate_limit")
    assert rows["good"]["verdict"] == "conformant"


def test_shards_merge_into_the_unsharded_overview(cli: Cli, small: Path, tmp_path: Path) -> None:
    whole = cli("campaign", str(small), "--report-dir", str(tmp_path / "whole"))
    shards = []
    for index in (1, 2, 3):
        folder = tmp_path / f"shard-{index}"
        result = cli("campaign", str(small), "--shard", f"{index}/3", "--report-dir", str(folder))
        assert result.code in (0, 1, 3), result.stderr
        shard = _overview(folder)
        assert shard["campaign"]["shard"] == {"index": index, "count": 3}
        shards.append(folder)
    merged = cli("report", "merge", *map(str, shards), "--out", str(tmp_path / "merged"))
    assert merged.code == whole.code == 3, merged.stderr
    assert _stable(_overview(tmp_path / "merged")) == _stable(_overview(tmp_path / "whole"))
    for target in _overview(tmp_path / "merged")["targets"]:
        for relative in target["reports"].values():
            assert (tmp_path / "merged" / relative).is_file()
    # merging is strict: every shard once, of one campaign
    incomplete = cli("report", "merge", *map(str, shards[:2]), "--out", str(tmp_path / "x"))
    assert incomplete.code == 2 and "incomplete: shard 3/3 missing" in incomplete.stderr
    twice = cli("report", "merge", str(shards[0]), str(shards[0]), "--out", str(tmp_path / "x"))
    assert twice.code == 2 and "given twice" in twice.stderr
    other = _campaign(small.parent, small.read_text().replace("december", "januari"), "o.toml")
    cli("campaign", str(other), "--shard", "3/3", "--report-dir", str(tmp_path / "other"))
    mixed = cli("report", "merge", *map(str, shards[:2]), str(tmp_path / "other"), "--out", "x")
    assert mixed.code == 2 and "not a shard of the same campaign" in mixed.stderr
    report = tmp_path / "whole" / "zaken-api" / "report.json"
    both = cli("report", "merge", str(shards[0]), str(report), "--out", str(tmp_path / "x"))
    assert both.code == 2 and "not both" in both.stderr


def test_one_output_merges_into_a_copy_in_another_language(
    cli: Cli, small: Path, tmp_path: Path
) -> None:
    cli("campaign", str(small), "--report-dir", str(tmp_path / "whole"))
    again = cli(
        "report", "merge", str(tmp_path / "whole"), "--out", str(tmp_path / "nl"), "--lang", "nl"
    )
    assert again.code == 3
    html = (tmp_path / "nl" / "campaign.html").read_text("utf-8")
    assert '<html lang="nl">' in html and "Eisen waaraan het vaakst niet voldaan is" in html
    assert (tmp_path / "nl" / "zaken-api" / "report.json").is_file()


def test_the_previous_campaign_gives_what_improved_and_what_regressed(
    cli: Cli, tmp_path: Path
) -> None:
    _document(tmp_path, "a", SEMVER)
    _document(tmp_path, "b")
    body = (
        'name = "Maandelijks"\nprofiles = ["adr-openapi"]\n'
        '[[targets]]\nname = "A"\nspec = "a.json"\n[[targets]]\nname = "B"\nspec = "b.json"\n'
    )
    path = _campaign(tmp_path, body)
    cli("campaign", str(path), "--report-dir", str(tmp_path / "before"))
    _document(tmp_path, "a")  # A fixed its version
    _document(tmp_path, "b", TRAILING)  # B broke its paths
    _campaign(tmp_path, body + '[[targets]]\nname = "C"\nspec = "b.json"\n')
    result = cli(
        "campaign", str(path), "--report-dir", str(tmp_path / "now"),
        "--previous", str(tmp_path / "before"),
    )  # fmt: skip
    overview = _overview(tmp_path / "now")
    rows = {t["id"]: t for t in overview["targets"]}
    assert rows["a"]["changes"]["verdict"] == "better"
    assert rows["a"]["changes"]["previous_verdict"] == "not_conformant"
    assert [c["requirement"] for c in rows["a"]["changes"]["improved"]] == ["/core/semver"]
    assert rows["b"]["changes"]["verdict"] == "worse"
    regressed = rows["b"]["changes"]["regressed"]
    assert [(c["requirement"], c["old"], c["new"]) for c in regressed] == [
        ("/core/no-trailing-slash", "pass", "fail")
    ]
    assert rows["c"]["changes"]["verdict"] == "new"
    assert overview["summary"]["improved"] == 1 and overview["summary"]["regressed"] == 1
    assert overview["summary"]["new"] == 1
    assert overview["campaign"]["previous"]["name"] == "Maandelijks"
    assert "1 improved, 1 regressed, 1 new" in result.stdout
    html = (tmp_path / "now" / "campaign.html").read_text("utf-8")
    assert "What changed since the previous campaign" in html and "verdict worse" in html
    # --previous may be the report folder itself: it is read before anything is written
    again = cli(
        "campaign", str(path), "--report-dir", str(tmp_path / "now"),
        "--previous", str(tmp_path / "now"),
    )  # fmt: skip
    assert again.code == 1
    rows = {t["id"]: t for t in _overview(tmp_path / "now")["targets"]}
    assert {r["changes"]["verdict"] for r in rows.values()} == {"same"}
    # and report merge --previous computes the changes anew
    merged = cli(
        "report", "merge", str(tmp_path / "now"), "--out", str(tmp_path / "m"),
        "--previous", str(tmp_path / "before"),
    )  # fmt: skip
    assert merged.code == 1
    assert _overview(tmp_path / "m")["summary"]["regressed"] == 1


# --- the process model ---------------------------------------------------------------------


def _target(tmp_path: Path, name: str, index: int) -> CampaignTarget:
    return CampaignTarget(
        id=name,
        index=index,
        name=name,
        organisation=None,
        profiles=("adr-openapi",),
        where=f"t[{index}]",
        campaign_file=tmp_path / "campaign.toml",
    )


def _record(target: CampaignTarget, folder: Path) -> None:
    """A run that takes 0.4 s and notes when it ran."""
    began = time.time()
    time.sleep(0.4)
    (folder / "ran.txt").write_text(f"{began} {time.time()} {os.getpid()}")


def _misbehave(target: CampaignTarget, folder: Path) -> None:
    if target.id == "exits":
        os._exit(9)
    if target.id == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    if target.id == "raises":
        raise RuntimeError("boom in the suite")
    if target.id == "hangs":
        time.sleep(60)
    (folder / "report.json").write_text("{}")


def test_concurrency_is_bounded_by_jobs(tmp_path: Path) -> None:
    targets = [_target(tmp_path, f"t{i}", i) for i in range(6)]
    result = run_targets(targets, tmp_path / "out", _record, jobs=2)
    spans = []
    for run in result.runs:
        began, ended, pid = (tmp_path / "out" / run.target.id / "ran.txt").read_text().split()
        spans.append((float(began), float(ended)))
        assert int(pid) != os.getpid()  # each target in a process of its own
    most = max(sum(b <= t < e for b, e in spans) for t, _ in spans)
    assert most == 2
    assert [r.target.id for r in result.runs] == [t.id for t in targets]
    assert all(r.error is None and r.duration_s >= 0.4 for r in result.runs)


def test_one_targets_crash_never_stops_the_others(tmp_path: Path) -> None:
    names = ["exits", "fine", "killed", "raises", "hangs", "also-fine"]
    targets = [_target(tmp_path, n, i) for i, n in enumerate(names)]
    seen: list[TargetRun] = []
    began = time.monotonic()
    result = run_targets(
        targets, tmp_path / "out", _misbehave, jobs=3, timeout_s=1.0, on_done=seen.append
    )
    assert time.monotonic() - began < 15
    errors = {r.target.id: r.error for r in result.runs}
    assert errors["fine"] is None and errors["also-fine"] is None
    assert errors["exits"] == "the run ended without a report (exit status 9)"
    assert errors["killed"] == "the run ended without a report: killed by SIGKILL"
    assert errors["raises"] == "the run crashed: RuntimeError: boom in the suite"
    assert errors["hangs"] == "stopped after the campaign's time limit of 1 s"
    assert sorted(r.target.id for r in seen) == sorted(names)


def _term_parent(done: int, total: int, running: list[str]) -> None:
    if done == 1:
        os.kill(os.getpid(), signal.SIGTERM)


def test_a_signal_stops_the_campaign_and_reports_the_targets_not_run(tmp_path: Path) -> None:
    targets = [_target(tmp_path, f"t{i}", i) for i in range(5)]
    result = run_targets(targets, tmp_path / "out", _record, jobs=1, progress=_term_parent)
    assert result.interrupted == "SIGTERM"
    not_run = [r for r in result.runs if r.not_run]
    assert not_run and all("stopped (SIGTERM)" in str(r.not_run) for r in not_run)
    assert result.runs[0].error is None
    assert signal.getsignal(signal.SIGTERM) is not None  # the handler was put back


def test_unreachable_counts_only_a_failure_to_connect(tmp_path: Path) -> None:
    from cgconform.model.target import Target

    assert unreachable(Target(name="x", spec="a.json")) is None  # nothing to reach
    refused = unreachable(Target(name="x", base_url="http://127.0.0.1:9"))
    assert refused is not None and refused.endswith("connection refused")
    grpc = Target(name="x", urls={"logboek_grpc": "127.0.0.1:9"})
    assert unreachable(grpc) is None  # not an http(s) URL: left to the run
    import http.server
    import threading

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api"
        assert unreachable(Target(name="x", base_url=url, urls={"other": url})) is None
    finally:
        server.shutdown()
        server.server_close()


def test_ci_templates_print_from_the_package(cli: Cli) -> None:
    gitlab = cli("campaign", "--ci-template", "gitlab")
    assert gitlab.code == 0 and "parallel:" in gitlab.stdout and "matrix:" in gitlab.stdout
    github = cli("campaign", "--ci-template", "github")
    assert github.code == 0 and "strategy:" in github.stdout


# --- target.urls in report.json ------------------------------------------------------------


def test_report_json_names_every_component_url(cli: Cli, tmp_path: Path) -> None:
    """report.json's `target.urls`: the [urls] of the target by name, beside base_url (an
    additive, optional member of the report schema); the campaign overview shows them."""
    from cgconform.model.target import Target
    from cgconform.report.schema import validate_report
    from cgconform.run.assemble import target_info

    urls = {"manager": "https://manager.example.nl:8443", "logboek_grpc": "127.0.0.1:4317"}
    info = target_info(Target(name="x", base_url="https://api.example.nl/v1", urls=urls))
    assert info["urls"] == urls and info["base_url"] == "https://api.example.nl/v1"
    from cgtest.reportdata import make_report

    report = make_report([])
    report["target"]["urls"] = urls
    assert validate_report(report) == []
    report["target"]["urls"] = {"manager": 8443}
    assert any("target.urls" in p for p in validate_report(report))

    _document(tmp_path, "reference")
    (tmp_path / "target.toml").write_text(
        'name = "Met onderdelen"\nspec = "reference.json"\n'
        '[urls]\nmanager = "http://127.0.0.1:9/manager"\ninway = "http://127.0.0.1:9/inway"\n'
    )
    result = cli("run", "--profile", "adr-openapi", "--target", str(tmp_path / "target.toml"))
    assert result.code == 0, result.stdout + result.stderr
    assert result.report["target"]["urls"] == {
        "manager": "http://127.0.0.1:9/manager",
        "inway": "http://127.0.0.1:9/inway",
    }


def test_a_targets_waivers_apply_to_its_report_and_cell(cli: Cli, tmp_path: Path) -> None:
    _document(tmp_path, "bad", SEMVER)
    (tmp_path / "waivers.yaml").write_text(
        "- requirement: /core/semver\n  reason: two-part versions until 2027\n"
        "  owner: team@example.nl\n  expires: 2999-12-31\n"
    )
    (tmp_path / "broken.yaml").write_text("- requirement: [\n")
    path = _campaign(
        tmp_path,
        'profiles = ["adr-openapi"]\n'
        '[[targets]]\nname = "Waived"\nspec = "bad.json"\nwaivers = "waivers.yaml"\n'
        '[[targets]]\nname = "Not waived"\nspec = "bad.json"\n'
        '[[targets]]\nname = "Bad waivers"\nspec = "bad.json"\nwaivers = "broken.yaml"\n',
    )
    cli("campaign", str(path), "--report-dir", str(tmp_path / "out"))
    rows = {t["id"]: t for t in _overview(tmp_path / "out")["targets"]}
    assert rows["waived"]["verdict"] == "conformant" and rows["waived"]["findings"] == []
    assert rows["not-waived"]["verdict"] == "not_conformant"
    assert (
        rows["bad-waivers"]["verdict"] == "error" and "broken.yaml" in rows["bad-waivers"]["reason"]
    )
    report = json.loads((tmp_path / "out" / "waived" / "report.json").read_text("utf-8"))
    assert next(r for r in report["results"] if r["requirement"] == "/core/semver")["waiver"]


def test_report_merge_takes_the_folders_of_run_shards_too(cli: Cli, tmp_path: Path) -> None:
    spec = str(_document(tmp_path, "bad", SEMVER))
    for index in (1, 2):
        result = cli(
            "run", "--profile", "adr-openapi", "--spec", spec, "--seed", "3",
            "--shard", f"{index}/2", "--report-dir", str(tmp_path / f"s{index}"),
        )  # fmt: skip
        assert result.code in (0, 1)
    merged = cli("report", "merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out",
                 str(tmp_path / "m"))  # fmt: skip
    assert merged.code == 1 and (tmp_path / "m" / "report.json").is_file()
    assert {p.name for p in (tmp_path / "m").iterdir()} >= {"report.json", "junit.xml"}
    refused = cli("report", "merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out",
                  str(tmp_path / "x"), "--previous", str(tmp_path))  # fmt: skip
    assert refused.code == 2 and "--previous is for campaign outputs" in refused.stderr


def test_a_stopped_campaign_says_so_and_exits_3() -> None:
    from datetime import UTC, datetime

    from cgconform.report.campaign import assemble_campaign, campaign_exit_code, target_entry

    now = datetime.now(UTC)
    info = {"id": "later", "index": 0, "name": "Later", "profiles": ["adr-openapi"]}
    entry = target_entry(info, report=None, reports={}, not_run="not run: stopped (SIGINT)")
    assert entry["verdict"] == "inconclusive" and entry["exit_code"] == 3
    assert entry["profiles"] == [{"id": "adr-openapi", "verdict": "inconclusive", "counts": {}}]
    overview = assemble_campaign(
        name="x", file="c.toml", digest="sha256:" + "0" * 64, targets_total=1, entries=[entry],
        started_at=now, finished_at=now, interrupted="SIGINT",
    )  # fmt: skip
    assert validate_campaign(overview) == []
    assert overview["campaign"]["interrupted"] == "SIGINT" and campaign_exit_code(overview) == 3
    empty = assemble_campaign(
        name="x", file="c.toml", digest="sha256:" + "0" * 64, targets_total=4, entries=[],
        started_at=now, finished_at=now, shard={"index": 4, "count": 5},
    )  # fmt: skip
    assert validate_campaign(empty) == [] and campaign_exit_code(empty) == 0


def test_a_target_whose_folder_cannot_be_made_is_its_own_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "blocked").write_text("a file where the folder should be")
    targets = [_target(tmp_path, "blocked", 0), _target(tmp_path, "fine", 1)]
    result = run_targets(targets, out, _misbehave, jobs=2)
    assert result.runs[0].error is not None and "cannot write its report folder" in str(
        result.runs[0].error
    )
    assert result.runs[1].error is None


def test_sigterm_stops_a_campaign_with_its_overview_and_exit_3(tmp_path: Path) -> None:
    import subprocess
    import sys

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(40):
        _document(docs, f"api-{i:02d}", SEMVER)
    path = _campaign(
        tmp_path, 'jobs = 1\nprofiles = ["adr-openapi"]\n[[targets]]\nspecs = "docs/*.json"\n'
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "cgconform", "campaign", str(path), "--report-dir", "out"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out").glob("*/report.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 3, err
    assert "campaign stopped by SIGTERM; overview written to out" in err
    assert "Traceback" not in err + out
    overview = _overview(tmp_path / "out")
    assert overview["campaign"]["interrupted"] == "SIGTERM"
    assert len(overview["targets"]) == 40
    not_run = [t for t in overview["targets"] if t["verdict"] == "inconclusive"]
    not_started = [t for t in not_run if t["reason"].startswith("not run:")]
    # jobs = 1: at most the one target running when the signal came stopped part-way
    assert not_started and len(not_run) - len(not_started) <= 1, not_run
    assert any(t["verdict"] == "not_conformant" for t in overview["targets"])
