"""campaign.html: the overview of a campaign for a programme lead, rendered from campaign.json
alone, in Dutch or English, usable offline from the campaign folder.

What it shows: the campaign verdict and how many targets conform; the targets grouped by
verdict; the matrix of targets by profiles with each cell's verdict and counts (an `error`
cell with its reason); the requirements failed most often across targets; and, given a
previous campaign, what improved and what regressed per target. Each target links to its own
report (relative links into the campaign folder).

It is made as safely as the report page (:mod:`cgconform.report.html`): every value is
cleaned and shortened (:mod:`cgconform.report.html_text`), the environment escapes every
expression, report data becomes an attribute only as a checked link (an http(s) URL of a
requirement, or a relative link of the exact shape `<target-id>/<file>`), and the page has no
JavaScript and the same Content-Security-Policy. Its styles are the report page's own (taken
from ``templates/report.html.j2``) plus those of the matrix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from cgconform import __version__
from cgconform.report.campaign_translations import TARGET_VERDICT_LABELS, TEXTS
from cgconform.report.html_text import (
    LIMIT_SHORT,
    LIMIT_TEXT,
    Text,
    as_mapping,
    as_sequence,
    format_date,
    format_duration,
    is_count,
    link_target,
    shorten,
)
from cgconform.report.html_translations import LANGUAGES, VERDICT_LABELS
from cgconform.report.html_view import RUN_VERDICTS, VERDICTS, Badge, Count
from cgconform.report.labels import RUN_SYMBOLS, VERDICT_SYMBOLS

_REPORT_LINK = re.compile(r"^[a-z0-9][a-z0-9-]*/[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_TARGET_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MOST_SHOWN = 5  # requirements shown at once per ranking; the rest behind "n more"
TARGETS_SHOWN = 12  # targets named per ranked requirement


@dataclass(frozen=True)
class TargetLink:
    name: Text
    anchor: str


@dataclass(frozen=True)
class CellView:
    badge: Badge | None  # None: the target did not run this profile
    counts: list[Count] = field(default_factory=list)


@dataclass(frozen=True)
class ChangeItem:
    requirement: Text
    title: Text
    old: Badge | None
    new: Badge | None


@dataclass(frozen=True)
class ChangeView:
    trend: str  # better | worse | same | new
    label: str
    previous: Badge | None
    improved: list[ChangeItem]
    regressed: list[ChangeItem]


@dataclass(frozen=True)
class RowView:
    anchor: str
    name: Text
    organisation: Text | None
    badge: Badge
    href: str | None  # its HTML report
    json_href: str | None
    cells: list[CellView]
    reason: Text | None
    change: ChangeView | None


@dataclass(frozen=True)
class RankedView:
    requirement: Text
    href: str | None
    title: Text
    level: Text
    profile: Text
    count: int
    percent: float
    targets: list[TargetLink]
    more_targets: int


def render_campaign_html(campaign: Mapping[str, Any], *, lang: str = "en") -> str:
    """The overview page of a campaign.json mapping, in `lang` (nl or en)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    template = _environment().get_template("campaign.html.j2")
    return template.render(page_context(campaign, lang))


def page_context(campaign: Mapping[str, Any], lang: str) -> dict[str, Any]:
    t = TEXTS[lang]
    meta = as_mapping(campaign.get("campaign"))
    targets = [as_mapping(x) for x in as_sequence(campaign.get("targets"))]
    summary = as_mapping(campaign.get("summary"))
    total = len(targets)
    anchors = {str(row.get("id")): _anchor(row, i) for i, row in enumerate(targets)}
    names = {str(row.get("id")): shorten(row.get("name"), LIMIT_SHORT) for row in targets}
    columns = [as_mapping(c) for c in as_sequence(campaign.get("profiles"))]
    previous = as_mapping(meta.get("previous")) if meta.get("previous") else None
    rows = [_row(row, i, columns, lang, previous is not None) for i, row in enumerate(targets)]
    verdict = campaign.get("verdict")
    return {
        "lang": lang,
        "t": t,
        "styles": Markup(_report_styles()),  # cgconform's own stylesheet, not campaign data
        "name": shorten(meta.get("name"), LIMIT_SHORT),
        "run_badge": _target_badge(verdict, lang),
        "explain": _explain(campaign, targets, lang),
        "total": total,
        "chips": [
            (_target_badge(v, lang), summary.get(v, 0))
            for v in RUN_VERDICTS
            if is_count(summary.get(v)) and summary.get(v)
        ],
        "since": _since(previous, summary, lang),
        "notes": _notes(meta, total, lang),
        "meta": _meta(meta, columns, lang),
        "glance": [
            (
                _target_badge(v, lang),
                [
                    TargetLink(names[str(row.get("id"))], anchors[str(row.get("id"))])
                    for row in targets
                    if row.get("verdict") == v
                ],
            )
            for v in RUN_VERDICTS
            if any(row.get("verdict") == v for row in targets)
        ],
        "columns": [
            (shorten(c.get("id"), LIMIT_SHORT), shorten(_standard(c), LIMIT_SHORT)) for c in columns
        ],
        "rows": rows,
        "legend": [(v, VERDICT_LABELS[lang][v], VERDICT_SYMBOLS[v]) for v in VERDICTS],
        "has_previous": previous is not None,
        "most_failed": _ranked(campaign.get("most_failed"), total, names, anchors, lang),
        "most_warned": _ranked(campaign.get("most_warned"), total, names, anchors, lang),
        "shown": MOST_SHOWN,
        "changed": [r for r in rows if r.change and _changed(r.change)],
        "footer": t["footer"].format(
            tool="cgconform",
            version=shorten(as_mapping(campaign.get("tool")).get("version"), 40).value,
        ),
    }


