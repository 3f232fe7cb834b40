"""`cgconform campaign` and `cgconform report merge` of campaign outputs.

A campaign runs each target as `cgconform run` would (its report files in `DIR/<target-id>/`),
at most `--jobs` at once, each in its own process (:mod:`cgconform.run.campaign`), and writes
the overview: `campaign.json` (validated by ``schemas/campaign.schema.json``), `campaign.html`,
and, for CI, `campaign.junit.xml` and `campaign.sarif` over every target.

Exit codes, as `run`'s (DESIGN.md §5), for the campaign as a whole: the worst target verdict
(error > not_conformant > inconclusive > conformant) gives 3, 1, 3 or 0; a campaign stopped by
a signal exits 3. 2 is only for the campaign's own usage or configuration errors (a broken
campaign file, an unknown profile, an unwritable report folder), found before any target runs;
a target's own misconfiguration, or a target that cannot be reached, is its `error` cell (3).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgconform.cli.commands import CommandError, check_report_dir, write_file
from cgconform.model.target import ConfigError
from cgconform.run.campaign_file import Campaign, CampaignTarget, load_campaign

if TYPE_CHECKING:
    from cgconform.run.campaign import TargetRun

CAMPAIGN_FORMATS = ("json", "junit", "html", "sarif")
CI_TEMPLATES = {"gitlab": "gitlab-ci.yml", "github": "github-workflow.yml"}
_REPORT_NAMES = {
    "json": "report.json",
    "junit": "junit.xml",
    "sarif": "report.sarif",
    "earl": "report.earl.jsonld",
}


@dataclass(frozen=True)
class TargetOptions:
    """How each target of a campaign runs and reports (the same for all; picklable)."""

    campaign: Campaign
    command: str
    formats: tuple[str, ...]
    lang: str


@dataclass
class Previous:
    """The previous campaign the changes are measured against (--previous DIR)."""

    meta: dict[str, Any]
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # trimmed, by target id


def ci_template(name: str) -> str:
    """A shipped CI template (``cgconform/ci_templates/``)."""
    path = resources.files("cgconform").joinpath("ci_templates", CI_TEMPLATES[name])
    return path.read_text(encoding="utf-8")


def campaign(args: argparse.Namespace, command: str) -> int:
    if args.ci_template:
        print(ci_template(args.ci_template), end="")
        return 0
    if not args.campaign:
        raise CommandError("give the campaign file: cgconform campaign campaign.toml")
    plan = _plan(args)
    out = Path(args.report_dir)
    check_report_dir(out)
    previous = load_previous(Path(args.previous)) if args.previous else None
    formats = tuple(dict.fromkeys(["json", *(args.format or CAMPAIGN_FORMATS)]))
    options = TargetOptions(campaign=plan, command=command, formats=formats, lang=args.lang)
    from cgconform.report.campaign import assemble_campaign, campaign_exit_code
    from cgconform.report.console import ProgressDisplay, print_campaign_summary
    from cgconform.run.campaign import run_targets

    entries: list[dict[str, Any]] = []

    def done(run: TargetRun) -> None:
        entries.append(_entry(run, options, previous))

    jobs = args.jobs or plan.jobs or os.cpu_count() or 1
    _warm_up()
    with ProgressDisplay(enabled=not args.quiet, label="targets", refresh_thread=False) as display:
        result = run_targets(
            plan.shard(args.shard),
            out,
            partial(run_target, options=options),
            jobs=jobs,
            timeout_s=plan.timeout_s,
            progress=display.update,
            on_done=done,
        )
    overview = assemble_campaign(
        name=plan.name,
        file=plan.source.name,
        digest=plan.digest(),
        targets_total=len(plan.targets),
        entries=entries,
        started_at=result.started_at,
        finished_at=result.finished_at,
        shard={"index": args.shard.index, "count": args.shard.count} if args.shard else None,
        interrupted=result.interrupted,
        previous=previous.meta if previous else None,
    )
    written = write_campaign(overview, out, formats, args.lang)
    print_campaign_summary(overview, written, lang=args.lang, verbose=args.verbose)
    if result.interrupted:
        print(
            f"cgconform: campaign stopped by {result.interrupted}; overview written to {out}",
            file=sys.stderr,
        )
    return campaign_exit_code(overview)


def _warm_up() -> None:
    """Import what every target's run needs before the targets' processes are forked, so
    that each starts with it instead of importing it again (pytest, schemathesis, the
    report renderers: most of a small target's time)."""
    import cgconform.report.badge
    import cgconform.report.html
    import cgconform.report.junit
    import cgconform.report.sarif
    import cgconform.run.runner  # noqa: F401


def _plan(args: argparse.Namespace) -> Campaign:
    """The campaign file, with what the command line says over it (--seed, --strict,
    --adr-version)."""
    from cgconform.run.campaign_file import check_profiles

    try:
        plan = load_campaign(args.campaign)
        plan = replace(
            plan,
            seed=args.seed if args.seed is not None else plan.seed,
            strict=plan.strict or args.strict,
            adr_version=args.adr_version or plan.adr_version,
        )
        check_profiles(plan, args.campaign)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    return plan


def run_target(target: CampaignTarget, folder: Path, *, options: TargetOptions) -> None:
    """One target of a campaign, in its child process: the run `cgconform run` makes, its
    report files in `folder`. Raises TargetProblem when it cannot be run."""
    from cgconform.cli.commands import produce_report
    from cgconform.model.catalogue import CatalogueError, select_profiles
    from cgconform.run.campaign import TargetProblem, unreachable
    from cgconform.run.runner import check_target_fits

    plan = options.campaign
    versions = {"ADR": plan.adr_version} if plan.adr_version else None
    try:
        config = target.config()
        profiles = select_profiles(list(target.profiles), versions=versions)
        check_target_fits(profiles, config)
        reason = unreachable(config)
        if reason is not None:
            raise TargetProblem(reason)
        produce_report(
            profiles=profiles,
            target=config,
            command=f"{options.command}  # target {target.id}",
            report_dir=folder,
            formats=list(options.formats),
            lang=options.lang,
            seed=plan.target_seed(target),
            strict=plan.strict,
            waivers=target.waivers,
            notice=lambda text: None,
        )
    except (CommandError, ConfigError, CatalogueError, FileNotFoundError) as exc:
        raise TargetProblem(str(exc)) from None


def _target_info(target: CampaignTarget) -> dict[str, Any]:
    return {
        "id": target.id,
        "index": target.index,
        "name": target.name,
        "organisation": target.organisation,
        "profiles": list(target.profiles),
        "described": target.described(),
    }


def _report_files(
    target_id: str, folder: Path, formats: tuple[str, ...], lang: str
) -> dict[str, str]:
    names = {**_REPORT_NAMES, "html": f"report.{lang}.html"}
    return {
        fmt: f"{target_id}/{names[fmt]}"
        for fmt in formats
        if fmt in names and (folder / names[fmt]).is_file()
    }


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _entry(run: TargetRun, options: TargetOptions, previous: Previous | None) -> dict[str, Any]:
    from cgconform.report.campaign import changes, target_entry, trim_report

    target = run.target
    error, report = run.error, None
    if error is None and run.not_run is None:
        report = _read_json(run.folder / "report.json")
        if report is None or report.get("report_version") != "1":
            error, report = "the run wrote no readable report.json", None
    entry = target_entry(
        _target_info(target),
        report=report,
        reports=_report_files(target.id, run.folder, options.formats, options.lang)
        if report
        else {},
        error=error,
        not_run=run.not_run,
        started_at=run.started_at,
        finished_at=run.finished_at,
        duration_s=run.duration_s,
    )
    if previous is not None:
        entry["changes"] = changes(
            previous.entries.get(target.id),
            previous.reports.get(target.id),
            entry,
            trim_report(report) if report else None,
        )
    return entry


def load_previous(folder: Path) -> Previous:
    """The previous campaign's overview and its targets' reports (trimmed, read before this
    campaign writes anything, so that --previous may be the report folder itself)."""
    from cgconform.report.campaign import trim_report

    data = _read_json(folder / "campaign.json")
    if data is None or data.get("campaign_version") != "1":
        raise CommandError(
            f"--previous {folder}: no campaign.json of a cgconform campaign in that folder"
        )
    meta = data.get("campaign", {})
    previous = Previous(
        meta={
            "name": str(meta.get("name", "")),
            "finished_at": str(meta.get("finished_at", "")),
            "dir": str(folder),
        }
    )
    for entry in data.get("targets", []):
        target_id = str(entry.get("id"))
        previous.entries[target_id] = entry
        relative = entry.get("reports", {}).get("json")
        report = _read_json(folder / relative) if isinstance(relative, str) else None
        if report is not None and report.get("report_version") == "1":
            previous.reports[target_id] = trim_report(report)
    return previous


def write_campaign(
    overview: dict[str, Any], out: Path, formats: tuple[str, ...] | list[str], lang: str
) -> list[Path]:
    """campaign.json and campaign.html, and (with the junit and sarif formats)
    campaign.junit.xml and campaign.sarif over every target's report; each atomically."""
    from cgconform.report.campaign_html import render_campaign_html
    from cgconform.report.campaign_schema import validate_campaign

    problems = validate_campaign(overview)
    if problems:  # a defect of cgconform, never of a target: say so, write nothing wrong
        raise RuntimeError("campaign.json does not validate: " + "; ".join(problems[:5]))
    rendered = [
        (out / "campaign.json", json.dumps(overview, indent=2, ensure_ascii=False) + "\n"),
        (out / "campaign.html", render_campaign_html(overview, lang=lang)),
    ]
    if "junit" in formats or "sarif" in formats:
        from cgconform.report.campaign_formats import render_campaign_junit, render_campaign_sarif

        reports = _target_reports(overview, out)
        if "junit" in formats:
            rendered.append((out / "campaign.junit.xml", render_campaign_junit(overview, reports)))
        if "sarif" in formats:
            sarif = render_campaign_sarif(overview, reports)
            rendered.append(
                (out / "campaign.sarif", json.dumps(sarif, indent=2, ensure_ascii=False) + "\n")
            )
    for path, text in rendered:
        write_file(path, text)
    return [path for path, _ in rendered]


def _target_reports(overview: dict[str, Any], out: Path) -> list[dict[str, Any]]:
    reports = []
    for entry in overview["targets"]:
        relative = entry.get("reports", {}).get("json")
        report = _read_json(out / relative) if relative else None
        if report is not None:
            reports.append(report)
    return reports


# --- report merge ------------------------------------------------------------------------------


def is_campaign_output(paths: list[str]) -> bool:
    """Whether `report merge` was given campaign outputs (folders with a campaign.json);
    a mix of those and run shard reports is a usage error."""
    found = [(Path(p) / "campaign.json").is_file() for p in paths]
    if any(found) and not all(found):
        raise CommandError(
            "give report merge either campaign outputs (folders with a campaign.json) or the "
            "report.json files of a run's shards, not both"
        )
    return all(found)


def merge(args: argparse.Namespace) -> int:
    """`cgconform report merge DIR... --out DIR`: the outputs of a campaign's shards joined
    into one overview; the target folders are copied into --out."""
    from cgconform.report.campaign import campaign_exit_code, changes, trim_report
    from cgconform.report.campaign_merge import CampaignMergeError, check_outputs, merge_campaigns
    from cgconform.report.campaign_schema import validate_campaign
    from cgconform.report.console import print_campaign_summary

    out = Path(args.out)
    check_report_dir(out)
    outputs = []
    for name in args.reports:
        data = _read_json(Path(name) / "campaign.json")
        if data is None:
            raise CommandError(f"{name}/campaign.json: not readable JSON")
        problems = validate_campaign(data)
        if problems:
            raise CommandError(f"{name}/campaign.json: not a valid campaign.json: {problems[0]}")
        outputs.append((name, data))
    previous = load_previous(Path(args.previous)) if args.previous else None
    try:
        check_outputs(outputs)
    except CampaignMergeError as exc:
        raise CommandError(str(exc)) from None
    for name, data in outputs:
        _copy_targets(Path(name), out, data)

    def changed(entry: Mapping[str, Any]) -> dict[str, Any]:
        assert previous is not None
        relative = entry.get("reports", {}).get("json")
        report = _read_json(out / relative) if relative else None
        return changes(
            previous.entries.get(entry["id"]),
            previous.reports.get(entry["id"]),
            entry,
            trim_report(report) if report else None,
        )

    merged = merge_campaigns(
        outputs,
        changes=changed if previous else None,
        previous=previous.meta if previous else None,
    )
    formats = args.format or list(CAMPAIGN_FORMATS)
    written = write_campaign(merged, out, formats, args.lang)
    print_campaign_summary(merged, written, lang=args.lang, verbose=args.verbose)
    return campaign_exit_code(merged)


def _copy_targets(source: Path, out: Path, data: dict[str, Any]) -> None:
    """Each target's report folder of a shard's output, into the merged output."""
    for entry in data["targets"]:
        folder = source / entry["id"]
        if not folder.is_dir() or (out / entry["id"]).resolve() == folder.resolve():
            continue
        try:
            shutil.copytree(folder, out / entry["id"], dirs_exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot copy {folder} to {out}: {exc}") from None
