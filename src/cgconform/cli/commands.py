"""What each `cgconform` command does; `cli.py` only parses arguments.

Configuration problems of every kind (target file, profile file, missing spec) are raised as
:class:`CommandError`, which the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgconform.model.catalogue import CatalogueError, Profile, load_profiles, select_profiles
from cgconform.model.shards import Shard
from cgconform.model.target import ConfigError, Target, load_target

if TYPE_CHECKING:
    from cgconform.http.cassette import Cassette


class CommandError(Exception):
    """A usage or configuration error: one clear line, exit code 2."""


def _target_from_args(args: argparse.Namespace) -> Target:
    try:
        target = (
            load_target(args.target)
            if args.target
            else Target(name=args.url or args.spec or "target")
        )
        return target.with_overrides(
            url=args.url,
            spec=args.spec,
            max_requests=args.max_requests,
            rate_limit=args.rate_limit,
            timeout_s=args.timeout,
            deadline_s=getattr(args, "deadline", None),
            allow_writes=tuple(args.allow_writes),
            headers=tuple(args.header),
        )
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def _versions(args: argparse.Namespace) -> dict[str, str] | None:
    adr = getattr(args, "adr_version", None)
    return {"ADR": adr} if adr else None


def _profiles(ids: list[str], versions: dict[str, str] | None = None) -> list[Profile]:
    try:
        return select_profiles(ids, versions=versions)
    except (CatalogueError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None


def check_report_dir(report_dir: Path) -> None:
    """Before anything is sent: the reports can be written where they are asked for."""
    from cgconform.report.files import OutputError, check_output_dir

    try:
        check_output_dir(report_dir)
    except OutputError as exc:
        raise CommandError(str(exc)) from None


def write_reports(
    report: dict[str, Any], report_dir: Path, formats: list[str], lang: str = "en"
) -> list[Path]:
    """Every format is rendered from report.json; the badge goes next to it. All are rendered
    before the first is written, and each file is written atomically (report.files)."""
    from cgconform.report.badge import render_badge
    from cgconform.report.junit import render_junit

    check_report_dir(report_dir)
    renderers: dict[str, tuple[str, Any]] = {
        "json": ("report.json", lambda: json.dumps(report, indent=2, ensure_ascii=False) + "\n"),
        "junit": ("junit.xml", lambda: render_junit(report)),
        "sarif": ("report.sarif", lambda: _json(_sarif(report))),
        "earl": ("report.earl.jsonld", lambda: _json(_earl(report))),
        "html": (f"report.{lang}.html", lambda: _html(report, lang)),
    }
    rendered = [(report_dir / renderers[name][0], renderers[name][1]()) for name in formats]
    if "json" in formats:
        rendered.append((report_dir / "badge.svg", render_badge(report, lang=lang)))
    for path, text in rendered:
        write_file(path, text)
    return [path for path, _ in rendered]


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _sarif(report: dict[str, Any]) -> Any:
    from cgconform.report.sarif import render_sarif

    return render_sarif([report])


def _earl(report: dict[str, Any]) -> Any:
    from cgconform.report.earl import render_earl

    return render_earl(report)


def _html(report: dict[str, Any], lang: str) -> str:
    from cgconform.report.html import render_html

    return render_html(report, lang=lang)


def produce_report(
    *,
    profiles: list[Profile],
    target: Target,
    command: str,
    report_dir: Path,
    formats: list[str],
    lang: str = "en",
    seed: int | None = None,
    strict: bool = False,
    progress: bool = False,
    waivers: Path | None = None,
    shard: Shard | None = None,
    record: Path | None = None,
    replay: Cassette | None = None,
    notice: Any = None,
) -> tuple[dict[str, Any], list[Path]]:
    """Run the profiles on the target and write its report files: report.json and the
    written paths. `notice` receives what the waivers say (default: stderr)."""
    from cgconform.report.console import ProgressDisplay
    from cgconform.run.runner import RunRequest, execute

    request = RunRequest(
        profiles=profiles, target=target, command=command, seed=seed, strict=strict, shard=shard
    )
    request.record, request.replay = record, replay
    request.options.update(_cassette_options(record, replay))
    check_report_dir(report_dir)
    try:
        with ProgressDisplay(enabled=progress) as display:
            report = execute(request, progress=display.update)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    if waivers is not None:
        from datetime import date

        from cgconform.run.waivers import apply_waivers

        for text in apply_waivers(report, load_waivers_file(waivers), today=date.today()):
            if notice is None:
                print(f"cgconform: {text}", file=sys.stderr)
            else:
                notice(text)
        report["run"].setdefault("options", {})["waivers"] = str(waivers)
    return report, write_reports(report, report_dir, formats, lang)


def execute_and_report(
    *,
    profiles: list[Profile],
    target: Target,
    command: str,
    report_dir: Path,
    formats: list[str],
    lang: str = "en",
    seed: int | None = None,
    strict: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    waivers: Path | None = None,
    shard: Shard | None = None,
    record: Path | None = None,
    replay: Cassette | None = None,
) -> int:
    from cgconform.model.verdicts import RunVerdict, exit_code
    from cgconform.report.console import print_summary

    report, written = produce_report(
        profiles=profiles,
        target=target,
        command=command,
        report_dir=report_dir,
        formats=formats,
        lang=lang,
        seed=seed,
        strict=strict,
        progress=not quiet,
        waivers=waivers,
        shard=shard,
        record=record,
        replay=replay,
    )
    print_summary(report, written, lang=lang, verbose=verbose)
    code = exit_code(RunVerdict(report["verdict"]))
    stopped = _stopped(report["run"])
    if stopped is not None:
        print(f"cgconform: {stopped}; partial report written to {report_dir}", file=sys.stderr)
    if "interrupted" in report["run"]:  # a run a signal cut short decides nothing as a whole
        return exit_code(RunVerdict.INCONCLUSIVE)
    return code


def _stopped(run: dict[str, Any]) -> str | None:
    """Why the run stopped before every check ran (a signal, its deadline), or None."""
    if "interrupted" in run:
        return f"interrupted by {run['interrupted']['signal']}"
    deadline = run.get("deadline", {})
    if "passed_at" in deadline:
        from cgconform.run.stop import format_seconds

        return f"the run deadline of {format_seconds(deadline['seconds'])} s passed"
    return None


def load_waivers_file(path: Path) -> Any:
    from cgconform.run.waivers import WaiverError, load_waivers

    try:
        return load_waivers(path)
    except WaiverError as exc:
        raise CommandError(str(exc)) from None


def run(args: argparse.Namespace, command: str) -> int:
    profiles = _profiles(args.profile, _versions(args))
    target = _target_from_args(args)
    options = _run_options(args)
    if args.shard is not None:
        _check_shard(profiles, args)
    import secrets

    return execute_and_report(
        profiles=profiles,
        target=target,
        command=command,
        # Generated data is always reproducible: without --seed one is drawn and reported.
        seed=args.seed if args.seed is not None else secrets.randbelow(2**31),
        shard=args.shard,
        record=Path(args.record) if args.record else None,
        **options,
    )


def _run_options(args: argparse.Namespace) -> dict[str, Any]:
    """What `run` and `replay` pass on alike: where and how to report, strictness, waivers (a
    broken waivers file is a usage error before anything runs)."""
    waivers = Path(args.waivers) if args.waivers else None
    if waivers is not None:
        load_waivers_file(waivers)
    return {
        "report_dir": Path(args.report_dir),
        "formats": args.format,
        "lang": args.lang,
        "strict": args.strict,
        "quiet": args.quiet,
        "verbose": args.verbose,
        "waivers": waivers,
    }


def _cassette_options(record: Path | None, replay: Cassette | None) -> dict[str, Any]:
    """report.json's `run.options` for a recorded run and for a replay (which cassette)."""
    options: dict[str, Any] = {}
    if record is not None:
        options["record"] = str(record)
    if replay is not None:
        options["replay"] = {
            "cassette": str(replay.path),
            "recorded_with": replay.recorded_with,
            "recorded_at": replay.recorded_at,
        }
    return options


