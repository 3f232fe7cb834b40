"""The `cgconform` command line (DESIGN.md §5).

Imports are lazy: `cgconform --version` and `cgconform profiles` must stay cheap, so nothing
heavy (pytest, requests, schemathesis, hypothesis) is imported before a command needs it.
Every usage or configuration error is one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from cgconform import __version__

if TYPE_CHECKING:
    from cgconform.cli.extensions import Command

EXIT_USAGE = 2
FORMATS = ("json", "junit", "sarif", "earl", "html")
DEFAULT_FORMATS = ("json", "junit", "html")
LINT_FORMATS = ("text", "json", "sarif", "junit")


class UsageError(Exception):
    """Wrong arguments or configuration: printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"cgconform: error: {message}\n")


def _formats(value: str) -> list[str]:
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown)} (available: {', '.join(FORMATS)})"
        )
    return chosen


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must not be negative")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value!r} must not be negative")
    return number


def _at_least_one(value: str) -> int:
    number = _positive_int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be at least 1")
    return number


def _shard(value: str) -> Any:
    from cgconform.model.shards import Shard

    try:
        return Shard.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_target_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", metavar="TOML", help="target configuration file")
    parser.add_argument("--url", help="base URL of the system under test")
    parser.add_argument("--spec", metavar="PATH|URL", help="OpenAPI document of the target")
    parser.add_argument("--max-requests", type=_positive_int, metavar="N")
    parser.add_argument("--rate-limit", type=_positive_float, metavar="RPS")
    parser.add_argument("--timeout", type=_positive_float, metavar="SECONDS")
    parser.add_argument(
        "--allow-writes",
        action="append",
        default=[],
        metavar="'METHOD /path'|'*'",
        help="operations that may change state (default: only safe methods are sent)",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: value'",
        help="a plain (non-secret) header for every request, shown in reports (repeatable; "
        "wins over [headers] in the target file)",
    )


BUILTIN = ("run", "lint", "profiles", "doctor", "demo", "report", "replay", "campaign")


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every requirement in the summary (default: passes as one count per profile)",
    )