def _changed(change: ChangeView) -> bool:
    return bool(change.improved or change.regressed) or change.trend in ("better", "worse")


def _anchor(row: Mapping[str, Any], index: int) -> str:
    target_id = row.get("id")
    return (
        f"t-{target_id}"
        if isinstance(target_id, str) and _TARGET_ID.match(target_id)
        else (f"t-{index}")
    )


def _standard(column: Mapping[str, Any]) -> str:
    return " ".join(str(column[k]) for k in ("standard", "standard_version") if column.get(k))


def _explain(campaign: Mapping[str, Any], targets: Sequence[Mapping[str, Any]], lang: str) -> str:
    t = TEXTS[lang]
    if not targets:
        return t["explain.none"]
    text = t["explain"].format(
        conformant=sum(r.get("verdict") == "conformant" for r in targets), targets=len(targets)
    )
    if campaign.get("verdict") == "error":
        text += " " + t["explain.error"]
    return text


def _since(previous: Mapping[str, Any] | None, summary: Mapping[str, Any], lang: str) -> str | None:
    if previous is None:
        return None
    t = TEXTS[lang]
    head = t["since"].format(
        name=shorten(previous.get("name"), LIMIT_SHORT).value,
        date=format_date(previous.get("finished_at")),
    )
    parts = [
        t[f"{key}_n"].format(n=summary.get(key, 0))
        for key in ("improved", "regressed", "new")
        if is_count(summary.get(key))
    ]
    return f"{head} {', '.join(parts)}"


def _notes(meta: Mapping[str, Any], total: int, lang: str) -> list[str]:
    t = TEXTS[lang]
    notes = []
    if meta.get("interrupted"):
        notes.append(t["interrupted"].format(signal=shorten(meta["interrupted"], 20).value))
    shard = as_mapping(meta.get("shard"))
    if shard:
        notes.append(
            t["shard"].format(
                index=shard.get("index"),
                count=shard.get("count"),
                targets=total,
                total=meta.get("targets_total"),
            )
        )
    return notes


def _meta(
    meta: Mapping[str, Any], columns: Sequence[Mapping[str, Any]], lang: str
) -> list[tuple[str, Text]]:
    t = TEXTS[lang]
    rows = [
        (t["file"], shorten(meta.get("file"), LIMIT_SHORT)),
        (t["date"], Text(format_date(meta.get("started_at")))),
        (t["duration"], Text(format_duration(meta.get("started_at"), meta.get("finished_at")))),
        (t["profiles"], shorten(", ".join(str(c.get("id")) for c in columns), LIMIT_SHORT)),
        (t["tool"], Text(f"cgconform {__version__}")),
    ]
    previous = as_mapping(meta.get("previous"))
    if previous:
        shown = f"{previous.get('name')} ({format_date(previous.get('finished_at'))})"
        rows.append((t["previous"], shorten(shown, LIMIT_SHORT)))
    return rows


def _row(
    row: Mapping[str, Any],
    index: int,
    columns: Sequence[Mapping[str, Any]],
    lang: str,
    with_changes: bool,
) -> RowView:
    reports = as_mapping(row.get("reports"))
    cells_by_id = {as_mapping(c).get("id"): as_mapping(c) for c in as_sequence(row.get("profiles"))}
    organisation = row.get("organisation")
    reason = row.get("reason")
    return RowView(
        anchor=_anchor(row, index),
        name=shorten(row.get("name"), LIMIT_SHORT),
        organisation=shorten(organisation, LIMIT_SHORT) if organisation else None,
        badge=_target_badge(row.get("verdict"), lang),
        href=_report_link(reports.get("html")),
        json_href=_report_link(reports.get("json")),
        cells=[_cell(cells_by_id.get(c.get("id")), lang) for c in columns],
        reason=shorten(reason, LIMIT_TEXT) if reason else None,
        change=_change(as_mapping(row.get("changes")), lang) if with_changes else None,
    )