def replay(args: argparse.Namespace, command: str) -> int:
    """`cgconform replay CASSETTE --profile P`: the checks of this suite version judge the
    recorded answers; nothing is sent to the target."""
    from cgconform.run.recording import (
        check_replayable,
        load_cassette,
        recorded_seed,
        replay_target,
    )

    profiles = _profiles(args.profile, _versions(args))
    try:
        check_replayable(profiles)
        options = _run_options(args)
        cassette = load_cassette(Path(args.cassette))
        target = load_target(args.target) if args.target else replay_target(cassette)
        if args.spec:
            target = target.with_overrides(spec=args.spec)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    return execute_and_report(
        profiles=profiles,
        target=target,
        command=command,
        seed=args.seed if args.seed is not None else recorded_seed(cassette),
        replay=cassette,
        **options,
    )


def _check_shard(profiles: list[Profile], args: argparse.Namespace) -> None:
    """`--shard` before anything runs: profiles that may be split, and one seed for all
    shards (so that they generate the same data one run would)."""
    from cgconform.run.runner import check_shardable

    check_shardable(profiles, args.shard)
    if args.seed is None:
        raise CommandError(f"--shard {args.shard} needs --seed N, the same for every shard")


def demo(args: argparse.Namespace) -> int:
    """The built-in reference ecosystem (the `cgconform.demo` entry point: the reference
    parking-permit API and two FSC Peers on 127.0.0.1), checked by every profile that applies
    to it, in one report."""
    from cgconform.cli.extensions import ExtensionError, demo_ecosystem

    try:
        reference = demo_ecosystem()
    except ExtensionError as exc:
        raise CommandError(str(exc)) from None
    check_report_dir(Path(args.report_dir))
    with reference.ecosystem() as target:
        return execute_and_report(
            profiles=_profiles(list(reference.PROFILES)),
            target=target,
            command="cgconform demo",
            report_dir=Path(args.report_dir),
            formats=["json", "junit", "html", "earl"],
            lang=args.lang,
            seed=0,
            verbose=args.verbose,
        )


