"""campaign.json: the overview of a campaign, assembled from its targets' report.json files.

Each target becomes one entry (:func:`target_entry`): its verdict and, per profile, the
verdict and counts of its report (or, when its run wrote no report, `error` with the reason),
the requirements it fails or warns about, and (given the previous campaign) what improved and
what regressed since then, computed by :mod:`cgconform.report.diff`. :func:`assemble_campaign`
adds what is computed across targets: the matrix columns, the summary, the requirements
failed most often, and the campaign verdict. A campaign run and `cgconform report merge` of its
shards both end in :func:`assemble_campaign` with the same entries, so a merged overview is the
unsharded one apart from times.

Nothing here computes a requirement or profile verdict: they are read from the reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from cgconform import __version__
from cgconform.model.verdicts import RunVerdict, Verdict, exit_code, run_verdict
from cgconform.report.diff import Change, diff_reports

CAMPAIGN_VERSION = "1"
RUN_VERDICTS = tuple(v.value for v in RunVerdict)
# The order in which a target verdict is worse (model.verdicts.run_verdict's).
_WORSE = ("conformant", "inconclusive", "not_conformant", "error")
# Results an overview keeps of a report: enough for "failed most often" and for the changes.
FINDING_VERDICTS = ("fail", "warning")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def trim_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """What a comparison needs of a report.json (no evidence, no checks): the previous
    campaign's reports are kept in memory in this form."""
    keep = ("profile", "standard", "requirement", "level", "title", "url", "verdict")
    return {
        "verdict": report.get("verdict"),
        "run": {"id": report.get("run", {}).get("id", "")},
        "results": [{k: r[k] for k in keep if k in r} for r in report.get("results", [])],
    }


def target_entry(
    target: Mapping[str, Any],
    *,
    report: Mapping[str, Any] | None,
    reports: Mapping[str, str],
    error: str | None = None,
    not_run: str | None = None,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    duration_s: float = 0.0,
) -> dict[str, Any]:
    """One row of the overview. `target`: id, index, name, organisation, profiles (ids) and
    `described` (where it is, as the campaign file says); `report`: its report.json, or None
    when its run wrote none (`error` says why, or `not_run` when it never started);
    `reports`: the report files written, by format, relative to the campaign folder."""
    entry: dict[str, Any] = {
        "id": target["id"],
        "index": target["index"],
        "name": target["name"],
        "organisation": target.get("organisation"),
    }
    if report is None:
        verdict = RunVerdict.INCONCLUSIVE.value if not_run and not error else "error"
        entry.update(
            {
                "verdict": verdict,
                "reason": error or not_run or "no report was written",
                "target": _described(target.get("described", {})),
                "profiles": [
                    {"id": pid, "verdict": verdict, "counts": {}} for pid in target["profiles"]
                ],
                "findings": [],
                "requests_sent": 0,
                "reports": {},
            }
        )
    else:
        entry.update(_from_report(report, target))
        entry["reports"] = dict(reports)
        reason = _reason(report)
        if reason:
            entry["reason"] = reason
    entry["exit_code"] = _exit_code(entry["verdict"], report)
    times = {"started_at": started_at, "finished_at": finished_at}
    entry.update({k: rfc3339(v) for k, v in times.items() if v is not None})
    entry["duration_s"] = round(duration_s, 3)
    return entry


def _exit_code(verdict: str, report: Mapping[str, Any] | None) -> int:
    """The exit code `cgconform run` gives this target (a cut-short run decides nothing)."""
    if report is not None and "interrupted" in report.get("run", {}):
        return exit_code(RunVerdict.INCONCLUSIVE)
    return exit_code(RunVerdict(verdict))


def _described(described: Mapping[str, Any]) -> dict[str, Any]:
    shown = {
        "base_url": described.get("base_url"),
        "spec": described.get("spec"),
        "urls": dict(described.get("urls") or {}),
    }
    if described.get("file"):
        shown["file"] = described["file"]
    return shown


