"""A status badge (SVG, in the style of shields.io) rendered from report.json.

Left: the profile id when the report has one profile, else ``cgconform``. Right: the run
verdict and how many applicable requirements passed (``conformant · 18/20``), plus the
number of waived results when there are any: a waived result does not block, and the badge
says so (DESIGN.md §4). The colour follows the verdict, as on the console.

The SVG is self-contained: no fonts, images, scripts or links to fetch. Text widths are
estimated from Verdana's advance widths and pinned with ``textLength``, so the layout holds
with whatever sans-serif font the viewer has. Every text goes through ElementTree, which
escapes it, after characters XML 1.0 cannot carry are replaced; over-long labels are cut.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from cgconform.report.junit import xml_safe

SVG_NS = "http://www.w3.org/2000/svg"

COLOURS = {
    "conformant": "#2e7d32",
    "not_conformant": "#c62828",
    "inconclusive": "#b26a00",
    "error": "#6a1b9a",
}
_UNKNOWN_COLOUR = "#555555"
_LABEL_COLOUR = "#555555"

_TEXT = {
    "en": {
        "conformant": "conformant",
        "not_conformant": "not conformant",
        "inconclusive": "inconclusive",
        "error": "error",
        "waived": "{n} waived",
    },
    "nl": {
        "conformant": "conform",
        "not_conformant": "niet conform",
        "inconclusive": "onbeslist",
        "error": "fout",
        "waived": "{n} met ontheffing",
    },
}

_MAX_LABEL = 40
_PADDING = 6
_HEIGHT = 20
_FONT_SIZE = 11
# Advance widths of Verdana at 11px (rounded to tenths); other characters count as 'W'-wide
# capitals or as the average lower-case width.
_NARROW = dict.fromkeys("ijl|!.,:;'`", 3.1) | dict.fromkeys("frt()[]/\\ ", 4.3)
_WIDE = dict.fromkeys("mwMW@%", 10.5)
_DIGIT = 7.0
_LOWER = 6.6
_UPPER = 7.6


def text_width(text: str) -> float:
    """Estimated width in pixels of ``text`` in Verdana 11px."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += _NARROW[char]
        elif char in _WIDE:
            width += _WIDE[char]
        elif char.isdigit():
            width += _DIGIT
        elif char.isupper():
            width += _UPPER
        else:
            width += _LOWER
    return round(width, 1)


def badge_texts(report: Mapping[str, Any], *, lang: str = "en") -> tuple[str, str]:
    """The left and right texts of the badge for ``report``."""
    words = _TEXT.get(lang, _TEXT["en"])
    profiles = report.get("profiles") or []
    label = str(profiles[0]["id"]) if len(profiles) == 1 else "cgconform"
    verdict = str(report.get("verdict", "error"))
    results = report.get("results") or []
    applicable = [r for r in results if r.get("verdict") != "not_applicable"]
    passed = sum(1 for r in applicable if r.get("verdict") == "pass")
    parts = [words.get(verdict, verdict), f"{passed}/{len(applicable)}"]
    waived = sum(1 for r in results if r.get("waiver"))
    if waived:
        parts.append(words["waived"].format(n=waived))
    return _clip(label), _clip(" · ".join(parts))


def render_badge(report: Mapping[str, Any], *, lang: str = "en") -> str:
    """The badge for ``report`` as an SVG document (a string, UTF-8 when written)."""
    label, value = badge_texts(report, lang=lang)
    colour = COLOURS.get(str(report.get("verdict")), _UNKNOWN_COLOUR)
    target = report.get("target") or {}
    title = f"{label}: {value}"
    if target.get("name"):
        title = f"{_clip(str(target['name']))} — {title}"

    left_text, right_text = text_width(label), text_width(value)
    left = round(left_text + 2 * _PADDING)
    right = round(right_text + 2 * _PADDING)
    total = left + right

    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(total),
            "height": str(_HEIGHT),
            "viewBox": f"0 0 {total} {_HEIGHT}",
            "role": "img",
            "aria-label": title,
        },
    )
    ET.SubElement(svg, "title").text = title
    gradient = ET.SubElement(svg, "linearGradient", {"id": "s", "x2": "0", "y2": "100%"})
    ET.SubElement(gradient, "stop", {"offset": "0", "stop-color": "#bbb", "stop-opacity": ".1"})
    ET.SubElement(gradient, "stop", {"offset": "1", "stop-opacity": ".1"})
    clip = ET.SubElement(svg, "clipPath", {"id": "r"})
    ET.SubElement(
        clip,
        "rect",
        {"width": str(total), "height": str(_HEIGHT), "rx": "3", "fill": "#fff"},
    )
    group = ET.SubElement(svg, "g", {"clip-path": "url(#r)"})
    for x, width, fill in ((0, left, _LABEL_COLOUR), (left, right, colour), (0, total, "url(#s)")):
        ET.SubElement(
            group,
            "rect",
            {"x": str(x), "width": str(width), "height": str(_HEIGHT), "fill": fill},
        )
    texts = ET.SubElement(
        svg,
        "g",
        {
            "fill": "#fff",
            "text-anchor": "middle",
            "font-family": "Verdana,Geneva,DejaVu Sans,sans-serif",
            "font-size": str(_FONT_SIZE),
            "text-rendering": "geometricPrecision",
        },
    )
    placed: tuple[tuple[float, str, float], ...] = (
        (left / 2, label, left_text),
        (left + right / 2, value, right_text),
    )
    for centre, text, span in placed:
        shadow = {"fill": "#010101", "fill-opacity": ".3", "aria-hidden": "true"}
        for y, extra in (("15", shadow), ("14", {})):
            attrs = {"x": f"{centre:g}", "y": y, "textLength": f"{span:g}", **extra}
            ET.SubElement(texts, "text", attrs).text = text
    return ET.tostring(svg, encoding="unicode") + "\n"


def _clip(text: str) -> str:
    text = " ".join(xml_safe(text).split())
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"
