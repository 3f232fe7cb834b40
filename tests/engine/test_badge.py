"""The SVG status badge: verdict and pass count, colour by verdict, no markup from the target."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from cgtest.reportdata import make_report, make_result

from cgconform.report.badge import COLOURS, badge_texts, render_badge, text_width

SVG = "{http://www.w3.org/2000/svg}"
WAIVER = {
    "requirement": "/core/semver",
    "reason": "fixed in release 2.4",
    "owner": "team-percelen",
    "expires": "2027-01-31",
}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_single_profile_badge_names_profile_verdict_and_pass_count() -> None:
    report = make_report(
        [
            make_result("/core/a", "pass"),
            make_result("/core/b", "pass"),
            make_result("/core/c", "warning", level="SHOULD"),
            make_result("/core/d", "not_applicable", level="SHOULD"),
        ]
    )
    assert report["verdict"] == "conformant"
    assert badge_texts(report) == ("adr-runtime", "conformant · 2/3")
    root = _parse(render_badge(report))
    assert root.tag == f"{SVG}svg"
    assert "adr-runtime" in _texts(root)
    assert "conformant · 2/3" in _texts(root)
    fills = {r.get("fill") for r in root.iter(f"{SVG}rect")}
    assert COLOURS["conformant"] in fills


def test_several_profiles_are_labelled_cgconform_and_waivers_are_shown() -> None:
    report = make_report(
        [
            make_result("/core/a", "fail"),
            make_result("/core/semver", "fail", waiver=WAIVER),
            make_result("/x", "pass", profile="fsc-manager"),
        ]
    )
    assert badge_texts(report) == ("cgconform", "not conformant · 1/3 · 1 waived")
    assert badge_texts(report, lang="nl") == ("cgconform", "niet conform · 1/3 · 1 met ontheffing")
    fills = {r.get("fill") for r in _parse(render_badge(report)).iter(f"{SVG}rect")}
    assert COLOURS["not_conformant"] in fills


@pytest.mark.parametrize("verdict", ["inconclusive", "error"])
def test_colour_follows_the_verdict(verdict: str) -> None:
    result = make_result("/core/a", verdict)
    report = make_report([result])
    assert report["verdict"] == verdict
    fills = {r.get("fill") for r in _parse(render_badge(report)).iter(f"{SVG}rect")}
    assert COLOURS[verdict] in fills
    assert len(set(COLOURS.values())) == 4


def test_dutch_words() -> None:
    report = make_report([make_result("/core/a", "pass")])
    assert badge_texts(report, lang="nl") == ("adr-runtime", "conform · 1/1")


HOSTILE = [
    "</text><script>alert(1)</script>",
    '"><image href="https://evil.example/x.png"/><text>',
    "]]><!ENTITY x SYSTEM 'file:///etc/passwd'>&x;",
    "a\x00b\x1bc\ud800 & <b>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_cannot_inject_markup(hostile: str) -> None:
    report = make_report([make_result("/core/a", "pass", profile="adr-runtime")])
    report["target"]["name"] = hostile
    report["profiles"][0]["id"] = hostile
    svg = render_badge(report)
    root = _parse(svg)  # well-formed XML
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "linearGradient", "stop", "clipPath", "rect", "g", "text"}
    assert "<script" not in svg and "<image" not in svg and "<!ENTITY" not in svg
    title = root.find(f"{SVG}title")
    assert title is not None and title.text is not None
    assert "\x00" not in svg and "\x1b" not in svg


def test_no_external_resources() -> None:
    svg = render_badge(make_report([make_result("/core/a", "pass")]))
    root = _parse(svg)
    for element in root.iter():
        for name, value in element.attrib.items():
            assert "href" not in name
            assert not value.startswith(("http:", "https:", "//")) or name == "xmlns"
    assert "@import" not in svg and "url(http" not in svg


def test_long_names_are_cut() -> None:
    report = make_report([make_result("/core/a", "pass", profile="adr-runtime")])
    report["profiles"][0]["id"] = "p" * 500
    label, _ = badge_texts(report)
    assert len(label) == 40 and label.endswith("…")
    root = _parse(render_badge(report))
    assert int(root.get("width", "0")) < 600


def test_text_width_grows_with_text() -> None:
    assert text_width("") == 0
    assert text_width("iii") < text_width("mmm")
    assert text_width("conformant · 18/20") > text_width("conform · 18/20")
