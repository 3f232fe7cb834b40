"""Builders for report.json data in tests: valid by default, so a test changes only what it tests.

``make_result`` gives one requirement result; ``make_report`` wraps results in a complete
report whose profile counts, profile verdicts and run verdict are computed from the results
with :mod:`cgconform.model.verdicts`, exactly as the engine must, so it passes ``validate_report``.

    report = make_report([make_result(verdict="fail"), make_result("/core/semver")])
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from cgconform.model.verdicts import (
    RunVerdict,
    Verdict,
    for_level,
    profile_verdict,
    run_verdict,
)

RUN_ID = "0b6f3f4e-8c1d-4a57-9a5e-2f1f3c7d9e10"
BASE_URL = "https://api.example.nl/v1"

_DEFAULT_REASONS = {
    "not_tested": "deselected by --max-requests: budget spent",
    "not_applicable": "profile option 'public' is off",
}


def make_evidence(
    method: str = "GET",
    path: str = "/percelen",
    status: int = 200,
    *,
    body: str = '{"_embedded": {"percelen": []}}',
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One request/response exchange with its curl reproducer."""
    url = BASE_URL + path
    return {
        "request": {"method": method, "url": url, "headers": {"Accept": "application/json"}},
        "response": {
            "status": status,
            "headers": dict(headers or {"Content-Type": "application/json"}),
            "body_excerpt": body,
            "elapsed_s": 0.042,
        },
        "reproduce": f"curl -X {method} '{url}' -H 'Accept: application/json'",
    }


def make_result(
    requirement: str = "/core/version-header",
    verdict: str = "pass",
    *,
    profile: str = "adr-runtime",
    standard: str = "ADR",
    level: str = "MUST",
    message: str | None = None,
    reason: str | None = None,
    evidence: Sequence[Mapping[str, Any]] | None = None,
    checks: Sequence[Mapping[str, Any]] | None = None,
    title_en: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A result consistent with itself: its checks' worst verdict is ``verdict``.

    Defaults: failing and warning results get one exchange as evidence and a message;
    ``not_tested``/``not_applicable`` get a reason; other keys (``waiver``, ``automation``,
    ``standard_version``) go in through ``extra``.
    """
    parsed = Verdict.parse(verdict)
    if message is None:
        message = "" if parsed is Verdict.PASS else f"{requirement}: {verdict} (test message)"
    if evidence is None:
        evidence = [make_evidence()] if parsed in (Verdict.FAIL, Verdict.WARNING) else []
    if checks is None:
        name = "check_" + requirement.strip("/").replace("/", "_")
        checks = [
            {"name": f"suites/api/test_checks.py::{name}", "verdict": verdict, "duration_s": 0.25}
        ]
    result: dict[str, Any] = {
        "profile": profile,
        "standard": standard,
        "requirement": requirement,
        "level": level,
        "title": {
            "nl": f"Eis {requirement}",
            "en": title_en if title_en is not None else f"Requirement {requirement}",
        },
        "url": f"https://gitdocumentatie.logius.nl/publicatie/api/adr/#{requirement}",
        "verdict": verdict,
        "message": message,
        "evidence": [dict(e) for e in evidence],
        "checks": [dict(c) for c in checks],
    }
    if reason is None:
        reason = _DEFAULT_REASONS.get(verdict)
    if reason is not None:
        result["reason"] = reason
    result.update(extra)
    assert for_level(parsed, level) is parsed, "use 'warning' for a violated SHOULD"
    return result


def make_report(
    results: Sequence[Mapping[str, Any]] | None = None,
    *,
    profiles: Sequence[str] = (),
    strict: bool = False,
    verdict: str | None = None,
    seed: int | None = 1234,
    max_requests: int | None = 5000,
    requests_sent: int = 812,
    **extra: Any,
) -> dict[str, Any]:
    """A complete, valid report around ``results`` (default: one passing result).

    Profiles are the ones the results name plus ``profiles``; counts and verdicts are
    computed from the results. ``verdict`` overrides the run verdict; ``extra`` replaces
    top-level keys as they are.
    """
    items = [copy.deepcopy(dict(r)) for r in (results if results is not None else [make_result()])]
    ids = list(dict.fromkeys([*(r["profile"] for r in items), *profiles]))
    profile_list = []
    for pid in ids:
        members = [r for r in items if r["profile"] == pid]
        standard = members[0]["standard"] if members else "ADR"
        profile_list.append(
            {
                "id": pid,
                "standard": standard,
                "standard_version": "2.2.0",
                "verdict": profile_verdict(
                    ((Verdict.parse(r["verdict"]), r["level"], "waiver" in r) for r in members),
                    strict=strict,
                ).value,
                "counts": dict(Counter(r["verdict"] for r in members)),
                "title": {"nl": f"Profiel {pid}", "en": f"Profile {pid}"},
            }
        )
    computed = run_verdict(RunVerdict(p["verdict"]) for p in profile_list)
    report: dict[str, Any] = {
        "report_version": "1",
        "tool": {"name": "cgconform", "version": "0.1.0"},
        "run": {
            "id": RUN_ID,
            "started_at": "2026-11-29T10:00:00Z",
            "finished_at": "2026-11-29T10:02:30.500000+00:00",
            "seed": seed,
            "command": "cgconform run --profile adr-runtime --url " + BASE_URL,
            "budget": {"max_requests": max_requests, "requests_sent": requests_sent},
            "strict": strict,
        },
        "target": {
            "name": "example-api",
            "base_url": BASE_URL,
            "spec": BASE_URL + "/openapi.json",
            "statement": {},
        },
        "verdict": verdict if verdict is not None else computed.value,
        "profiles": profile_list,
        "results": items,
    }
    report.update(extra)
    return report