def _from_report(report: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, Any]:
    rows = {p.get("id"): p for p in report.get("profiles", [])}
    order = [*target["profiles"], *(pid for pid in rows if pid not in target["profiles"])]
    profiles = []
    for pid in order:
        row = rows.get(pid)
        if row is None:
            continue
        profile = {
            "id": pid,
            "verdict": row.get("verdict"),
            "counts": dict(row.get("counts", {})),
            "standard": row.get("standard"),
            "standard_version": row.get("standard_version"),
        }
        if isinstance(row.get("title"), Mapping):
            profile["title"] = dict(row["title"])
        profiles.append(profile)
    shown = report.get("target", {})
    findings = [
        {
            "profile": r.get("profile"),
            "standard": r.get("standard"),
            "requirement": r.get("requirement"),
            "level": r.get("level"),
            "verdict": r.get("verdict"),
            "title": dict(r.get("title", {})),
            "url": r.get("url"),
        }
        for r in report.get("results", [])
        if r.get("verdict") in FINDING_VERDICTS and "waiver" not in r
    ]
    return {
        "verdict": report.get("verdict"),
        "target": {
            "base_url": shown.get("base_url"),
            "spec": shown.get("spec"),
            "urls": dict(shown.get("urls") or {}),
        },
        "profiles": profiles,
        "findings": findings,
        "requests_sent": int(report.get("run", {}).get("budget", {}).get("requests_sent", 0)),
    }


def _reason(report: Mapping[str, Any]) -> str | None:
    """Why a report decides less than it should: cut short, or a suite error."""
    run = report.get("run", {})
    if "interrupted" in run:
        return f"stopped by {run['interrupted'].get('signal', 'a signal')}: a partial report"
    if "passed_at" in run.get("deadline", {}):
        return f"its deadline of {run['deadline'].get('seconds')} s passed: a partial report"
    if report.get("verdict") == RunVerdict.ERROR.value:
        for result in report.get("results", []):
            if result.get("verdict") == "error" and result.get("message"):
                return str(result["message"]).strip().splitlines()[0]
        return "suite error"
    return None


# --- what changed since the previous campaign ----------------------------------------------


