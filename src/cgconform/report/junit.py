"""JUnit XML rendered from report.json, for CI test-report views (GitLab, GitHub, Jenkins).

One ``<testsuite>`` per profile and one ``<testcase>`` per requirement result (not per check):
a requirement is what a reviewer signs off, and its checks are listed in the text.

=====================================  ==================================================
verdict                                JUnit
=====================================  ==================================================
``fail``                               ``<failure type="fail">``, evidence and curl lines
``error``                              ``<error type="error">``
``inconclusive``, ``not_tested``,      ``<skipped message="<verdict>: <reason>">``
``not_applicable``
``fail`` with a waiver                 ``<skipped message="waived fail: ...">`` (a waived
                                       result does not block, DESIGN.md §4)
``pass``, ``warning``,                 passing; warning and needs_review text, and what a
``needs_review``                       pass with a message exercised, in ``<system-out>``
=====================================  ==================================================

Everything the target could influence is escaped by ElementTree; characters XML 1.0 cannot
carry at all (NUL, ESC, lone surrogates, ...) are written as visible ``\\xNN`` escapes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cgconform.model.verdicts import Verdict

_SKIPPED = frozenset({Verdict.INCONCLUSIVE, Verdict.NOT_TESTED, Verdict.NOT_APPLICABLE})
_WITH_OUTPUT = frozenset({Verdict.WARNING, Verdict.NEEDS_REVIEW})
_MAX_ATTRIBUTE = 1000
_MAX_BODY_EXCERPT = 2000

# Everything outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets).
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by a visible escape."""
    return _ILLEGAL_XML.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def render_junit(report: Mapping[str, Any]) -> str:
    """The JUnit XML document for ``report`` (a report.json mapping), as a string."""
    return render_junit_many([report])


def render_junit_many(reports: Sequence[Mapping[str, Any]]) -> str:
    """One JUnit document for several reports (`cgconform lint` on several documents): a
    testsuite per profile per report, named after the target when there is more than one."""
    root = ET.Element("testsuites", {"name": "cgconform"})
    totals = _Totals()
    duration_total = 0.0
    for report in reports:
        results: Sequence[Mapping[str, Any]] = report.get("results", [])
        profiles = {p["id"]: p for p in report.get("profiles", [])}
        grouped: dict[str, list[Mapping[str, Any]]] = {pid: [] for pid in profiles}
        for result in results:
            grouped.setdefault(str(result.get("profile", "")), []).append(result)
        target = str(report.get("target", {}).get("name", ""))
        for pid, members in grouped.items():
            suite, suite_totals = _testsuite(report, pid, profiles.get(pid, {}), members)
            if len(reports) > 1:
                suite.set("name", xml_safe(f"{pid} — {target}"))
            root.append(suite)
            totals.add(suite_totals)
        run = report.get("run", {})
        duration = _seconds_between(run.get("started_at"), run.get("finished_at"))
        duration_total += totals.time if duration is None else duration
    totals.write(root)
    root.set("time", _fmt_time(duration_total))

    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


class _Totals:
    def __init__(self) -> None:
        self.tests = self.failures = self.errors = self.skipped = 0
        self.time = 0.0

    def add(self, other: _Totals) -> None:
        self.tests += other.tests
        self.failures += other.failures
        self.errors += other.errors
        self.skipped += other.skipped
        self.time += other.time

    def write(self, element: ET.Element) -> None:
        element.set("tests", str(self.tests))
        element.set("failures", str(self.failures))
        element.set("errors", str(self.errors))
        element.set("skipped", str(self.skipped))
        element.set("time", _fmt_time(self.time))


def _testsuite(
    report: Mapping[str, Any],
    pid: str,
    profile: Mapping[str, Any],
    results: Sequence[Mapping[str, Any]],
) -> tuple[ET.Element, _Totals]:
    suite = ET.Element("testsuite", {"name": xml_safe(pid)})
    started = report.get("run", {}).get("started_at")
    if isinstance(started, str):
        suite.set("timestamp", xml_safe(started))
    _properties(
        suite,
        {
            "standard": profile.get("standard"),
            "standard_version": profile.get("standard_version"),
            "profile_verdict": profile.get("verdict"),
            "run_verdict": report.get("verdict"),
            "run_id": report.get("run", {}).get("id"),
            "target": report.get("target", {}).get("name"),
        },
    )
    totals = _Totals()
    for result in results:
        suite.append(_testcase(pid, result, totals))
    totals.write(suite)
    return suite, totals


