"""campaign.html: rendered from campaign.json alone, in Dutch and English, and as safe as the
report page against a hostile campaign.json (target names, reasons, organisations and
requirement texts can come from targets and campaign files): nothing becomes markup, no link
leaves the shapes it may have, and Chromium runs nothing."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cgtest.browser import dump_dom, require_chromium
from cgtest.reportdata import make_report, make_result

from cgconform.report.campaign import assemble_campaign, changes, target_entry, trim_report
from cgconform.report.campaign_html import render_campaign_html
from cgconform.report.campaign_schema import validate_campaign

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PWNED = "PWNED"
MARKER = "cg-pwned"
RUN = (
    f"document.title='{PWNED}';document.documentElement.append(document.createElement('{MARKER}'))"
)
PAYLOADS = [
    f"<script>{RUN}</script>",
    f'<img src=x onerror="{RUN}">',
    f'"><svg onload="{RUN}"><{MARKER}></{MARKER}>',
    f"javascript:{RUN}",
    "<style>body{background:url(http://127.0.0.1:9/x.png)}</style>",
    "\u202eevil\u202c \x1b[31mred\x07 {{ 7*7 }}",
]


def _target(
    index: int, name: str, results: list[dict[str, Any]] | None, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    info = {
        "id": extra.pop("id", f"t{index}"),
        "index": index,
        "name": name,
        "organisation": extra.pop("organisation", None),
        "profiles": ["adr-openapi"],
        "described": {"spec": f"/docs/{index}.json"},
    }
    report = make_report(results) if results is not None else None
    if report is not None:
        for row in report["profiles"]:
            row["id"] = "adr-openapi"
        for result in report["results"]:
            result["profile"] = "adr-openapi"
    return info, report


def _campaign(previous: bool = False, hostile: str = "") -> dict[str, Any]:
    fail = make_result("/core/semver", "fail", title_en=f"Semantic versions{hostile}")
    rows = [
        _target(0, f"Parkeren API{hostile}", [make_result("/core/semver", "pass")],
                organisation=f"Gemeente{hostile}"),
        _target(1, "Zaken API", [fail, make_result("/core/uri-version", "warning",
                                                     level="SHOULD")]),
        _target(2, f"Kapot{hostile}", None),
    ]  # fmt: skip
    entries = []
    for info, report in rows:
        reports = {"json": f"{info['id']}/report.json", "html": f"{info['id']}/report.en.html"}
        entry = target_entry(
            info,
            report=report,
            reports=reports if report else {},
            error=None if report else f"not reachable: connection refused{hostile}",
            started_at=NOW,
            finished_at=NOW,
            duration_s=0.5,
        )
        if previous:
            before = copy.deepcopy(report)
            if before is not None and info["index"] == 0:
                before["results"][0]["verdict"] = "fail"
            entry["changes"] = changes(
                {"verdict": "not_conformant"} if info["index"] != 1 else None,
                trim_report(before) if before else None,
                entry,
                trim_report(report) if report else None,
            )
        entries.append(entry)
    data = assemble_campaign(
        name=f"December{hostile}",
        file="campaign.toml",
        digest="sha256:" + "0" * 64,
        targets_total=3,
        entries=entries,
        started_at=NOW,
        finished_at=NOW,
        previous={"name": "November", "finished_at": "2026-11-01T09:00:00Z", "dir": "nov"}
        if previous
        else None,
    )
    return data


def test_the_test_campaign_is_valid() -> None:
    for previous in (False, True):
        assert validate_campaign(_campaign(previous)) == []


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_page_in_each_language(lang: str) -> None:
    html = render_campaign_html(_campaign(previous=True), lang=lang)
    assert f'<html lang="{lang}">' in html
    words = {
        "en": ["Campaign verdict", "1 of 3 targets conformant.", "Requirements failed most often",
               "What changed since the previous campaign", "verdict better", "new target"],
        "nl": ["Oordeel over de campagne", "1 van de 3 geteste systemen zijn conform.",
               "Eisen waaraan het vaakst niet voldaan is",
               "Wat veranderde sinds de vorige campagne", "oordeel beter", "nieuw systeem"],
    }[lang]  # fmt: skip
    for word in words:
        assert word in html, word
    assert 'href="t0/report.en.html"' in html and 'href="t1/report.json"' in html
    assert 'id="t-t2"' in html and "not reachable: connection refused" in html
    assert "<script" not in html
    assert "default-src 'none'" in html  # the report page's Content-Security-Policy


def test_only_safe_links_and_no_markup_from_the_data() -> None:
    data = _campaign(hostile=" " + " ".join(PAYLOADS))
    bad = {"t0": "javascript:alert(1)", "t1": "../../etc/passwd"}
    for row in data["targets"]:
        if row["id"] in bad:
            row["reports"] = {"html": bad[row["id"]], "json": "https://evil.example/x.json"}
    data["most_failed"][0]["url"] = "javascript:alert(1)"
    data["targets"][2]["id"] = '"><script>x</script>'
    html = render_campaign_html(data)
    hrefs = re.findall(r'href="([^"]*)"', html)
    for href in hrefs:
        assert re.fullmatch(r"#t-[a-z0-9-]+|https://[^\s<>\"]+|[a-z0-9-]+/[A-Za-z0-9._-]+", href), (
            href
        )
    assert "javascript:" not in "".join(hrefs) and "../" not in "".join(hrefs)
    assert "<script>" not in html and "<img" not in html and "<svg" not in html
    assert "&lt;script&gt;" in html
    assert "\u202e" not in html and "\\u202e" in html


def test_a_hostile_campaign_runs_nothing_in_chromium(tmp_path: Path) -> None:
    require_chromium()
    page = tmp_path / "campaign.html"
    page.write_text(
        render_campaign_html(_campaign(previous=True, hostile=" " + " ".join(PAYLOADS))), "utf-8"
    )
    dom = dump_dom(page)
    assert f"<{MARKER}" not in dom.replace(f"&lt;{MARKER}", "")
    assert f"<title>{PWNED}" not in dom
    assert "Campaign overview" in dom


def test_unknown_values_are_shown_not_trusted() -> None:
    data = _campaign()
    data["targets"][0]["verdict"] = "brilliant"
    data["targets"][0]["profiles"][0]["counts"] = {"pass": "many", "fail": -1}
    html = render_campaign_html(data)
    assert "brilliant" in html and "v-unknown" in html
    with pytest.raises(ValueError, match="unknown language"):
        render_campaign_html(data, lang="de")