def build_parser(extensions: Mapping[str, Command] | None = None) -> argparse.ArgumentParser:
    """The parser of the built-in commands, plus the commands roles add (extensions.py)."""
    parser = _Parser(
        prog="cgconform",
        description="Conformance tests for the Dutch Common Ground ecosystem.",
    )
    parser.add_argument("--version", action="version", version=f"cgconform {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run profiles against a target and write reports")
    run.add_argument("--profile", action="append", required=True, metavar="P")
    _add_target_args(run)
    run.add_argument("--report-dir", default="reports", metavar="DIR")
    run.add_argument("--format", type=_formats, default=list(DEFAULT_FORMATS), metavar="F,F")
    run.add_argument("--waivers", metavar="FILE", help="waivers.yaml: accepted failures")
    run.add_argument("--lang", choices=("nl", "en"), default="en")
    run.add_argument("--seed", type=_positive_int)
    run.add_argument("--strict", action="store_true", help="needs_review blocks (certification)")
    run.add_argument("--adr-version", metavar="2.1|2.2", help="ADR version to apply (default 2.2)")
    run.add_argument("--quiet", action="store_true", help="no progress display")
    _add_verbose(run)
    run.add_argument(
        "--deadline",
        type=_positive_float,
        metavar="SECONDS",
        help="wall-clock limit for the whole run: then no new request is sent and what is left "
        "is not_tested (default: none; [budget] deadline in target.toml)",
    )
    run.add_argument(
        "--shard",
        type=_shard,
        metavar="i/n",
        help="run only shard i of n (a stable part of the requirements; needs --seed); "
        "join the shards' reports with `cgconform report merge`",
    )

    run.add_argument(
        "--record",
        metavar="CASSETTE.yaml",
        help="also write every exchange (redacted) to this cassette, for `cgconform replay`",
    )
    _add_replay_parser(sub)
    _add_campaign_parser(sub)

    lint = sub.add_parser("lint", help="ADR checks on OpenAPI documents (fast, no target)")
    lint.add_argument("specs", nargs="+", metavar="SPEC_OR_URL")
    lint.add_argument("--format", choices=LINT_FORMATS, default="text")
    lint.add_argument("--adr-version", metavar="2.1|2.2", help="ADR version (default 2.2)")
    lint.add_argument("--profile", default="adr-openapi", help=argparse.SUPPRESS)
    lint.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    lint.add_argument("--lang", choices=("nl", "en"), default="en")
    lint.add_argument(
        "--offline", action="store_true", help="do not fetch documents remote $refs point to"
    )
    lint.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        metavar="N",
        help="documents linted at once, a process each (default: one per CPU; 1: one by one)",
    )

    profiles = sub.add_parser("profiles", help="list profiles, or the requirements of one")
    profiles.add_argument("profile", nargs="?")
    profiles.add_argument("--format", choices=("text", "json"), default="text")

    doctor = sub.add_parser("doctor", help="preflight: is the target ready to be tested?")
    _add_target_args(doctor)

    demo = sub.add_parser("demo", help="run the built-in demo and write its reports")
    demo.add_argument("--report-dir", default="reports", metavar="DIR")
    demo.add_argument("--lang", choices=("nl", "en"), default="en")
    _add_verbose(demo)

    for name, command in sorted((extensions or {}).items()):
        command.configure(sub.add_parser(name, help=command.help))

    report = sub.add_parser("report", help="work with report.json files")
    report_sub = report.add_subparsers(
        dest="report_command", metavar="ACTION", parser_class=_Parser
    )
    diff = report_sub.add_parser("diff", help="regressions and fixes between two reports")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    render = report_sub.add_parser("render", help="render report.json into other formats")
    render.add_argument("report")
    render.add_argument("--format", type=_formats, default=["junit"], metavar="F,F")
    render.add_argument("--lang", choices=("nl", "en"), default="en")
    render.add_argument("--out", default=".", metavar="DIR")
    merge = report_sub.add_parser(
        "merge",
        help="join shard outputs into one: the report.json files (or report folders) of "
        "`run --shard`, or the report folders of `campaign --shard`",
    )
    merge.add_argument("reports", nargs="+", metavar="REPORT|DIR")
    merge.add_argument("--out", required=True, metavar="DIR")
    merge.add_argument(
        "--format",
        type=_formats,
        metavar="F,F",
        help="default: json,junit (run shards); json,junit,html,sarif (campaign shards)",
    )
    merge.add_argument("--lang", choices=("nl", "en"), default="en")
    merge.add_argument(
        "--previous",
        metavar="DIR",
        help="campaigns: the previous campaign's report folder, to show what changed since",
    )
    _add_verbose(merge)
    sign = report_sub.add_parser("sign", help="a detached JWS over report.json's exact bytes")
    sign.add_argument("report")
    sign.add_argument("--key", required=True, metavar="KEY.pem")
    sign.add_argument("--cert", metavar="CERT.pem", help="put the certificate in the header")
    sign.add_argument("--key-password", metavar="env:NAME|file:PATH")
    sign.add_argument("--out", metavar="FILE", help="default: REPORT.jws")
    verify = report_sub.add_parser("verify", help="check a report against its signature")
    verify.add_argument("report")
    verify.add_argument("--cert", required=True, metavar="CERT.pem")
    verify.add_argument("--sig", metavar="FILE", help="default: REPORT.jws")
    return parser


def _add_replay_parser(sub: Any) -> None:
    replay = sub.add_parser(
        "replay", help="re-run profiles' checks against a recorded run (--record), offline"
    )
    replay.add_argument("cassette", metavar="CASSETTE.yaml")
    replay.add_argument("--profile", action="append", required=True, metavar="P")
    replay.add_argument(
        "--target", metavar="TOML", help="target configuration (default: the recorded one)"
    )
    replay.add_argument("--spec", metavar="PATH|URL", help="OpenAPI document of the target")
    replay.add_argument("--report-dir", default="reports", metavar="DIR")
    replay.add_argument("--format", type=_formats, default=list(DEFAULT_FORMATS), metavar="F,F")
    replay.add_argument("--waivers", metavar="FILE", help="waivers.yaml: accepted failures")
    replay.add_argument("--lang", choices=("nl", "en"), default="en")
    replay.add_argument("--seed", type=_positive_int, help="default: the recorded run's seed")
    replay.add_argument("--strict", action="store_true", help="needs_review blocks")
    replay.add_argument("--adr-version", metavar="2.1|2.2", help="ADR version (default 2.2)")
    replay.add_argument("--quiet", action="store_true", help="no progress display")
    _add_verbose(replay)


