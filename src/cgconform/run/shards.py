"""`cgconform report merge`: the reports of a run's shards (`run --shard i/n`) joined into
the report of one run.

Each shard decided whole requirements (all checks of a requirement run in its shard), so the
merge takes every requirement's result from the one shard that owns it and hands them, in the
profiles' order, to the same assembly as a normal run (:func:`assemble.assemble_report`):
profile verdicts, counts and the run verdict are combined there and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cgconform.model.catalogue import CatalogueError, Profile, select_profiles
from cgconform.model.shards import Shard
from cgconform.model.target import ConfigError
from cgconform.model.verdicts import RunVerdict
from cgconform.run.assemble import RunInfo, assemble_report

# What every shard of one run has in common (report.json paths), with the words for it.
_SAME: tuple[tuple[tuple[str, ...], str], ...] = (
    (("tool", "version"), "cgconform version"),
    (("run", "shard", "count"), "shard count"),
    (("profiles",), "profiles"),
    (("target",), "target"),
    (("run", "seed"), "seed (give every shard the same --seed)"),
    (("run", "strict"), "--strict"),
)

RequirementKey = tuple[str, str, str]  # profile, standard, requirement


class MergeError(ConfigError):
    """The shard reports do not make one run: one line that says why (exit 2)."""


def _get(report: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = report
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if path == ("profiles",) and isinstance(value, list):  # verdicts differ per shard
        return [(p.get("id"), p.get("standard_version")) for p in value]
    return value


def _key(row: Mapping[str, Any]) -> RequirementKey:
    return (str(row.get("profile")), str(row.get("standard")), str(row.get("requirement")))


def _shard(name: str, report: Mapping[str, Any]) -> Shard:
    data = report.get("run", {}).get("shard")
    if not isinstance(data, Mapping):
        raise MergeError(f"{name} is not a shard's report (no run.shard: made by run --shard i/n)")
    return Shard(int(data["index"]), int(data["count"]))


def check_shards(reports: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Shard]:
    """Refuse a set of shard reports that is not one whole run: each must be a shard, all of
    the same run (profiles, target, count, seed, ...), every index exactly once."""
    if not reports:
        raise MergeError("no shard reports to merge")
    shards = [_shard(name, report) for name, report in reports]
    first_name, first = reports[0]
    for name, report in reports[1:]:
        for path, what in _SAME:
            if _get(report, path) != _get(first, path):
                raise MergeError(f"{name} is not a shard of the same run as {first_name}: {what}")
    seen: dict[int, str] = {}
    for (name, _), shard in zip(reports, shards, strict=True):
        if shard.index in seen:
            raise MergeError(f"shard {shard} is given twice: {seen[shard.index]} and {name}")
        seen[shard.index] = name
    count = shards[0].count
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]
    if missing:
        raise MergeError(f"incomplete: shard {', '.join(missing)} missing")
    return shards


def _profiles(report: Mapping[str, Any]) -> list[Profile]:
    """The report's profiles, at the standard versions it used, loaded anew."""
    try:
        return [
            select_profiles([row["id"]], versions={row["standard"]: row["standard_version"]})[0]
            for row in report["profiles"]
        ]
    except (CatalogueError, FileNotFoundError) as exc:
        raise MergeError(f"cannot load the shards' profiles: {exc}") from None


def merge_reports(reports: Sequence[tuple[str, Mapping[str, Any]]], command: str) -> dict[str, Any]:
    """One report.json from the reports of every shard of a run (name: where it was read)."""
    shards = check_shards(reports)
    profiles = _profiles(reports[0][1])
    rows: dict[RequirementKey, dict[str, Any]] = {}
    for (name, report), shard in zip(reports, shards, strict=True):
        expected = [_key(r) for r in shard.requirements(profiles)]
        listed = [_key(r) for r in report["run"]["shard"]["requirements"]]
        decided = [_key(r) for r in report["results"]]
        if listed != expected or sorted(decided) != sorted(expected):
            raise MergeError(
                f"{name}: its requirements are not those of shard {shard} of "
                f"{', '.join(p.id for p in profiles)} (made with other profile files?)"
            )
        rows.update((_key(r), dict(r)) for r in report["results"])
    results = {
        p.id: [rows[(p.id, *item.requirement.key)] for item in p.requirements] for p in profiles
    }
    report = assemble_report(
        profiles=profiles,
        results=results,
        target=reports[0][1]["target"],
        run=_run(reports, command),
    )
    report["tool"] = dict(reports[0][1]["tool"])
    return report


def _run(reports: Sequence[tuple[str, Mapping[str, Any]]], command: str) -> RunInfo:
    """The merged run: from the first start to the last finish; the requests of all shards."""
    runs = [report["run"] for _, report in reports]
    budgets = [run["budget"] for run in runs]
    budget = {
        "max_requests": budgets[0]["max_requests"],
        "requests_sent": sum(b["requests_sent"] for b in budgets),
        **(
            {"requests_refused": sum(b.get("requests_refused", 0) for b in budgets)}
            if any("requests_refused" in b for b in budgets)
            else {}
        ),
    }
    broken = [  # a shard whose profile verdict is `error` keeps the merged profile there
        str(_shard(name, report))
        for name, report in reports
        if any(p.get("verdict") == RunVerdict.ERROR.value for p in report["profiles"])
    ]
    deadlines = [run["deadline"] for run in runs if "deadline" in run]
    return RunInfo(
        command=command,
        started_at=min(datetime.fromisoformat(run["started_at"]) for run in runs),
        finished_at=max(datetime.fromisoformat(run["finished_at"]) for run in runs),
        seed=runs[0]["seed"],
        budget=budget,
        strict=bool(runs[0].get("strict", False)),
        options=runs[0].get("options") or {},
        suite_error=f"suite error in shard {', '.join(broken)}" if broken else None,
        interrupted=next((run["interrupted"] for run in runs if "interrupted" in run), None),
        deadline=next(
            (d for d in deadlines if "passed_at" in d), deadlines[0] if deadlines else None
        ),
    )