def _cell(cell: Mapping[str, Any] | None, lang: str) -> CellView:
    if cell is None:
        return CellView(badge=None)
    counts = as_mapping(cell.get("counts"))
    total = sum(v for v in counts.values() if is_count(v)) or 1
    return CellView(
        badge=_target_badge(cell.get("verdict"), lang),
        counts=[
            Count(_verdict_badge(v, lang), counts[v], round(100 * counts[v] / total, 2))
            for v in VERDICTS
            if is_count(counts.get(v)) and counts[v]
        ],
    )


def _change(change: Mapping[str, Any], lang: str) -> ChangeView | None:
    if not change:
        return None
    t = TEXTS[lang]
    trend = change.get("verdict")
    trend = trend if trend in ("better", "worse", "same", "new") else "same"
    previous = change.get("previous_verdict")
    return ChangeView(
        trend=trend,
        label=t[f"trend.{trend}"],
        previous=_target_badge(previous, lang) if previous else None,
        improved=[_change_item(c, lang) for c in as_sequence(change.get("improved"))],
        regressed=[_change_item(c, lang) for c in as_sequence(change.get("regressed"))],
    )


def _change_item(item: Any, lang: str) -> ChangeItem:
    data = as_mapping(item)
    title = as_mapping(data.get("title"))
    return ChangeItem(
        requirement=shorten(data.get("requirement"), LIMIT_SHORT),
        title=shorten(title.get(lang) or title.get("en") or "", LIMIT_SHORT),
        old=_verdict_badge(data["old"], lang) if data.get("old") else None,
        new=_verdict_badge(data["new"], lang) if data.get("new") else None,
    )


def _ranked(
    items: Any, total: int, names: Mapping[str, Text], anchors: Mapping[str, str], lang: str
) -> list[RankedView]:
    views = []
    for raw in as_sequence(items):
        item = as_mapping(raw)
        raw_count = item.get("count")
        count = raw_count if isinstance(raw_count, int) and is_count(raw_count) else 0
        title = as_mapping(item.get("title"))
        ids = [str(x) for x in as_sequence(item.get("targets"))]
        links = [TargetLink(names[i], anchors[i]) for i in ids if i in names]
        views.append(
            RankedView(
                requirement=shorten(item.get("requirement"), LIMIT_SHORT),
                href=link_target(item.get("url")),
                title=shorten(title.get(lang) or title.get("en") or "", LIMIT_SHORT),
                level=shorten(item.get("level"), 20),
                profile=shorten(item.get("profile"), LIMIT_SHORT),
                count=count,
                percent=round(100 * count / total, 2) if total else 0.0,
                targets=links[:TARGETS_SHOWN],
                more_targets=max(0, len(links) - TARGETS_SHOWN),
            )
        )
    return views


def _report_link(value: Any) -> str | None:
    """A relative link into the campaign folder, only of the shape `<target-id>/<file>`."""
    return value if isinstance(value, str) and _REPORT_LINK.match(value) else None


def _target_badge(verdict: Any, lang: str) -> Badge:
    if isinstance(verdict, str) and verdict in RUN_VERDICTS:
        return Badge(verdict, TARGET_VERDICT_LABELS[lang][verdict], RUN_SYMBOLS[verdict])
    return Badge("unknown", shorten(verdict, 40).value or "?", "?")


def _verdict_badge(verdict: Any, lang: str) -> Badge:
    if isinstance(verdict, str) and verdict in VERDICTS:
        return Badge(verdict, VERDICT_LABELS[lang][verdict], VERDICT_SYMBOLS[verdict])
    return Badge("unknown", shorten(verdict, 40).value or "?", "?")


_STYLE = re.compile(r"<style>\n(?P<css>.*?)</style>", re.DOTALL)


@lru_cache(maxsize=1)
def _report_styles() -> str:
    """The report page's stylesheet, so that both pages look alike."""
    env = _environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, "report.html.j2")
    found = _STYLE.search(source)
    if found is None:  # pragma: no cover - a test renders the page
        raise RuntimeError("templates/report.html.j2 has no <style> block to share")
    css = found.group("css")
    if "</" in css:  # pragma: no cover - it is ours, but it goes into the page unescaped
        raise RuntimeError("the report stylesheet holds '</'")
    return css


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("cgconform.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