def profiles(args: argparse.Namespace) -> int:
    try:
        known = load_profiles()
    except (CatalogueError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    if args.profile is None:
        if args.format == "json":
            rows = [
                {
                    "id": p.id,
                    "standard": p.standard,
                    "standard_version": p.standard_version,
                    "title": p.title.as_dict(),
                    "requirements": len(p.requirements),
                }
                for p in known.values()
            ]
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            for p in known.values():
                print(
                    f"{p.id:<28} {p.standard} {p.standard_version:<8} "
                    f"{len(p.requirements):>3} requirements  {p.title.en}"
                )
        return 0
    if args.profile not in known:
        raise CommandError(
            f"unknown profile {args.profile!r} (known profiles: {', '.join(sorted(known))})"
        )
    profile = known[args.profile]
    if args.format == "json":
        rows = [
            {
                "id": r.requirement.id,
                "standard": r.requirement.standard,
                "standard_version": r.requirement.standard_version,
                "level": r.level,
                "automation": r.requirement.automation,
                "title": r.requirement.title.as_dict(),
            }
            for r in profile.requirements
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        print(f"{profile.id}: {profile.title.en} ({profile.standard} {profile.standard_version})")
        width = max([40, *(len(r.requirement.id) for r in profile.requirements)])
        for r in profile.requirements:
            note = f"  [only when {r.applies_if}]" if r.applies_if else ""
            print(
                f"  {r.requirement.id:<{width}} {r.level:<10} {r.requirement.automation:<14} "
                f"{r.requirement.title.en}{note}"
            )
        from cgconform.cli.coverage import profile_coverage_lines

        for line in profile_coverage_lines(profile, known):  # texts its family checks, per section
            print(line)
    return 0


def doctor(args: argparse.Namespace) -> int:
    from cgconform.cli.doctor import run_doctor

    return run_doctor(_target_from_args(args))


def read_report(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"report not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path}: not a readable report.json ({exc})") from None
    if not isinstance(data, dict) or data.get("report_version") != "1":
        raise CommandError(f"{path}: not a cgconform report.json (report_version 1)")
    return data


def report(args: argparse.Namespace) -> int:
    if args.report_command == "diff":
        from cgconform.report.diff import diff_reports, render_text, to_json

        result = diff_reports(read_report(args.old), read_report(args.new))
        if args.format == "json":
            print(json.dumps(to_json(result), indent=2, ensure_ascii=False))
        else:
            sys.stdout.write(render_text(result))
        return 1 if result.regression else 0
    if args.report_command == "sign":
        return _sign(args)
    if args.report_command == "verify":
        return _verify(args)
    if args.report_command == "merge":
        return _merge(args)
    data = read_report(args.report)
    written = write_reports(data, Path(args.out), args.format, args.lang)
    for path in written:
        print(path)
    return 0


def _merge(args: argparse.Namespace) -> int:
    """`cgconform report merge`: the shards' reports as the report of one run; the exit code
    is the merged run's. A folder stands for the report.json in it."""
    from cgconform.model.verdicts import RunVerdict, exit_code
    from cgconform.report.console import print_summary
    from cgconform.run.shards import merge_reports

    out = Path(args.out)
    check_report_dir(out)
    paths = [str(Path(p) / "report.json") if Path(p).is_dir() else p for p in args.reports]
    if args.previous:
        raise CommandError("--previous is for campaign outputs (folders with a campaign.json)")
    shards = [(path, read_report(path)) for path in paths]
    merged = merge_reports(shards, "cgconform report merge " + " ".join(args.reports))
    formats = args.format or ["json", "junit"]
    written = write_reports(merged, out, formats, args.lang)
    print_summary(merged, written, lang=args.lang, verbose=args.verbose)
    interrupted = "interrupted" in merged["run"]  # as for `run`: a cut-short run decides nothing
    return exit_code(RunVerdict.INCONCLUSIVE if interrupted else RunVerdict(merged["verdict"]))


def _read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _sign(args: argparse.Namespace) -> int:
    from cgconform.model.target import SecretRef
    from cgconform.report.signing import CredentialError, SignatureError, sign_report

    body = _read_bytes(args.report, "report")
    password = None
    if args.key_password:
        if not args.key_password.startswith(("env:", "file:")):
            raise CommandError("--key-password is given by reference: env:NAME or file:PATH")
        try:
            password = SecretRef(args.key_password).resolve().encode()
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
    try:
        jws = sign_report(
            body,
            _read_bytes(args.key, "key"),
            cert_pem=_read_bytes(args.cert, "certificate") if args.cert else None,
            password=password,
        )
    except (CredentialError, SignatureError) as exc:
        raise CommandError(str(exc)) from None
    out = Path(args.out or args.report + ".jws")
    write_file(out, jws + "\n")
    print(out)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from cgconform.report.signing import CredentialError, SignatureError, verify_report

    body = _read_bytes(args.report, "report")
    signature = _read_bytes(args.sig or args.report + ".jws", "signature").decode().strip()
    try:
        verified = verify_report(body, signature, _read_bytes(args.cert, "certificate"))
    except CredentialError as exc:
        raise CommandError(str(exc)) from None
    except SignatureError as exc:
        print(f"cgconform: signature NOT valid: {exc}", file=sys.stderr)
        return 1
    print(f"valid signature ({verified.algorithm}) by {verified.subject}")
    return 0


def lint(args: argparse.Namespace, command: str) -> int:
    from cgconform.model.verdicts import RunVerdict, exit_code, run_verdict
    from cgconform.report.lint_text import render_lint_text
    from cgconform.run.lint import lint_paths

    for spec in args.specs:
        from cgconform.model.target import is_url

        if not is_url(spec) and not Path(spec).is_file():
            raise CommandError(f"OpenAPI document not found: {spec}")
    if args.output:
        from cgconform.report.files import OutputError, check_output_file

        try:
            check_output_file(Path(args.output))
        except OutputError as exc:
            raise CommandError(str(exc)) from None
    try:
        reports = lint_paths(
            args.specs,
            args.adr_version,
            profile_id=args.profile,
            command=command,
            offline=args.offline,
            jobs=args.jobs,
        )
    except (CatalogueError, ConfigError) as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        text = json.dumps({"documents": reports}, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "sarif":
        from cgconform.report.sarif import render_sarif

        text = json.dumps(render_sarif(reports), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "junit":
        from cgconform.report.junit import render_junit_many

        text = render_junit_many(reports)
    else:
        text = render_lint_text(reports, lang=args.lang)
    if args.output:
        write_file(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return exit_code(run_verdict(RunVerdict(r["verdict"]) for r in reports))


def write_file(path: Path, text: str) -> None:
    """One output file, written atomically; a failure is a one-line usage error."""
    from cgconform.report.files import write_text

    try:
        write_text(path, text)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
