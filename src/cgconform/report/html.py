"""The HTML report: one self-contained, bilingual page rendered from report.json.

For a programme lead to read at a glance (the run verdict as a banner, a summary row per
profile) and for a developer to act on (every requirement, its checks and its evidence).

The page is rendered from report.json only and never computes a verdict. Everything in the
report is treated as hostile, because a target under test can put anything in the headers,
bodies and messages it causes:

- every value is turned into a :class:`Text` first: control, format and bidi characters
  (Unicode categories Cc, Cf, Cs, Zl, Zp and non-characters) become visible escapes such
  as ``\\u202e``; long values are shortened (report.json keeps the full text);
- the jinja2 environment escapes every expression (``autoescape=True``, no ``|safe``);
- report data reaches an attribute only as a requirement's ``href``, and only when it is a
  plain ``http(s)`` URL; every other attribute value is fixed by the template;
- the page carries no JavaScript and a Content-Security-Policy that loads nothing from
  anywhere (``default-src 'none'``): inline CSS only, no fonts, images or frames.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from cgconform.model.verdicts import Verdict
from cgconform.report.labels import RUN_SYMBOLS, VERDICT_SYMBOLS

LANGUAGES = ("nl", "en")

# How much of one value the page shows; report.json keeps all of it.
LIMIT_SHORT = 300  # names, ids, titles, levels, header lines
LIMIT_FIRST_LINE = 160  # a message's first line in the table
LIMIT_TEXT = 4000  # messages, reasons, notes, body excerpts
LIMIT_REPRODUCE = 8000  # a curl command: long enough to stay copyable
LIMIT_URL = 2000  # a requirement URL that becomes a link
MAX_HEADERS = 100  # header lines per request or response
MAX_EVIDENCE = 50  # evidence items per result
MAX_CHECKS = 100  # checks per result

VERDICTS: tuple[str, ...] = tuple(v.label for v in sorted(Verdict, reverse=True))  # worst first
RUN_VERDICTS = ("conformant", "not_conformant", "inconclusive", "error")

_SYMBOL = {**VERDICT_SYMBOLS, "unknown": "?"}
_RUN_SYMBOL = RUN_SYMBOLS

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "document_title": "Conformance report",
        "brand": "cgconform conformance report",
        "run_verdict": "Run verdict",
        "unknown_verdict": "unknown verdict",
        "explain.conformant": "Every mandatory requirement passed or is waived.",
        "explain.not_conformant": "At least one mandatory requirement failed.",
        "explain.inconclusive": (
            "No mandatory requirement failed, but not every one could be decided."
        ),
        "explain.error": (
            "The test suite or its configuration failed: this run is invalid and says "
            "nothing about the target."
        ),
        "requirements_total": "requirements",
        "strict": "Strict mode (certification): results that need review block conformance.",
        "run": "Run",
        "target": "Target",
        "base_url": "Base URL",
        "spec": "Specification",
        "tool": "Tool",
        "date": "Date",
        "duration": "Duration",
        "run_id": "Run id",
        "seed": "Seed",
        "requests": "Requests sent / budget",
        "refused": "refused by the budget",
        "command": "Command",
        "statement": "Conformance statement of the target",
        "none": "none",
        "unlimited": "unlimited",
        "profiles": "Profiles",
        "profile": "Profile",
        "standard": "Standard",
        "verdict": "Verdict",
        "results": "Results",
        "requirements": "Requirements",
        "requirements_caption": "Requirements of profile {profile}, the worst verdicts first",
        "requirement": "Requirement",
        "level": "Level",
        "title": "Title",
        "message": "Message",
        "details": "Details",
        "reason": "Reason",
        "automation": "Automation",
        "waiver": "Waiver",
        "waived": "waived",
        "waiver_note": (
            "Waived: this result does not block conformance; its verdict is shown unchanged."
        ),
        "owner": "Owner",
        "expires": "Expires",
        "checks": "Checks",
        "check": "Check",
        "evidence": "Evidence",
        "request": "Request",
        "response": "Response",
        "reproduce": "Reproduce with curl",
        "error": "Error",
        "document": "Document location",
        "pointer": "JSON pointer",
        "value": "Value",
        "note": "Note",
        "shortened": "shortened: {n} more characters in report.json",
        "more_items": "{n} more in report.json",
        "no_results": "This profile has no results.",
        "footer": (
            "Rendered from report.json by {tool} {version}. report.json is the authoritative "
            "record; long values are shortened on this page, and control characters are shown "
            "as escapes such as \\u202e."
        ),
    },
    "nl": {
        "document_title": "Conformiteitsrapport",
        "brand": "cgconform conformiteitsrapport",
        "run_verdict": "Eindoordeel",
        "unknown_verdict": "onbekend oordeel",
        "explain.conformant": "Alle verplichte eisen voldoen of hebben een ontheffing.",
        "explain.not_conformant": "Minstens één verplichte eis voldoet niet.",
        "explain.inconclusive": (
            "Geen verplichte eis voldoet niet, maar niet over elke eis kon worden beslist."
        ),
        "explain.error": (
            "De testsuite of haar configuratie faalde: deze run is ongeldig en zegt niets "
            "over het geteste systeem."
        ),
        "requirements_total": "eisen",
        "strict": (
            "Strikte modus (certificering): resultaten die beoordeling nodig hebben "
            "blokkeren conformiteit."
        ),
        "run": "Run",
        "target": "Getest systeem",
        "base_url": "Basis-URL",
        "spec": "Specificatie",
        "tool": "Tool",
        "date": "Datum",
        "duration": "Duur",
        "run_id": "Run-id",
        "seed": "Seed",
        "requests": "Verzonden verzoeken / budget",
        "refused": "geweigerd door het budget",
        "command": "Commando",
        "statement": "Conformiteitsverklaring van het geteste systeem",
        "none": "geen",
        "unlimited": "onbeperkt",
        "profiles": "Profielen",
        "profile": "Profiel",
        "standard": "Standaard",
        "verdict": "Oordeel",
        "results": "Resultaten",
        "requirements": "Eisen",
        "requirements_caption": "Eisen van profiel {profile}, de slechtste oordelen eerst",
        "requirement": "Eis",
        "level": "Niveau",
        "title": "Titel",
        "message": "Melding",
        "details": "Details",
        "reason": "Reden",
        "automation": "Automatisering",
        "waiver": "Ontheffing",
        "waived": "ontheffing",
        "waiver_note": (
            "Ontheffing: dit resultaat blokkeert de conformiteit niet; het oordeel staat er "
            "ongewijzigd."
        ),
        "owner": "Eigenaar",
        "expires": "Verloopt",
        "checks": "Controles",
        "check": "Controle",
        "evidence": "Bewijs",
        "request": "Verzoek",
        "response": "Antwoord",
        "reproduce": "Reproduceren met curl",
        "error": "Fout",
        "document": "Plaats in het document",
        "pointer": "JSON-pointer",
        "value": "Waarde",
        "note": "Toelichting",
        "shortened": "ingekort: nog {n} tekens in report.json",
        "more_items": "nog {n} in report.json",
        "no_results": "Dit profiel heeft geen resultaten.",
        "footer": (
            "Gemaakt uit report.json door {tool} {version}. report.json is het gezaghebbende "
            "verslag; lange waarden zijn op deze pagina ingekort en stuurtekens staan er als "
            "escape, zoals \\u202e."
        ),
    },
}

VERDICT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "pass": "pass",
        "fail": "fail",
        "warning": "warning",
        "inconclusive": "inconclusive",
        "not_applicable": "not applicable",
        "not_tested": "not tested",
        "needs_review": "needs review",
        "error": "error",
    },
    "nl": {
        "pass": "voldoet",
        "fail": "voldoet niet",
        "warning": "waarschuwing",
        "inconclusive": "onbeslist",
        "not_applicable": "niet van toepassing",
        "not_tested": "niet getest",
        "needs_review": "beoordeling nodig",
        "error": "fout",
    },
}

RUN_VERDICT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "conformant": "Conformant",
        "not_conformant": "Not conformant",
        "inconclusive": "Inconclusive",
        "error": "Error (run invalid)",
    },
    "nl": {
        "conformant": "Conform",
        "not_conformant": "Niet conform",
        "inconclusive": "Onbeslist",
        "error": "Fout (run ongeldig)",
    },
}

PLURALS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "checks": ("{n} check", "{n} checks"),
        "evidence": ("{n} evidence item", "{n} evidence items"),
        "pending_review": (
            "{n} result awaits review by a person",
            "{n} results await review by a person",
        ),
        "waived": ("{n} result is waived", "{n} results are waived"),
    },
    "nl": {
        "checks": ("{n} controle", "{n} controles"),
        "evidence": ("{n} bewijsstuk", "{n} bewijsstukken"),
        "pending_review": (
            "{n} resultaat wacht op beoordeling door een persoon",
            "{n} resultaten wachten op beoordeling door een persoon",
        ),
        "waived": ("{n} resultaat heeft een ontheffing", "{n} resultaten hebben een ontheffing"),
    },
}

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_URL = re.compile(r"https?://[^\s\"'<>`\\{}|^]+", re.IGNORECASE)


@dataclass(frozen=True)
class Text:
    """A value from the report, cleaned for display: ``omitted`` characters were cut off."""

    value: str
    omitted: int = 0

    def __bool__(self) -> bool:
        return bool(self.value) or self.omitted > 0


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
class HttpMessage:
    """A request or response as an HTTP message: a start line, header lines, a body."""

    start: Text
    headers: list[Text]
    more_headers: int
    body: Text


@dataclass(frozen=True)
class EvidenceView:
    request: HttpMessage | None = None
    response: HttpMessage | None = None
    reproduce: Text | None = None
    error: Text | None = None
    location: Text | None = None
    pointer: Text | None = None
    value: Text | None = None
    note: Text | None = None


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


def render_html(report: Mapping[str, Any], *, lang: str = "en") -> str:
    """The HTML page for ``report`` (a report.json mapping) in ``lang`` (``nl`` or ``en``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    template = _environment().get_template("report.html.j2")
    return template.render(_page(report, lang))


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


# --- cleaning ------------------------------------------------------------------------------


def clean(value: Any, *, multiline: bool = False) -> str:
    """``value`` as display text: control, format and bidi characters as visible escapes.

    Tabs stay; newlines stay when ``multiline`` (CRLF becomes LF), else they are escaped too.
    """
    text = value if isinstance(value, str) else _stringify(value)
    if multiline:
        text = text.replace("\r\n", "\n")
    out: list[str] = []
    for char in text:
        if char == "\t" or (char == "\n" and multiline):
            out.append(char)
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES or _noncharacter(char):
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


def shorten(value: Any, limit: int, *, multiline: bool = False) -> Text:
    """``value`` cleaned and cut to ``limit`` characters (counted before cleaning)."""
    text = value if isinstance(value, str) else _stringify(value)
    omitted = max(0, len(text) - limit)
    if omitted:
        text = text[:limit]
    return Text(clean(text, multiline=multiline), omitted)


def link_target(url: Any) -> str | None:
    """``url`` when it is a plain absolute ``http``/``https`` URL that may become a link."""
    if not isinstance(url, str) or len(url) > LIMIT_URL or not _URL.fullmatch(url):
        return None
    if clean(url) != url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _stringify(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# --- the page model ------------------------------------------------------------------------


def _page(report: Mapping[str, Any], lang: str) -> dict[str, Any]:
    texts = TEXTS[lang]
    tool = _mapping(report.get("tool"))
    run = _mapping(report.get("run"))
    target = _mapping(report.get("target"))
    results = [r for r in _sequence(report.get("results")) if isinstance(r, Mapping)]
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
        ),
        "totals": [
            Count(_badge(key, lang), totals[key], 0.0) for key in VERDICTS if totals.get(key)
        ],
        "meta": _meta(tool, run, target, lang),
        "statement": _statement(statement),
        "profiles": profiles,
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
        text = _stringify(statement)
    return shorten(text, LIMIT_TEXT, multiline=True)


def _notes(*, pending: int, waived: int, strict: bool, lang: str) -> list[str]:
    texts = TEXTS[lang]
    notes: list[str] = []
    if pending:
        notes.append(_plural(lang, "pending_review", pending) + ".")
    if waived:
        notes.append(_plural(lang, "waived", waived) + ".")
    if strict:
        notes.append(texts["strict"])
    return notes


def _meta(
    tool: Mapping[str, Any], run: Mapping[str, Any], target: Mapping[str, Any], lang: str
) -> list[tuple[str, Text, str, bool]]:
    texts = TEXTS[lang]
    none = Text(texts["none"])
    budget = _mapping(run.get("budget"))
    max_requests = budget.get("max_requests")
    sent = f"{_number(budget.get('requests_sent'))} / " + (
        texts["unlimited"] if max_requests is None else _number(max_requests)
    )
    refused = budget.get("requests_refused")
    if _is_count(refused) and refused:
        sent += f" ({refused} {texts['refused']})"
    started, finished = run.get("started_at"), run.get("finished_at")
    rows: list[tuple[str, Text, str, bool]] = [
        ("base_url", shorten(target.get("base_url"), LIMIT_SHORT) or none, "wide", False),
        ("spec", shorten(target.get("spec"), LIMIT_SHORT) or none, "wide", False),
        ("date", Text(_date(started)), "", False),
        ("duration", Text(_duration(started, finished)), "", False),
        ("requests", Text(sent), "", False),
        ("seed", shorten(run.get("seed"), LIMIT_SHORT) or none, "", False),
        ("run_id", shorten(run.get("id"), LIMIT_SHORT), "wide", True),
        ("tool", shorten(_join(tool.get("name"), tool.get("version")), LIMIT_SHORT), "", False),
        ("command", shorten(run.get("command"), LIMIT_TEXT), "full", True),
    ]
    return [(texts[key], value, wide, mono) for key, value, wide, mono in rows if value]


def _profiles(
    report: Mapping[str, Any], results: Sequence[Mapping[str, Any]], lang: str
) -> list[ProfileView]:
    views: dict[str, ProfileView] = {}
    for raw in _sequence(report.get("profiles")):
        if not isinstance(raw, Mapping):
            continue
        pid = _stringify(raw.get("id"))
        if pid in views:
            continue
        title = _mapping(raw.get("title")).get(lang)
        counts = _counts(_mapping(raw.get("counts")), lang)
        views[pid] = ProfileView(
            anchor=f"profile-{len(views) + 1}",
            id=shorten(pid, LIMIT_SHORT),
            title=shorten(title, LIMIT_SHORT) if title else None,
            standard=shorten(_join(raw.get("standard"), raw.get("standard_version")), LIMIT_SHORT),
            badge=_run_badge(raw.get("verdict"), lang),
            counts=counts,
            total=sum(c.count for c in counts),
        )
    ordered = sorted(enumerate(results), key=lambda item: (_rank(item[1]), item[0]))
    for _, result in ordered:
        pid = _stringify(result.get("profile"))
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
    known = [(key, counts[key]) for key in VERDICTS if _is_count(counts.get(key))]
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
    title = _mapping(result.get("title"))
    raw_waiver = result.get("waiver")
    waiver = None
    if isinstance(raw_waiver, Mapping):
        waiver = WaiverView(
            reason=shorten(raw_waiver.get("reason"), LIMIT_TEXT, multiline=True),
            owner=shorten(raw_waiver.get("owner"), LIMIT_SHORT),
            expires=shorten(raw_waiver.get("expires"), LIMIT_SHORT),
        )
    checks = [c for c in _sequence(result.get("checks")) if isinstance(c, Mapping)]
    evidence = [e for e in _sequence(result.get("evidence")) if isinstance(e, Mapping)]
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
            _join(result.get("standard"), result.get("standard_version")), LIMIT_SHORT
        ),
        waiver=waiver,
        checks=[_check(c, lang) for c in checks[:MAX_CHECKS]],
        more_checks=max(0, len(checks) - MAX_CHECKS),
        evidence=[_evidence(e) for e in evidence[:MAX_EVIDENCE]],
        more_evidence=max(0, len(evidence) - MAX_EVIDENCE),
        summary=[
            _plural(lang, key, n)
            for key, n in (("checks", len(checks)), ("evidence", len(evidence)))
            if n
        ],
    )