def _add_campaign_parser(sub: Any) -> None:
    campaign = sub.add_parser(
        "campaign",
        help="run many targets (a campaign file) and write an overview of them",
        description="Run every target of a campaign file, each as `cgconform run` would (its "
        "reports in DIR/<target-id>/), at most --jobs at once, and write the overview: "
        "campaign.json, campaign.html, campaign.junit.xml and campaign.sarif. Exit code: the "
        "worst target verdict's (0 conformant, 1 not conformant, 3 inconclusive or error); "
        "2 for a usage or configuration error of the campaign itself.",
    )
    campaign.add_argument("campaign", nargs="?", metavar="CAMPAIGN.toml")
    campaign.add_argument("--report-dir", default="reports", metavar="DIR")
    campaign.add_argument(
        "--jobs",
        "-j",
        type=_at_least_one,
        metavar="N",
        help="targets run at once, each in a process of its own (default: `jobs` in the "
        "campaign file, else one per CPU)",
    )
    campaign.add_argument(
        "--shard",
        type=_shard,
        metavar="i/n",
        help="run only shard i of n (a stable part of the targets); join the shards' report "
        "folders with `cgconform report merge`",
    )
    campaign.add_argument(
        "--previous",
        metavar="DIR",
        help="the previous campaign's report folder: the overview shows what improved and "
        "what regressed per target",
    )
    campaign.add_argument(
        "--format",
        type=_formats,
        metavar="F,F",
        help="each target's reports and the overview's (default: json,junit,html,sarif)",
    )
    campaign.add_argument("--lang", choices=("nl", "en"), default="en")
    campaign.add_argument(
        "--seed", type=_positive_int, help="one seed for every target (default: per target)"
    )
    campaign.add_argument("--strict", action="store_true", help="needs_review blocks")
    campaign.add_argument("--adr-version", metavar="2.1|2.2", help="ADR version (default 2.2)")
    campaign.add_argument("--quiet", action="store_true", help="no progress display")
    _add_verbose(campaign)
    campaign.add_argument(
        "--ci-template",
        choices=("gitlab", "github"),
        help="print the CI template that runs this campaign in shards and merges them "
        "(GitLab CI parallel:matrix, GitHub Actions matrix)",
    )


def _needs_extensions(argv: Sequence[str]) -> bool:
    """Only a command that is not built in (or a request for the full help) reads the
    extension entry points: `lint` and `run` must not pay for importlib.metadata."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None:
        return "--version" not in argv
    return first not in BUILTIN


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extensions: dict[str, Command] = {}
    if _needs_extensions(argv):
        from cgconform.cli.extensions import ExtensionError, commands

        try:
            extensions = commands()
        except ExtensionError as exc:
            print(f"cgconform: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    parser = build_parser(extensions)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _dispatch(args, parser, extensions)
    except UsageError as exc:
        print(f"cgconform: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cgconform: interrupted", file=sys.stderr)
        return 130


def _dispatch(
    args: argparse.Namespace, parser: argparse.ArgumentParser, extensions: Mapping[str, Command]
) -> int:
    from cgconform.cli import commands

    argv_text = "cgconform " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    handlers: dict[str, Any] = {
        "run": lambda: commands.run(args, argv_text),
        "profiles": lambda: commands.profiles(args),
        "lint": lambda: commands.lint(args, argv_text),
        "doctor": lambda: commands.doctor(args),
        "demo": lambda: commands.demo(args),
        "report": lambda: _report(args),
        "replay": lambda: commands.replay(args, argv_text),
        "campaign": lambda: _campaign(args, argv_text),
    }
    handlers.update({name: (lambda c=command: c.run(args)) for name, command in extensions.items()})
    if args.command == "report" and args.report_command is None:
        parser.parse_args(["report", "--help"])
    from cgconform.model.target import ConfigError

    try:
        result: int = handlers[args.command]()
    except (commands.CommandError, ConfigError) as exc:
        raise UsageError(str(exc)) from None
    return result


def _campaign(args: argparse.Namespace, argv_text: str) -> int:
    from cgconform.cli import campaign

    return campaign.campaign(args, argv_text)


def _report(args: argparse.Namespace) -> int:
    """`report merge` of campaign outputs goes to cli.campaign; everything else to commands."""
    from cgconform.cli import campaign, commands

    if args.report_command == "merge" and campaign.is_campaign_output(args.reports):
        return campaign.merge(args)
    return commands.report(args)


def entry() -> None:
    raise SystemExit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
