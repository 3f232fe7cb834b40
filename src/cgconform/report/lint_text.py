"""The plain-text output of `cgconform lint`: one line per finding, `file:line:col` first,
so editors and terminals can jump to it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from cgconform.report.sarif import artifact_uri

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SHOWN = ("fail", "warning", "error", "inconclusive", "not_tested", "needs_review")
_RUN = {
    "en": {
        "conformant": "conformant",
        "not_conformant": "NOT CONFORMANT",
        "inconclusive": "inconclusive",
        "error": "ERROR",
    },
    "nl": {
        "conformant": "conform",
        "not_conformant": "NIET CONFORM",
        "inconclusive": "onbeslist",
        "error": "FOUT",
    },
}


def _clean(text: str) -> str:
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _lines(report: Mapping[str, Any], lang: str) -> list[str]:
    spec = str(report["target"].get("spec") or report["target"]["name"])
    where = artifact_uri(spec)
    if where.startswith("file://"):
        where = spec
    counts = ", ".join(
        f"{k} {v}" for p in report["profiles"] for k, v in sorted(p["counts"].items())
    )
    out = [f"{where}: {_RUN[lang].get(report['verdict'], report['verdict'])} ({counts})"]
    for result in report["results"]:
        verdict = result["verdict"]
        if verdict not in _SHOWN:
            continue
        title = result["title"].get(lang) or result["title"]["en"]
        summary = _first_line(result.get("message") or result.get("reason") or title)
        located = [e for e in result["evidence"] if isinstance(e.get("document"), Mapping)]
        if verdict not in ("fail", "warning") or not located:
            out.append(f"  {where}  {verdict:<12} {result['requirement']}  {_clean(summary)}")
            continue
        for item in located:
            doc = item["document"]
            pos = f"{where}:{doc.get('line', 1)}:{doc.get('column', 1)}"
            note = item.get("note") or summary
            out.append(f"  {pos}  {verdict:<12} {result['requirement']}  {_clean(str(note))}")
    return out


def render_lint_text(reports: Sequence[Mapping[str, Any]], *, lang: str = "en") -> str:
    lines: list[str] = []
    for report in reports:
        lines.extend(_lines(report, lang))
    return "\n".join(lines) + "\n"