def _plural(lang: str, key: str, n: int) -> str:
    one, many = PLURALS[lang][key]
    return (one if n == 1 else many).format(n=n)


def _summary_line(line: str) -> Text:
    """A first line for the table: cut with an ellipsis (the details hold the full text)."""
    text = shorten(line, LIMIT_FIRST_LINE)
    return Text(text.value + "…") if text.omitted else text


def _first_line(value: Any) -> str:
    text = value if isinstance(value, str) else _stringify(value)
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _check(check: Mapping[str, Any], lang: str) -> CheckView:
    duration = check.get("duration_s")
    return CheckView(
        name=shorten(check.get("name"), LIMIT_SHORT),
        badge=_badge(check.get("verdict"), lang),
        duration=_seconds(duration),
        message=shorten(check.get("message"), LIMIT_TEXT, multiline=True),
    )


def _evidence(item: Mapping[str, Any]) -> EvidenceView:
    request = item.get("request")
    response = item.get("response")
    document = item.get("document")
    location = pointer = value = None
    if isinstance(document, Mapping):
        where = _stringify(document.get("source"))
        line, column = document.get("line"), document.get("column")
        if _is_count(line):
            where += f":{line}" + (f":{column}" if _is_count(column) else "")
        location = shorten(where, LIMIT_SHORT)
        pointer = shorten(document.get("pointer"), LIMIT_SHORT)
        if document.get("value_excerpt"):
            value = shorten(document.get("value_excerpt"), LIMIT_TEXT, multiline=True)
    return EvidenceView(
        request=_request(request) if isinstance(request, Mapping) else None,
        response=_response(response) if isinstance(response, Mapping) else None,
        reproduce=(
            shorten(item["reproduce"], LIMIT_REPRODUCE, multiline=True)
            if item.get("reproduce")
            else None
        ),
        error=shorten(item["error"], LIMIT_TEXT, multiline=True) if item.get("error") else None,
        location=location,
        pointer=pointer,
        value=value,
        note=shorten(item["note"], LIMIT_TEXT, multiline=True) if item.get("note") else None,
    )


