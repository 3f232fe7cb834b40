"""The real-sized example: `adr-openapi` over every document of the shared corpus
(examples/campaign-corpus/campaign.toml), run whole and as three shards merged (the same
overview apart from times), and its overview read in headless Chromium the way a programme
lead reads it: which targets conform, which requirement fails most, what changed."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from cgtest.browser import dump_dom, png_size, require_chromium, screenshot
from cgtest.clirun import CliResult, assert_valid_report
from cgtest.shared_data import SHARED, require_shared

from cgconform.report.campaign_schema import validate_campaign

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "campaign-corpus" / "campaign.toml"
SCREENSHOT = REPO / "docs" / "campaign-overview.png"
Cli = Callable[..., CliResult]


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _stable(v) for k, v in value.items() if not k.endswith("_at") and k != "duration_s"
        }
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _read(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "campaign.json").read_text("utf-8"))
    assert validate_campaign(data) == []
    return data


def corpus_documents() -> list[Path]:
    corpus = require_shared("corpus")
    return sorted(
        p
        for p in corpus.iterdir()
        if p.suffix in (".yaml", ".json") and not p.name.endswith(".schema.json")
    )


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example campaign file, pointing at ../shared/corpus wherever it is
    (CG_SHARED_DIR): as shipped when the shared folder is beside the checkout."""
    documents = corpus_documents()
    text = EXAMPLE.read_text("utf-8")
    default = (EXAMPLE.parent / "../../../shared/corpus").resolve()
    if default == (SHARED / "corpus").resolve():
        return EXAMPLE
    folder = tmp_path_factory.mktemp("example")
    moved = folder / "campaign.toml"
    moved.write_text(text.replace("../../../shared/corpus", str(documents[0].parent)), "utf-8")
    return moved


@pytest.fixture(scope="module")
def runs(example: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus campaign whole, as three shards, and the shards merged."""
    from cgconform.cli.main import main

    base = tmp_path_factory.mktemp("corpus")
    codes = {}
    import contextlib
    import io

    def run(*args: str) -> int:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return main(list(args))

    codes["whole"] = run("campaign", str(example), "--report-dir", str(base / "whole"), "-j", "2")
    for index in (1, 2, 3):
        codes[f"shard-{index}"] = run(
            "campaign", str(example), "--shard", f"{index}/3", "-j", "2",
            "--report-dir", str(base / f"shard-{index}"),
        )  # fmt: skip
    shards = [str(base / f"shard-{i}") for i in (1, 2, 3)]
    codes["merged"] = run("report", "merge", *shards, "--out", str(base / "merged"))
    return {"base": base, "codes": codes}


def test_the_example_names_every_document_of_the_corpus() -> None:
    documents = corpus_documents()
    text = EXAMPLE.read_text("utf-8")
    named = re.findall(r'^spec = "\.\./\.\./\.\./shared/corpus/([^"]+)"$', text, re.MULTILINE)
    assert sorted(named) == sorted(p.name for p in documents)
    assert len(named) == 17


def test_the_corpus_campaign_and_its_merged_shards_are_one_overview(
    runs: dict[str, Any],
) -> None:
    base: Path = runs["base"]
    assert runs["codes"]["whole"] == runs["codes"]["merged"] == 1
    whole, merged = _read(base / "whole"), _read(base / "merged")
    assert _stable(merged) == _stable(whole)
    assert whole["summary"]["targets"] == 17 and whole["verdict"] == "not_conformant"
    sizes = [len(_read(base / f"shard-{i}")["targets"]) for i in (1, 2, 3)]
    assert sizes == [6, 6, 5]
    # the invalid JSON document is judged, not an error of the campaign
    broken = next(t for t in whole["targets"] if "not valid JSON" in t["name"])
    assert broken["verdict"] == "not_conformant" and broken["reports"]["json"]
    for target in merged["targets"]:
        report = json.loads((base / "merged" / target["reports"]["json"]).read_text("utf-8"))
        assert_valid_report(report)
        assert report["profiles"][0]["counts"] == target["profiles"][0]["counts"]
    assert (base / "merged" / "campaign.html").read_text("utf-8").count('<tr id="t-') == 17


class _Page(HTMLParser):
    """What a reader sees: the text of each section, the rows of the matrix, the links."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self.text: list[str] = []
        self._row: str | None = None
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "tr" and str(values.get("id", "")).startswith("t-"):
            self._row = str(values["id"])
            self.rows[self._row] = []
        if tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())
            if self._row is not None:
                self.rows[self._row].append(data.strip())


