"""The chain picture of the HTML report: drawn from report.json alone (the hop notes of
once-only-chain), each hop coloured by its verdict, and shown in a real browser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cgtest.browser import dump_dom, find_chromium, screenshot

from cgconform.fixtures.chain.chain import reference_chain
from cgconform.model.catalogue import select_profiles
from cgconform.report.html import render_html
from cgconform.report.html_chain import chain_picture
from cgconform.run.runner import RunRequest, execute


def _report(tmp_path: Path, defects: tuple[str, ...]) -> dict[str, Any]:
    with reference_chain(tmp_path, defects=defects, refetch_after=0.3) as chain:
        report: dict[str, Any] = execute(
            RunRequest(
                profiles=select_profiles(["once-only-chain"]),
                target=chain.target(),
                command="self-test",
                seed=1,
            )
        )
    return report


def test_the_picture_colours_the_hop_that_drops_the_trace(tmp_path: Path) -> None:
    report = json.loads(json.dumps(_report(tmp_path, ("drops-trace",))))  # as read from disk
    picture = chain_picture(report["results"], "en")
    assert picture is not None
    verdicts = {(e.start, e.end): e.verdict for e in picture.edges}
    assert verdicts[("Gemeente Parkeerstad: Outway", "RvIG (BRP): Inway")] == "fail"
    assert verdicts[("Burger", "Gemeente Parkeerstad: applicatie")] == "pass"
    assert {n.label for n in picture.nodes} >= {"Burger", "applicatie", "Outway", "Inway", "bron"}
    assert {b.label for b in picture.boxes} == {"Gemeente Parkeerstad", "RvIG (BRP)", "RDW"}


def test_no_picture_without_chain_results() -> None:
    assert (
        chain_picture([{"profile": "adr-runtime", "evidence": [{"note": "hop [x] a"}]}], "en")
        is None
    )


@pytest.mark.skipif(find_chromium() is None, reason="no headless Chromium")
def test_the_picture_in_a_browser(tmp_path: Path) -> None:
    report = _report(tmp_path, ("others-readable",))
    page = tmp_path / "report.html"
    page.write_text(render_html(report, lang="nl"), encoding="utf-8")
    dom = dump_dom(page)
    assert 'id="chain-heading"' in dom and "De keten in één oogopslag" in dom
    assert dom.count('class="hop hop-fail"') == 3  # the three read APIs
    assert 'class="hop hop-pass"' in dom
    shot = screenshot(page, tmp_path / "chain.png", width=1280, height=1500)
    assert shot.stat().st_size > 10_000
