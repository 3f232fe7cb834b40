"""The picture of a chain in the HTML report: its components and the hops between them, each
hop coloured by its verdict, for a reader who does not read the requirement table.

Built from report.json alone: the results of the `once-only-chain` profile, whose evidence
notes name the hops each check judged (``hop [fail] Burger → Gemeente: applicatie | why``,
suites/chain/harness/hops.py). A hop's verdict is the worst verdict any note gives it. Nodes
named ``Organisation: part`` are drawn inside their organisation's box; the others (the citizen,
the login service) stand on their own on the left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PROFILE = "once-only-chain"
_HOP = re.compile(
    r"^hop \[(?P<verdict>[a-z_]+)\] (?P<start>.+?) → (?P<end>.+?)(?: \| (?P<why>.*))?$", re.S
)
# worst first (DESIGN.md §4)
_ORDER = ("error", "fail", "inconclusive", "needs_review", "not_tested", "warning", "pass")
_PARTS = ("applicatie", "Outway", "Inway", "bron", "Logboek")
NODE_W, NODE_H, GAP, PAD, HEAD = 170, 30, 14, 12, 26
COLUMNS = (20, 250, 520)
LABELS = {
    "nl": {
        "heading": "De keten in één oogopslag",
        "intro": "Elke pijl is een schakel in de keten; de kleur is het oordeel over die schakel.",
        "pass": "in orde", "fail": "afwijking", "warning": "aandachtspunt",
        "inconclusive": "niet vast te stellen", "not_tested": "niet getest",
        "needs_review": "te beoordelen", "error": "fout in de test",
    },
    "en": {
        "heading": "The chain at a glance",
        "intro": "Each arrow is a hop of the chain; its colour is the verdict on that hop.",
        "pass": "fine", "fail": "finding", "warning": "point of attention",
        "inconclusive": "could not decide", "not_tested": "not tested",
        "needs_review": "needs review", "error": "test error",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Node:
    label: str
    x: int
    y: int
    w: int = NODE_W
    h: int = NODE_H

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2


@dataclass(frozen=True)
class Box:
    label: str
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Edge:
    start: str
    end: str
    verdict: str
    verdict_label: str
    why: str
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class ChainPicture:
    heading: str
    intro: str
    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)


def _hops(results: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], tuple[str, str]]:
    """(start, end) -> (worst verdict, its reason)."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for result in results:
        if result.get("profile") != PROFILE:
            continue
        for item in result.get("evidence") or []:
            note = item.get("note") if isinstance(item, Mapping) else None
            match = _HOP.match(note) if isinstance(note, str) else None
            if match is None or match["verdict"] not in _ORDER:
                continue
            key = (match["start"].strip()[:80], match["end"].strip()[:80])
            verdict, why = match["verdict"], (match["why"] or "").strip()[:300]
            known = found.get(key)
            if known is None or _ORDER.index(verdict) < _ORDER.index(known[0]):
                found[key] = (verdict, why)
    return found


def _split(label: str) -> tuple[str | None, str]:
    org, sep, part = label.rpartition(": ")
    return (org, part) if sep and part in _PARTS else (None, label)


def chain_picture(results: Sequence[Mapping[str, Any]], lang: str) -> ChainPicture | None:
    hops = _hops(results)
    if not hops:
        return None
    texts = LABELS.get(lang, LABELS["en"])
    labels = [label for pair in hops for label in pair]
    orgs: dict[str, list[str]] = {}
    loose: list[str] = []
    for label in dict.fromkeys(labels):
        org, part = _split(label)
        if org is None:
            loose.append(label)
        else:
            orgs.setdefault(org, []).append(part)
    consumers = [o for o, parts in orgs.items() if "applicatie" in parts]
    picture = ChainPicture(texts["heading"], texts["intro"], 0, 0)
    places: dict[str, Node] = {}
    column_y = {0: 20, 1: 20, 2: 20}
    for label in loose:
        node = Node(label, COLUMNS[0], column_y[0] + 40)
        column_y[0] += NODE_H + 50
        places[label] = node
    for org, parts in orgs.items():
        column = 1 if org in consumers else 2
        shown = sorted(set(parts), key=_PARTS.index)
        x, y = COLUMNS[column], column_y[column]
        height = HEAD + len(shown) * (NODE_H + GAP) + PAD - GAP
        picture.boxes.append(Box(org, x - PAD, y, NODE_W + 2 * PAD, height))
        for index, part in enumerate(shown):
            node = Node(part, x, y + HEAD + index * (NODE_H + GAP))
            places[f"{org}: {part}"] = node
        column_y[column] = y + height + 24
    picture.nodes = list(places.values())
    for (start, end), (verdict, why) in hops.items():
        a, b = places[start], places[end]
        x1, x2 = (
            (a.x + a.w, b.x) if a.cx < b.cx else ((a.x, b.x + b.w) if a.cx > b.cx else (a.cx, b.cx))
        )
        y1, y2 = (
            (a.cy, b.cy)
            if a.cx != b.cx
            else ((a.y + a.h, b.y) if a.cy < b.cy else (a.y, b.y + b.h))
        )
        picture.edges.append(
            Edge(start, end, verdict, texts.get(verdict, verdict), why, x1, y1, x2, y2)
        )
    picture.width = COLUMNS[2] + NODE_W + 2 * PAD + 20
    picture.height = max(column_y.values()) + 10
    present = {e.verdict for e in picture.edges}
    picture.legend = [(v, texts.get(v, v)) for v in _ORDER if v in present]
    return picture
