"""The view model of the HTML page: report.json read into what the template shows.

The page never computes a verdict: it shows the ones report.json holds, translated, and says
so when one is not a verdict it knows. Results are ordered worst verdict first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cgconform.model.verdicts import Verdict
from cgconform.report.html_chain import chain_picture
from cgconform.report.html_coverage import coverage_view
from cgconform.report.html_evidence import EvidenceView, evidence_view
from cgconform.report.html_text import (
    LIMIT_FIRST_LINE,
    LIMIT_SHORT,
    LIMIT_TEXT,
    MAX_CHECKS,
    MAX_EVIDENCE,
    Text,
    as_mapping,
    as_sequence,
    format_count,
    format_date,
    format_duration,
    format_seconds,
    is_count,
    joined,
    link_target,
    shorten,
    stringify,
)
from cgconform.report.html_translations import (
    RUN_VERDICT_LABELS,
    TEXTS,
    VERDICT_LABELS,
    plural,
)
from cgconform.report.labels import RUN_SYMBOLS, VERDICT_SYMBOLS

VERDICTS: tuple[str, ...] = tuple(v.label for v in sorted(Verdict, reverse=True))  # worst first
RUN_VERDICTS = ("conformant", "not_conformant", "inconclusive", "error")

_SYMBOL = {**VERDICT_SYMBOLS, "unknown": "?"}
_RUN_SYMBOL = RUN_SYMBOLS


@dataclass(frozen=True)
class Badge:
    """A verdict as a CSS key from a fixed set, a translated label and a symbol."""

    key: str
    label: str
    symbol: str


@dataclass(frozen=True)
class Count:
    badge: Badge
    count: int
    percent: float


@dataclass(frozen=True)
class CheckView:
    name: Text
    badge: Badge
    duration: str
    message: Text


@dataclass(frozen=True)
class WaiverView:
    reason: Text
    owner: Text
    expires: Text


@dataclass(frozen=True)
class ResultView:
    badge: Badge
    requirement: Text
    href: str | None
    level: Text
    title: Text
    first_line: Text
    message: Text
    reason: Text | None
    automation: Text | None
    standard: Text
    waiver: WaiverView | None
    checks: list[CheckView]
    more_checks: int
    evidence: list[EvidenceView]
    more_evidence: int
    summary: list[str]


@dataclass
class ProfileView:
    anchor: str
    id: Text
    title: Text | None
    standard: Text
    badge: Badge
    counts: list[Count] = field(default_factory=list)
    total: int = 0
    results: list[ResultView] = field(default_factory=list)


def page_context(report: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """What the template shows for `report` (a report.json mapping) in `lang`."""
    texts = TEXTS[lang]
    tool = as_mapping(report.get("tool"))
    run = as_mapping(report.get("run"))
    target = as_mapping(report.get("target"))
    results = [r for r in as_sequence(report.get("results")) if isinstance(r, Mapping)]
    profiles = _profiles(report, results, lang)
    totals: dict[str, int] = {}
    for profile in profiles:
        for count in profile.counts:
            totals[count.badge.key] = totals.get(count.badge.key, 0) + count.count
    statement = target.get("statement")
    return {
        "lang": lang,
        "t": texts,
        "target_name": shorten(target.get("name") or "?", LIMIT_SHORT),
        "run_badge": _run_badge(report.get("verdict"), lang),
        "explain": texts.get(f"explain.{_run_key(report.get('verdict'))}", ""),
        "requirements_total": sum(p.total for p in profiles),
        "notes": _notes(
            pending=totals.get("needs_review", 0),
            waived=sum(1 for r in results if isinstance(r.get("waiver"), Mapping)),
            strict=run.get("strict") is True,
            lang=lang,
            stopped=_stopped(run, lang),
        ),
        "totals": [
            Count(_badge(key, lang), totals[key], 0.0) for key in VERDICTS if totals.get(key)
        ],
        "meta": _meta(tool, run, target, lang),
        "statement": _statement(statement),
        "profiles": profiles,
        # --- chain picture (html_chain.py) ---
        "chain": chain_picture(results, lang),
        # --- end chain picture ---
        # --- coverage of sectioned texts (html_coverage.py) ---
        "coverage": [text.as_dict() for text in coverage_view(report)],
        # --- end coverage ---
        "footer": texts["footer"].format(
            tool=shorten(tool.get("name") or "cgconform", 100).value,
            version=shorten(tool.get("version"), 100).value,
        ),
    }


def _statement(statement: Any) -> Text | None:
    """The target's conformance statement as indented JSON (or as it is, when not JSON)."""
    if not statement:
        return None
    try:
        text = json.dumps(statement, indent=2, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError, RecursionError):
        text = stringify(statement)
    return shorten(text, LIMIT_TEXT, multiline=True)


