"""campaign.junit.xml and campaign.sarif: every target of a campaign in one JUnit document
and one SARIF log, for CI dashboards and code scanning.

Both are rendered from the targets' report.json files by the renderers of a single run
(:mod:`cgconform.report.junit`, :mod:`cgconform.report.sarif`); a target whose run wrote no
report adds what campaign.json says of it: a test suite with one erroring test case (JUnit),
a tool execution notification (SARIF).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from cgconform.report.junit import render_junit_many, xml_safe
from cgconform.report.sarif import render_sarif


def _without_report(campaign: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [t for t in campaign["targets"] if not t.get("reports", {}).get("json")]


def render_campaign_junit(campaign: Mapping[str, Any], reports: Sequence[Mapping[str, Any]]) -> str:
    """One JUnit document: a test suite per profile per target with a report (named
    `profile — target`), and one per target without a report, holding its error."""
    root = ET.fromstring(render_junit_many(reports).split("\n", 1)[1])
    root.set("name", xml_safe(f"cgconform campaign — {campaign['campaign']['name']}"))
    for target in _without_report(campaign):
        profiles = ", ".join(p["id"] for p in target["profiles"])
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": xml_safe(f"{profiles} — {target['name']}"),
                "tests": "1",
                "failures": "0",
                "errors": "1",
                "skipped": "0",
                "time": "0",
            },
        )
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": xml_safe(target["id"]), "name": xml_safe(f"{target['name']}: run")},
        )
        reason = str(target.get("reason") or "no report")
        error = ET.SubElement(
            case, "error", {"type": xml_safe(target["verdict"]), "message": xml_safe(reason)}
        )
        error.text = xml_safe(reason)
        for key in ("tests", "errors"):
            root.set(key, str(int(root.get(key, "0")) + 1))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def render_campaign_sarif(
    campaign: Mapping[str, Any], reports: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """One SARIF log with one run over every target's findings; a target without a report is
    a tool execution notification with its reason."""
    log = render_sarif(reports)
    invocation = log["runs"][0]["invocations"][0]
    for target in _without_report(campaign):
        invocation["toolExecutionNotifications"].append(
            {
                "level": "error",
                "message": {"text": f"{target['name']}: {target.get('reason') or 'no report'}"},
            }
        )
        invocation["executionSuccessful"] = False
    return log