def test_a_programme_lead_reads_the_overview_in_a_browser(runs: dict[str, Any]) -> None:
    require_chromium()
    base: Path = runs["base"]
    overview = base / "merged" / "campaign.html"
    page = _Page()
    page.feed(dump_dom(overview))
    text = " ".join(page.text)
    assert page.scripts == 0
    # which targets conform: the verdict, the count, every target in the matrix
    assert "Campaign verdict" in text and "0 of 17 targets conformant." in text
    assert len(page.rows) == 17
    zaken = page.rows["t-zaken-api-vng-standard"]
    assert "Zaken API (VNG standard)" in zaken and "VNG Realisatie" in zaken
    assert "Not conformant" in zaken
    # which requirement fails most: the first of its ranking, with how many targets
    data = _read(base / "merged")
    top = data["most_failed"][0]
    ranking = text[text.index("Requirements failed most often") :]
    assert ranking.index(top["requirement"]) < ranking.index(data["most_failed"][1]["requirement"])
    assert f"{top['count']} of 17 targets" in ranking
    # every link works offline from the folder: a target's report, or an anchor on the page
    for href in page.links:
        if href.startswith("#"):
            assert f'id="{href[1:]}"' in overview.read_text("utf-8"), href
        elif not href.startswith("https://"):
            assert (overview.parent / href).is_file(), href


def test_what_changed_since_the_previous_campaign_in_a_browser(
    runs: dict[str, Any], example: Path, tmp_path: Path
) -> None:
    """The previous campaign had one document fixed that this one breaks, and one broken
    that this one fixes; the overview says so per target."""
    require_chromium()
    from cgconform.cli.main import main

    base: Path = runs["base"]
    previous = tmp_path / "previous"
    shutil.copytree(base / "whole", previous)
    data = _read(previous)
    first, second = data["targets"][0], data["targets"][1]
    failing = next(f["requirement"] for f in first["findings"] if f["verdict"] == "fail")
    _move(previous / first["reports"]["json"], failing, "pass")  # it regressed since
    passing = _passing(previous / second["reports"]["json"])
    _move(previous / second["reports"]["json"], passing, "fail")  # it improved since
    data["targets"][1]["verdict"] = "error"  # and its verdict got better
    (previous / "campaign.json").write_text(json.dumps(data), "utf-8")
    now = tmp_path / "now"
    assert main(["report", "merge", str(base / "merged"), "--out", str(now),
                 "--previous", str(previous)]) == 1  # fmt: skip
    page = _Page()
    page.feed(dump_dom(now / "campaign.html"))
    text = " ".join(page.text)
    assert "What changed since the previous campaign" in text
    assert "verdict better" in " ".join(page.rows[f"t-{second['id']}"])
    assert "1 regressed" in " ".join(page.rows[f"t-{first['id']}"])


def _passing(path: Path) -> str:
    report = json.loads(path.read_text("utf-8"))
    return str(next(r["requirement"] for r in report["results"] if r["verdict"] == "pass"))


def _move(path: Path, requirement: str, verdict: str) -> None:
    report = json.loads(path.read_text("utf-8"))
    for result in report["results"]:
        if result["requirement"] == requirement:
            result["verdict"] = verdict
    path.write_text(json.dumps(report), "utf-8")


def test_the_screenshot_in_the_docs_is_of_this_overview(runs: dict[str, Any]) -> None:
    """docs/campaign-overview.png is a screenshot of the corpus overview (regenerate it with
    `CG_UPDATE_SCREENSHOT=1`)."""
    import os

    if os.environ.get("CG_UPDATE_SCREENSHOT") == "1":
        require_chromium()
        screenshot(runs["base"] / "merged" / "campaign.html", SCREENSHOT, width=1280, height=1500)
    assert SCREENSHOT.is_file(), "docs/campaign-overview.png is missing"
    assert png_size(SCREENSHOT) == (1280, 1500)
    assert "campaign-overview.png" in (REPO / "docs" / "campaigns.md").read_text("utf-8")