def _request(request: Mapping[str, Any]) -> HttpMessage:
    start = f"{_stringify(request.get('method'))} {_stringify(request.get('url'))}"
    return _message(start, request)


def _response(response: Mapping[str, Any]) -> HttpMessage:
    start = f"HTTP {_stringify(response.get('status'))}"
    elapsed = response.get("elapsed_s")
    if _is_number(elapsed):
        start += f"  ({_seconds(elapsed)})"
    return _message(start, response)


def _message(start: str, message: Mapping[str, Any]) -> HttpMessage:
    lines = list(_header_lines(message.get("headers")))
    return HttpMessage(
        start=shorten(start, LIMIT_TEXT),
        headers=[shorten(line, LIMIT_TEXT) for line in lines[:MAX_HEADERS]],
        more_headers=max(0, len(lines) - MAX_HEADERS),
        body=shorten(message.get("body_excerpt"), LIMIT_TEXT, multiline=True),
    )


def _header_lines(headers: Any) -> Iterable[str]:
    if not isinstance(headers, Mapping):
        return
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            yield f"{_stringify(name)}: {_stringify(one)}"


# --- small formatters ----------------------------------------------------------------------


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


def _join(*values: Any) -> str:
    return " ".join(text for text in map(_stringify, values) if text)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else []


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _number(value: Any) -> str:
    return str(value) if _is_count(value) else "?"


def _seconds(value: Any) -> str:
    if not _is_number(value):
        return ""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.1f} s"


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None


def _date(value: Any) -> str:
    moment = _parse_time(value)
    if moment is None:
        return clean(value)[:LIMIT_SHORT]
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    offset = moment.utcoffset()
    if offset is not None and not offset:
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC%z")


def _duration(start: Any, end: Any) -> str:
    first, last = _parse_time(start), _parse_time(end)
    if first is None or last is None or (first.tzinfo is None) != (last.tzinfo is None):
        return ""
    seconds = (last - first).total_seconds()
    if seconds < 0:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min {rest} s"
    if minutes:
        return f"{minutes} min {rest} s"
    return f"{seconds:.1f} s"