def _testcase(pid: str, result: Mapping[str, Any], totals: _Totals) -> ET.Element:
    verdict = _verdict(result.get("verdict"))
    requirement = str(result.get("requirement", ""))
    title = _title(result)
    waiver: Mapping[str, Any] | None = result.get("waiver")
    time = sum(float(c.get("duration_s", 0.0)) for c in result.get("checks", []))

    case = ET.Element(
        "testcase",
        {
            "classname": xml_safe(pid),
            "name": xml_safe(f"{requirement} — {title}" if title else requirement),
            "time": _fmt_time(time),
        },
    )
    _properties(
        case,
        {
            "requirement": requirement,
            "profile": result.get("profile"),
            "standard": result.get("standard"),
            "level": result.get("level"),
            "verdict": result.get("verdict"),
            "url": result.get("url"),
            "waived": "true" if waiver else None,
        },
    )
    totals.tests += 1
    totals.time += time
    message = str(result.get("message", ""))
    reason = str(result.get("reason", ""))

    if verdict is None:  # an invalid report: say so rather than pass silently
        totals.errors += 1
        _child(case, "error", f"unknown verdict {result.get('verdict')!r}", type="error")
    elif verdict is Verdict.FAIL and waiver:
        totals.skipped += 1
        skipped = _child(case, "skipped", "waived fail: " + _waiver_text(waiver))
        skipped.text = xml_safe(_details(result))
    elif verdict is Verdict.FAIL:
        totals.failures += 1
        failure = _child(case, "failure", message or "fail", type="fail")
        failure.text = xml_safe(_details(result))
    elif verdict is Verdict.ERROR:
        totals.errors += 1
        error = _child(case, "error", message or "error", type="error")
        error.text = xml_safe(_details(result))
    elif verdict in _SKIPPED:
        totals.skipped += 1
        skipped = _child(case, "skipped", _summary(verdict.label, reason or message))
        if reason and message:
            skipped.text = xml_safe(message)
    elif verdict in _WITH_OUTPUT:
        out = ET.SubElement(case, "system-out")
        text = "\n\n".join(filter(None, [message, _details(result, message=False)]))
        out.text = xml_safe(f"{verdict.label}: {text}" if text else verdict.label)
    elif verdict is Verdict.PASS and message:  # what the check exercised to pass
        ET.SubElement(case, "system-out").text = xml_safe(f"pass: {message}")
    return case


def _summary(label: str, text: str) -> str:
    return f"{label}: {text}" if text else label


def _verdict(label: Any) -> Verdict | None:
    try:
        return Verdict.parse(str(label))
    except ValueError:
        return None


def _title(result: Mapping[str, Any]) -> str:
    title = result.get("title")
    if isinstance(title, Mapping):
        return str(title.get("en") or title.get("nl") or "")
    return ""


def _child(parent: ET.Element, tag: str, message: str, **attrs: str) -> ET.Element:
    attrib = {"message": xml_safe(_clip(message, _MAX_ATTRIBUTE))}
    attrib.update({k: xml_safe(v) for k, v in attrs.items()})
    return ET.SubElement(parent, tag, attrib)


def _properties(parent: ET.Element, values: Mapping[str, Any]) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in values.items():
        if value is not None:
            ET.SubElement(props, "property", {"name": name, "value": xml_safe(str(value))})


def _details(result: Mapping[str, Any], *, message: bool = True) -> str:
    """The failure text: message, evidence summary, reproducers and the checks that ran."""
    sections: list[str] = []
    if message and result.get("message"):
        sections.append(str(result["message"]))
    evidence: Sequence[Mapping[str, Any]] = result.get("evidence", [])
    lines = [line for item in evidence for line in evidence_summary(item)]
    if lines:
        sections.append("Evidence:\n" + "\n".join(f"  {line}" for line in lines))
    curls = [str(item["reproduce"]) for item in evidence if item.get("reproduce")]
    if curls:
        sections.append("Reproduce:\n" + "\n".join(curls))
    checks = [_check_line(c) for c in result.get("checks", [])]
    if checks:
        sections.append("Checks:\n" + "\n".join(f"  {line}" for line in checks))
    if result.get("url"):
        sections.append(f"Requirement: {result['url']}")
    return "\n\n".join(sections)


def evidence_summary(item: Mapping[str, Any]) -> list[str]:
    """One evidence item as short lines: ``GET https://… -> 200 (0.120 s)`` and the like."""
    lines: list[str] = []
    request: Mapping[str, Any] | None = item.get("request")
    response: Mapping[str, Any] | None = item.get("response")
    if request is not None or response is not None:
        line = ""
        if request is not None:
            line = f"{request.get('method', '?')} {request.get('url', '?')} "
        if response is None:
            line += "-> no response"
        else:
            line += f"-> {response.get('status', '?')}"
            if isinstance(response.get("elapsed_s"), int | float):
                line += f" ({response['elapsed_s']:.3f} s)"
        lines.append(line)
        if response is not None and response.get("body_excerpt"):
            lines.append("  body: " + _clip(str(response["body_excerpt"]), _MAX_BODY_EXCERPT))
    document: Mapping[str, Any] | None = item.get("document")
    if document is not None:
        line = f"{document.get('source', '?')}#{document.get('pointer', '')}"
        if document.get("line") is not None:
            line += f" (line {document['line']}"
            if document.get("column") is not None:
                line += f", column {document['column']}"
            line += ")"
        if document.get("value_excerpt"):
            line += f": {_clip(str(document['value_excerpt']), _MAX_BODY_EXCERPT)}"
        lines.append(line)
    if item.get("error"):
        lines.append(f"error: {item['error']}")
    if item.get("note"):
        lines.append(f"note: {item['note']}")
    return lines


def _check_line(check: Mapping[str, Any]) -> str:
    line = f"{check.get('name', '?')}: {check.get('verdict', '?')}"
    if check.get("message"):
        line += f" ({check['message']})"
    return line


def _waiver_text(waiver: Mapping[str, Any]) -> str:
    return (
        f"{waiver.get('reason', '')} (owner {waiver.get('owner', '?')}, "
        f"expires {waiver.get('expires', '?')})"
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt_time(seconds: float) -> str:
    return f"{max(seconds, 0.0):.3f}"


def _seconds_between(start: Any, end: Any) -> float | None:
    if not (isinstance(start, str) and isinstance(end, str)):
        return None
    try:
        elapsed = datetime.fromisoformat(end.upper()) - datetime.fromisoformat(start.upper())
        return elapsed.total_seconds()
    except (ValueError, TypeError):
        return None