def _stopped(run: Mapping[str, Any], lang: str) -> str | None:
    """A signal or the deadline stopped the run (report.json `run.interrupted`,
    `run.deadline.passed_at`): a partial report."""
    texts = TEXTS[lang]
    interrupted = as_mapping(run.get("interrupted"))
    if interrupted:
        return texts["interrupted"].format(
            signal=shorten(interrupted.get("signal"), LIMIT_SHORT).value,
            at=format_date(interrupted.get("at")),
        )
    deadline = as_mapping(run.get("deadline"))
    if deadline.get("passed_at") is not None:
        seconds = deadline.get("seconds")
        return texts["deadline_passed"].format(
            seconds=f"{seconds:g}" if isinstance(seconds, int | float) else "?",
            at=format_date(deadline.get("passed_at")),
        )
    return None


def _notes(
    *, pending: int, waived: int, strict: bool, lang: str, stopped: str | None = None
) -> list[str]:
    texts = TEXTS[lang]
    notes: list[str] = [stopped] if stopped else []
    if pending:
        notes.append(plural(lang, "pending_review", pending) + ".")
    if waived:
        notes.append(plural(lang, "waived", waived) + ".")
    if strict:
        notes.append(texts["strict"])
    return notes


def _meta(
    tool: Mapping[str, Any], run: Mapping[str, Any], target: Mapping[str, Any], lang: str
) -> list[tuple[str, Text, str, bool]]:
    texts = TEXTS[lang]
    none = Text(texts["none"])
    budget = as_mapping(run.get("budget"))
    max_requests = budget.get("max_requests")
    sent = f"{format_count(budget.get('requests_sent'))} / " + (
        texts["unlimited"] if max_requests is None else format_count(max_requests)
    )
    refused = budget.get("requests_refused")
    if is_count(refused) and refused:
        sent += f" ({refused} {texts['refused']})"
    started, finished = run.get("started_at"), run.get("finished_at")
    rows: list[tuple[str, Text, str, bool]] = [
        ("base_url", shorten(target.get("base_url"), LIMIT_SHORT) or none, "wide", False),
        ("spec", shorten(target.get("spec"), LIMIT_SHORT) or none, "wide", False),
        ("date", Text(format_date(started)), "", False),
        ("duration", Text(format_duration(started, finished)), "", False),
        ("requests", Text(sent), "", False),
        ("seed", shorten(run.get("seed"), LIMIT_SHORT) or none, "", False),
        ("run_id", shorten(run.get("id"), LIMIT_SHORT), "wide", True),
        ("tool", shorten(joined(tool.get("name"), tool.get("version")), LIMIT_SHORT), "", False),
        ("command", shorten(run.get("command"), LIMIT_TEXT), "full", True),
    ]
    return [(texts[key], value, wide, mono) for key, value, wide, mono in rows if value]


def _profiles(
    report: Mapping[str, Any], results: Sequence[Mapping[str, Any]], lang: str
) -> list[ProfileView]:
    views: dict[str, ProfileView] = {}
    for raw in as_sequence(report.get("profiles")):
        if not isinstance(raw, Mapping):
            continue
        pid = stringify(raw.get("id"))
        if pid in views:
            continue
        title = as_mapping(raw.get("title")).get(lang)
        counts = _counts(as_mapping(raw.get("counts")), lang)
        views[pid] = ProfileView(
            anchor=f"profile-{len(views) + 1}",
            id=shorten(pid, LIMIT_SHORT),
            title=shorten(title, LIMIT_SHORT) if title else None,
            standard=shorten(joined(raw.get("standard"), raw.get("standard_version")), LIMIT_SHORT),
            badge=_run_badge(raw.get("verdict"), lang),
            counts=counts,
            total=sum(c.count for c in counts),
        )
    ordered = sorted(enumerate(results), key=lambda item: (_rank(item[1]), item[0]))
    for _, result in ordered:
        pid = stringify(result.get("profile"))
        if pid not in views:  # a result of a profile the report does not list
            views[pid] = ProfileView(
                anchor=f"profile-{len(views) + 1}",
                id=shorten(pid, LIMIT_SHORT),
                title=None,
                standard=shorten(result.get("standard"), LIMIT_SHORT),
                badge=_run_badge(None, lang),
            )
        views[pid].results.append(_result(result, lang))
    return list(views.values())


