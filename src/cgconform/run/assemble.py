"""From check outcomes to requirement results, profile verdicts and the canonical report.

This is the only place verdicts are combined (DESIGN.md §4); every report format renders the
dict :func:`build_report` returns.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cgconform import __version__
from cgconform.http.redaction import Redactor
from cgconform.model.catalogue import Profile, ProfileRequirement
from cgconform.model.shards import Shard
from cgconform.model.target import Target
from cgconform.model.verdicts import (
    RunVerdict,
    Verdict,
    for_level,
    profile_verdict,
    run_verdict,
    worst,
)
from cgconform.openapi.document import SpecDocument
from cgconform.run.context import not_applicable_reason

MAX_EVIDENCE_PER_RESULT = 200


@dataclass
class CheckOutcome:
    """What one check (one pytest item) found, over its setup, call and teardown."""

    name: str
    requirements: list[tuple[str, str]]
    found: Verdict | None = None
    messages: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def verdict(self) -> Verdict:
        """The worst over its phases; a check that reported nothing is a suite error."""
        return Verdict.ERROR if self.found is None else self.found

    def add(self, verdict: Verdict, message: str, evidence: Sequence[dict[str, Any]]) -> None:
        self.found = verdict if self.found is None else max(self.found, verdict)
        if message:  # a pass may say what it exercised (model.outcomes.Passed)
            self.messages.append(message)
        self.evidence.extend(evidence)


@dataclass
class RunInfo:
    command: str
    started_at: datetime
    finished_at: datetime
    seed: int | None
    budget: Mapping[str, Any]
    strict: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    suite_error: str | None = None
    # A signal or the deadline stopped the run (report.json `run.interrupted`, `run.deadline`).
    interrupted: Mapping[str, Any] | None = None
    deadline: Mapping[str, Any] | None = None
    # Why no check ran at all, when the run stopped before its checks were collected.
    unreached: str | None = None
    # The run decides only this shard's requirements (report.json `run.shard`).
    shard: Shard | None = None


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def target_info(target: Target) -> dict[str, Any]:
    """report.json's `target`: its name, base URL, document, statement, and every component
    URL of its [urls] table by name (`target.urls`)."""
    return {
        "name": target.name,
        "base_url": target.base_url,
        "spec": target.spec,
        "urls": dict(target.urls),
        "statement": dict(target.statement),
    }


def _result(
    profile: Profile,
    item: ProfileRequirement,
    outcomes: Sequence[CheckOutcome],
    statement: Mapping[str, Any],
    suite_error: str | None,
    unreached: str | None = None,
) -> dict[str, Any]:
    req = item.requirement
    checks: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    reason: str | None = None
    na_reason = not_applicable_reason(item, profile, statement)
    if na_reason is not None:
        verdict, message = Verdict.NOT_APPLICABLE, ""
        reason = na_reason
    elif not outcomes:
        if suite_error:
            verdict, message = Verdict.ERROR, suite_error
        elif req.automation == "manual":
            verdict = Verdict.NEEDS_REVIEW
            message = "this requirement needs a person: no automated check exists"
        else:
            verdict = Verdict.NOT_TESTED
            message = ""
            reason = unreached or item.not_tested_reason or "no check for this requirement ran"
    else:
        graded = [(o, for_level(o.verdict, item.level)) for o in outcomes]
        verdict = worst(v for _, v in graded)
        worst_checks = [o for o, v in graded if v is verdict]
        message = "\n".join(dict.fromkeys(m for o in worst_checks for m in o.messages))
        evidence = [e for o in worst_checks for e in o.evidence][:MAX_EVIDENCE_PER_RESULT]
        if verdict in (Verdict.NOT_TESTED, Verdict.NOT_APPLICABLE):
            reason = message or "the check did not run"
        checks = [
            {
                "name": o.name,
                "verdict": v.label,
                "duration_s": round(o.duration_s, 4),
                **({"message": "\n".join(o.messages)} if o.messages else {}),
            }
            for o, v in graded
        ]
    result: dict[str, Any] = {
        "profile": profile.id,
        "standard": req.standard,
        "standard_version": req.standard_version,
        "requirement": req.id,
        "level": item.level,
        "automation": req.automation,
        "title": req.title.as_dict(),
        "url": req.url,
        "verdict": verdict.label,
        "message": message,
        "evidence": evidence,
        "checks": checks,
    }
    if reason is not None:
        result["reason"] = reason
    return result


def build_report(
    *,
    profiles: Sequence[Profile],
    outcomes: Sequence[CheckOutcome],
    target: Mapping[str, Any],
    statement: Mapping[str, Any],
    run: RunInfo,
) -> dict[str, Any]:
    by_requirement: dict[tuple[str, str], list[CheckOutcome]] = {}
    for outcome in outcomes:
        for key in dict.fromkeys(outcome.requirements):
            by_requirement.setdefault(key, []).append(outcome)

    shard = run.shard
    results = {
        profile.id: [
            _result(
                profile,
                item,
                by_requirement.get(item.requirement.key, []),
                statement,
                run.suite_error,
                run.unreached,
            )
            for item in profile.requirements
            if shard is None or shard.owns(profile.id, item.requirement.key)
        ]
        for profile in profiles
    }
    return assemble_report(profiles=profiles, results=results, target=target, run=run)


def assemble_report(
    *,
    profiles: Sequence[Profile],
    results: Mapping[str, Sequence[dict[str, Any]]],
    target: Mapping[str, Any],
    run: RunInfo,
) -> dict[str, Any]:
    """report.json from the requirement results of each profile (by profile id, in the
    profile's order): the profile verdicts, their counts and the run verdict. A normal run
    and `cgconform report merge` (which joins the results of shards) both end here."""
    all_rows: list[dict[str, Any]] = []
    profile_rows: list[dict[str, Any]] = []
    profile_verdicts: list[RunVerdict] = []
    for profile in profiles:
        rows = list(results.get(profile.id, ()))
        verdict = profile_verdict(
            ((Verdict.parse(r["verdict"]), r["level"], "waiver" in r) for r in rows),
            strict=run.strict,
        )
        if run.suite_error and verdict is not RunVerdict.ERROR:
            verdict = RunVerdict.ERROR
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
        profile_rows.append(
            {
                "id": profile.id,
                "title": profile.title.as_dict(),
                "standard": profile.standard,
                "standard_version": profile.standard_version,
                "verdict": verdict.value,
                "counts": counts,
            }
        )
        profile_verdicts.append(verdict)
        all_rows.extend(rows)

    return {
        "report_version": "1",
        "tool": {"name": "cgconform", "version": __version__},
        "run": {
            "id": run.run_id,
            "started_at": rfc3339(run.started_at),
            "finished_at": rfc3339(run.finished_at),
            "seed": run.seed,
            "command": run.command,
            "budget": dict(run.budget),
            "strict": run.strict,
            **({"options": dict(run.options)} if run.options else {}),
            **({"interrupted": dict(run.interrupted)} if run.interrupted else {}),
            **({"deadline": dict(run.deadline)} if run.deadline else {}),
            **({"shard": run.shard.as_report(profiles)} if run.shard else {}),
        },
        "target": dict(target),
        "verdict": run_verdict(profile_verdicts).value,
        "profiles": profile_rows,
        "results": all_rows,
    }


def redact_report(report: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """The last line of defence before a report is written: every free-text field (the
    command line, the target, messages, reasons, evidence) goes through the redactor;
    structural fields (ids, verdicts, levels) are left as they are."""
    report["run"]["command"] = redactor.text(report["run"]["command"])
    report["target"] = redactor.value(report["target"])
    for result in report["results"]:
        for key in ("message", "reason"):
            if key in result:
                result[key] = redactor.text(result[key])
        result["evidence"] = redactor.value(result["evidence"])
        for check in result["checks"]:
            if "message" in check:
                check["message"] = redactor.text(check["message"])
    return report


def add_positions(report: dict[str, Any], spec: SpecDocument) -> None:
    """Line and column for every evidence item that points into the OpenAPI document."""
    for result in report["results"]:
        for item in result["evidence"]:
            doc = item.get("document")
            if not isinstance(doc, dict) or "line" in doc:
                continue
            source = doc.get("source")
            document = spec if source == spec.source else spec.loaded.get(str(source))
            if document is not None:
                found = document.position(doc.get("pointer", ""))
                if found is not None:
                    doc["line"], doc["column"] = found
