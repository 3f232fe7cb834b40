"""SARIF 2.1.0 for findings that point into a document, so that code scanning (GitHub,
GitLab) shows them on the right line. Rendered from canonical reports; computes no verdict."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cgconform import __version__
from cgconform.model.target import is_url

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
_LEVELS = {"fail": "error", "warning": "warning", "needs_review": "note"}


def artifact_uri(source: str, base: Path | None = None) -> str:
    """A URL as it is; a file relative to `base` (the working folder) when inside it."""
    if is_url(source):
        return source
    path = Path(source).resolve()
    try:
        return path.relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return path.as_uri()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _rule(result: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": result["requirement"],
        "name": result["requirement"],
        "shortDescription": {"text": result["title"]["en"]},
        "fullDescription": {"text": f"{result['title']['en']} / {result['title']['nl']}"},
        "helpUri": result["url"],
        "help": {"text": f"{result['standard']} {result['requirement']}: {result['url']}"},
        "properties": {"level": result["level"], "standard": result["standard"]},
    }


def _locations(result: Mapping[str, Any], spec: str, base: Path | None) -> list[dict[str, Any]]:
    found = []
    for item in result.get("evidence", []):
        doc = item.get("document")
        if not isinstance(doc, Mapping):
            continue
        region = {"startLine": int(doc.get("line", 1)), "startColumn": int(doc.get("column", 1))}
        location: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(str(doc.get("source") or spec), base)},
                "region": region,
            },
            "logicalLocations": [{"fullyQualifiedName": doc.get("pointer", "")}],
        }
        if item.get("note"):
            location["message"] = {"text": str(item["note"])}
        found.append(location)
    return found


def render_sarif(
    reports: Sequence[Mapping[str, Any]], *, base: Path | None = None
) -> dict[str, Any]:
    """One SARIF run over all reports: a result per finding location."""
    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for report in reports:
        spec = str(report.get("target", {}).get("spec") or report["target"]["name"])
        for result in report["results"]:
            verdict = result["verdict"]
            if verdict == "error":
                notifications.append(
                    {"level": "error", "message": {"text": result.get("message", "")}}
                )
                continue
            if verdict not in _LEVELS:
                continue
            rules.setdefault(result["requirement"], _rule(result))
            locations = _locations(result, spec, base) or [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(spec, base)},
                        "region": {"startLine": 1},
                    }
                }
            ]
            message = _first_line(result.get("message", "")) or result["title"]["en"]
            for location in locations:
                text = location.pop("message", {}).get("text") or message
                results.append(
                    {
                        "ruleId": result["requirement"],
                        "ruleIndex": list(rules).index(result["requirement"]),
                        "level": _LEVELS[verdict],
                        "message": {"text": text},
                        "locations": [location],
                        "properties": {"verdict": verdict, "profile": result["profile"]},
                    }
                )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cgconform",
                        "version": __version__,
                        "rules": list(rules.values()),
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
            }
        ],
    }