def _counts(counts: Mapping[str, Any], lang: str) -> list[Count]:
    known = [(key, counts[key]) for key in VERDICTS if is_count(counts.get(key))]
    total = sum(n for _, n in known)
    return [
        Count(_badge(key, lang), n, (n * 100_000 // total) / 1000)  # integers: no overflow
        for key, n in known
        if n > 0
    ]


def _rank(result: Mapping[str, Any]) -> tuple[int, int]:
    """Sort key: the worst verdict first (unknown ones before all), waived after unwaived."""
    verdict = result.get("verdict")
    rank = VERDICTS.index(verdict) if isinstance(verdict, str) and verdict in VERDICTS else -1
    return rank, 1 if isinstance(result.get("waiver"), Mapping) else 0


def _result(result: Mapping[str, Any], lang: str) -> ResultView:
    message = result.get("message")
    reason = result.get("reason")
    first = _first_line(message) or _first_line(reason)
    title = as_mapping(result.get("title"))
    raw_waiver = result.get("waiver")
    waiver = None
    if isinstance(raw_waiver, Mapping):
        waiver = WaiverView(
            reason=shorten(raw_waiver.get("reason"), LIMIT_TEXT, multiline=True),
            owner=shorten(raw_waiver.get("owner"), LIMIT_SHORT),
            expires=shorten(raw_waiver.get("expires"), LIMIT_SHORT),
        )
    checks = [c for c in as_sequence(result.get("checks")) if isinstance(c, Mapping)]
    evidence = [e for e in as_sequence(result.get("evidence")) if isinstance(e, Mapping)]
    automation = result.get("automation")
    return ResultView(
        badge=_badge(result.get("verdict"), lang),
        requirement=shorten(result.get("requirement"), LIMIT_SHORT),
        href=link_target(result.get("url")),
        level=shorten(result.get("level"), LIMIT_SHORT),
        title=shorten(title.get(lang) or title.get("en") or title.get("nl"), LIMIT_SHORT),
        first_line=_summary_line(first),
        message=shorten(message, LIMIT_TEXT, multiline=True),
        reason=shorten(reason, LIMIT_TEXT, multiline=True) if reason else None,
        automation=shorten(automation, LIMIT_SHORT) if automation else None,
        standard=shorten(
            joined(result.get("standard"), result.get("standard_version")), LIMIT_SHORT
        ),
        waiver=waiver,
        checks=[_check(c, lang) for c in checks[:MAX_CHECKS]],
        more_checks=max(0, len(checks) - MAX_CHECKS),
        evidence=[evidence_view(e) for e in evidence[:MAX_EVIDENCE]],
        more_evidence=max(0, len(evidence) - MAX_EVIDENCE),
        summary=[
            plural(lang, key, n)
            for key, n in (("checks", len(checks)), ("evidence", len(evidence)))
            if n
        ],
    )


def _summary_line(line: str) -> Text:
    """A first line for the table: cut with an ellipsis (the details hold the full text)."""
    text = shorten(line, LIMIT_FIRST_LINE)
    return Text(text.value + "…") if text.omitted else text


def _first_line(value: Any) -> str:
    text = value if isinstance(value, str) else stringify(value)
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _check(check: Mapping[str, Any], lang: str) -> CheckView:
    duration = check.get("duration_s")
    return CheckView(
        name=shorten(check.get("name"), LIMIT_SHORT),
        badge=_badge(check.get("verdict"), lang),
        duration=format_seconds(duration),
        message=shorten(check.get("message"), LIMIT_TEXT, multiline=True),
    )


# --- badges --------------------------------------------------------------------------------


def _badge(verdict: Any, lang: str) -> Badge:
    if isinstance(verdict, str) and verdict in VERDICTS:
        return Badge(verdict, VERDICT_LABELS[lang][verdict], _SYMBOL[verdict])
    return Badge("unknown", _unknown(verdict, lang), _SYMBOL["unknown"])


def _unknown(verdict: Any, lang: str) -> str:
    """The label of a verdict report.json should not hold: said so, with the value shown."""
    text = shorten(verdict, 60)
    return f"{TEXTS[lang]['unknown_verdict']}: {text.value}{'…' if text.omitted else ''}"


def _run_key(verdict: Any) -> str:
    return verdict if isinstance(verdict, str) and verdict in RUN_VERDICTS else "unknown"


def _run_badge(verdict: Any, lang: str) -> Badge:
    key = _run_key(verdict)
    if key == "unknown":
        return Badge(key, _unknown(verdict, lang), "?")
    return Badge(key, RUN_VERDICT_LABELS[lang][key], _RUN_SYMBOL[key])