def changes(
    previous_entry: Mapping[str, Any] | None,
    previous_report: Mapping[str, Any] | None,
    entry: Mapping[str, Any],
    report: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What changed for one target since the previous campaign: its verdict (`new` when the
    previous campaign did not have it) and, when both campaigns have its report, the
    requirements that improved and those that regressed (`report diff`'s regressions)."""
    before = previous_entry.get("verdict") if previous_entry else None
    now = entry["verdict"]
    if before not in _WORSE:
        trend = "new"
    elif before == now:
        trend = "same"
    else:
        trend = "worse" if _WORSE.index(now) > _WORSE.index(before) else "better"
    improved: list[dict[str, Any]] = []
    regressed: list[dict[str, Any]] = []
    if previous_report is not None and report is not None:
        diff = diff_reports(previous_report, report)
        regressed = [_change(c) for c in diff.regressions]
        better = [c for c in diff.fixed + diff.changed if _better(c)]
        improved = [_change(c) for c in better]
    return {
        "previous_verdict": before,
        "verdict": trend,
        "improved": improved,
        "regressed": regressed,
    }


def _better(change: Change) -> bool:
    if change.old is None or change.new is None:
        return False
    if Verdict.NOT_APPLICABLE in (change.old, change.new):
        return False
    return change.new < change.old


def _change(change: Change) -> dict[str, Any]:
    return {
        "profile": change.profile,
        "requirement": change.requirement,
        "level": change.level,
        "title": dict(change.title),
        "old": change.old.label if change.old is not None else None,
        "new": change.new.label if change.new is not None else None,
    }


# --- the overview --------------------------------------------------------------------------


def assemble_campaign(
    *,
    name: str,
    file: str,
    digest: str,
    targets_total: int,
    entries: Iterable[Mapping[str, Any]],
    started_at: datetime,
    finished_at: datetime,
    shard: Mapping[str, int] | None = None,
    interrupted: str | None = None,
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """campaign.json from its target entries (in any order: they are put in the campaign's)."""
    rows = sorted((dict(e) for e in entries), key=lambda e: int(e["index"]))
    verdicts = [RunVerdict(e["verdict"]) for e in rows]
    campaign: dict[str, Any] = {
        "name": name,
        "file": file,
        "digest": digest,
        "targets_total": targets_total,
        "started_at": rfc3339(started_at),
        "finished_at": rfc3339(finished_at),
    }
    if shard is not None:
        campaign["shard"] = {"index": shard["index"], "count": shard["count"]}
    if interrupted:
        campaign["interrupted"] = interrupted
    if previous is not None:
        campaign["previous"] = dict(previous)
    summary: dict[str, int] = {"targets": len(rows), **dict.fromkeys(RUN_VERDICTS, 0)}
    for verdict in verdicts:
        summary[verdict.value] += 1
    if previous is not None:  # targets counted: one can both improve and regress
        summary["improved"] = sum(_moved(e, "improved", "better") for e in rows)
        summary["regressed"] = sum(_moved(e, "regressed", "worse") for e in rows)
        summary["new"] = sum(e.get("changes", {}).get("verdict") == "new" for e in rows)
    return {
        "campaign_version": CAMPAIGN_VERSION,
        "tool": {"name": "cgconform", "version": __version__},
        "campaign": campaign,
        "verdict": (run_verdict(verdicts) if verdicts else RunVerdict.CONFORMANT).value,
        "summary": summary,
        "profiles": _columns(rows),
        "targets": rows,
        "most_failed": _most(rows, "fail"),
        "most_warned": _most(rows, "warning"),
    }


def _moved(entry: Mapping[str, Any], requirements: str, trend: str) -> bool:
    """Whether a target improved (or regressed): its verdict or any of its requirements."""
    change = entry.get("changes", {})
    return bool(change.get(requirements)) or change.get("verdict") == trend


def campaign_exit_code(campaign: Mapping[str, Any]) -> int:
    """The campaign's exit code: its verdict's, as `run` maps a verdict (DESIGN.md §5); a
    campaign that was stopped decides nothing as a whole (3)."""
    if campaign["campaign"].get("interrupted"):
        return exit_code(RunVerdict.INCONCLUSIVE)
    return exit_code(RunVerdict(campaign["verdict"]))


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The matrix's columns: every profile of the campaign, in the order targets name them,
    with its standard as the reports give it."""
    columns: dict[str, dict[str, Any]] = {}
    for row in rows:
        for profile in row["profiles"]:
            column = columns.setdefault(profile["id"], {"id": profile["id"]})
            for key in ("standard", "standard_version", "title"):
                if key not in column and profile.get(key):
                    column[key] = profile[key]
    return list(columns.values())


def _most(rows: Sequence[Mapping[str, Any]], verdict: str) -> list[dict[str, Any]]:
    """The requirements with `verdict` in the most targets, most first (then in the order
    they first appear), each with the targets that have it."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        for finding in row["findings"]:
            if finding["verdict"] != verdict:
                continue
            key = (finding["profile"], finding["standard"], finding["requirement"])
            item = found.setdefault(
                key,
                {
                    "profile": finding["profile"],
                    "standard": finding["standard"],
                    "requirement": finding["requirement"],
                    "level": finding["level"],
                    "title": finding["title"],
                    "url": finding["url"],
                    "count": 0,
                    "targets": [],
                },
            )
            if row["id"] not in item["targets"]:
                item["targets"].append(row["id"])
                item["count"] += 1
    ranked = sorted(enumerate(found.values()), key=lambda pair: (-pair[1]["count"], pair[0]))
    return [item for _, item in ranked]
