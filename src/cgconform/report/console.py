"""The console: a progress display while a run (or a campaign) lasts, and a summary after.

The summary of a run shows what needs attention in detail (failures, warnings, and every
other verdict that is not a pass) and collapses the passes of each profile into one count
line; `verbose` lists every requirement. Lines are never wrapped or cut at the terminal's
width (a CI log is read whole, and ids and URLs must stay copyable). The progress display
is drawn only on a terminal, and never on CI (`CI=true`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.markup import escape as _rich_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cgconform.report.labels import RUN_SYMBOLS, VERDICT_SYMBOLS

_STYLE = {
    "pass": "green",
    "fail": "bold red",
    "error": "bold magenta",
    "warning": "yellow",
    "inconclusive": "red",
    "not_tested": "red",
    "needs_review": "cyan",
    "not_applicable": "dim",
}
_SYMBOL = VERDICT_SYMBOLS
# Worst first (DESIGN.md §4), for listing what needs attention first.
_ORDER = (
    "error",
    "fail",
    "inconclusive",
    "needs_review",
    "not_tested",
    "warning",
    "pass",
    "not_applicable",
)
_COLLAPSED = frozenset({"pass", "not_applicable"})  # one count line unless verbose
_RUN_STYLE = {
    "conformant": "bold green",
    "not_conformant": "bold red",
    "inconclusive": "bold yellow",
    "error": "bold magenta",
}
_RUN_TEXT = {
    "en": {
        "conformant": "CONFORMANT",
        "not_conformant": "NOT CONFORMANT",
        "inconclusive": "INCONCLUSIVE",
        "error": "ERROR (run invalid)",
    },
    "nl": {
        "conformant": "CONFORM",
        "not_conformant": "NIET CONFORM",
        "inconclusive": "ONBESLIST",
        "error": "FOUT (run ongeldig)",
    },
}
_WORDS = {
    "en": {
        "verdict": "Verdict",
        "requests": "requests sent",
        "report": "report",
        "more": "-v lists them",
        "targets": "targets",
        "campaign": "campaign",
        "most_failed": "Failed most often",
        "of": "of",
        "since": "Since the previous campaign",
        "improved": "improved",
        "regressed": "regressed",
        "new": "new",
        "overview": "overview",
        "target_error": "ERROR",
    },
    "nl": {
        "verdict": "Oordeel",
        "requests": "verzonden verzoeken",
        "report": "rapport",
        "more": "-v toont ze",
        "targets": "systemen",
        "campaign": "campagne",
        "most_failed": "Vaakst niet voldaan",
        "of": "van",
        "since": "Sinds de vorige campagne",
        "improved": "verbeterd",
        "regressed": "verslechterd",
        "new": "nieuw",
        "overview": "overzicht",
        "target_error": "FOUT",
    },
}
_CAMPAIGN_TEXT = {  # an error cell is a target that could not be tested, not an invalid run
    "en": {"error": "ERROR (a target could not be tested)"},
    "nl": {"error": "FOUT (een systeem kon niet getest worden)"},
}
MESSAGE_LIMIT = 300  # characters of a message's first line in the summary
_ID_WIDTH = 48  # requirement ids longer than this are not padded to the others

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """Target-supplied text: no rich markup, no terminal control sequences."""
    return _rich_escape(_CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(text)))


def on_ci() -> bool:
    """Whether this runs on a CI system (GitLab CI, GitHub Actions, ... set CI=true)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _console(file: Any = None) -> Console:
    return Console(file=file or sys.stdout, highlight=False, soft_wrap=True)


class ProgressDisplay:
    """A transient progress bar on stderr: only on a terminal, never on CI. `label` says
    what is counted (checks, targets); `update` may name what is running."""

    def __init__(
        self, *, enabled: bool = True, label: str = "checks", refresh_thread: bool = True
    ) -> None:
        self._console = Console(stderr=True)
        self._enabled = enabled and self._console.is_terminal and not on_ci()
        self._label = label
        # A campaign forks its targets' processes while this shows: a process with threads
        # can deadlock a forked child, so it refreshes on update only.
        self._refresh_thread = refresh_thread
        self._progress: Progress | None = None
        self._task: Any = None

    @property
    def enabled(self) -> bool:
        return self._enabled

    def __enter__(self) -> ProgressDisplay:
        if self._enabled:
            self._progress = Progress(
                TextColumn(f"[bold]{escape(self._label)}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}", style="dim"),
                console=self._console,
                transient=True,
                auto_refresh=self._refresh_thread,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=None)
        return self

    def update(self, done: int, total: int, running: Sequence[str] = ()) -> None:
        if self._progress is not None:
            names = ", ".join(running)
            description = escape(names if len(names) <= 60 else names[:59] + "…")
            self._progress.update(self._task, completed=done, total=total, description=description)
            if not self._refresh_thread:
                self._progress.refresh()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


def _first_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _counts(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def _run_text(verdict: str, lang: str) -> str:
    return f"[{_RUN_STYLE.get(verdict, 'bold')}]{_RUN_TEXT[lang].get(verdict, escape(verdict))}[/]"


def print_summary(
    report: dict[str, Any],
    written: Sequence[Path],
    *,
    lang: str = "en",
    console: Console | None = None,
    verbose: bool = False,
) -> None:
    """A run's summary: per profile its verdict and counts, then what needs attention, one
    requirement per line (its message's first line below it), then one count line of the
    passes (`verbose`: every requirement is listed)."""
    out = console or _console()
    words = _WORDS[lang]
    tool, target = report["tool"], report["target"]

    def say(text: str = "") -> None:
        out.print(text, soft_wrap=True)

    say(f"[bold]{tool['name']} {escape(tool['version'])}[/] — {escape(target['name'])}")
    for profile in report["profiles"]:
        say(
            f"\n[bold]{escape(profile['id'])}[/] ({escape(profile['standard'])} "
            f"{escape(profile['standard_version'])}): {_run_text(profile['verdict'], lang)}  "
            f"[dim]{escape(_counts(profile['counts']))}[/]"
        )
        results = [r for r in report["results"] if r["profile"] == profile["id"]]
        shown = sorted(
            (r for r in results if verbose or r["verdict"] not in _COLLAPSED),
            key=lambda r: _ORDER.index(r["verdict"]) if r["verdict"] in _ORDER else -1,
        )
        for line in _result_lines(shown, lang):
            say(line)
        collapsed = {} if verbose else _collapsed(results)
        if collapsed:
            parts = [f"[{_STYLE[v]}]{_SYMBOL[v]} {v}[/] {n}" for v, n in collapsed.items()]
            say(f"  {'  '.join(parts)}  [dim]({words['more']})[/]")
    say(f"\n{words['verdict']}: {_run_text(report['verdict'], lang)}")
    budget = report["run"]["budget"]
    say(f"[dim]{words['requests']}: {budget.get('requests_sent', 0)}[/]")
    for path in written:
        say(f"[dim]{words['report']}: {escape(str(path))}[/]")


def _collapsed(results: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for verdict in ("pass", "not_applicable"):
        n = sum(r["verdict"] == verdict for r in results)
        if n:
            counts[verdict] = n
    return counts


def _result_lines(results: Sequence[Mapping[str, Any]], lang: str) -> list[str]:
    if not results:
        return []
    label = max(len(r["verdict"]) for r in results)
    width = min(_ID_WIDTH, max(len(r["requirement"]) for r in results))
    lines = []
    for result in results:
        verdict = result["verdict"]
        title = result["title"].get(lang) or result["title"]["en"]
        style = _STYLE.get(verdict, "")
        requirement = escape(result["requirement"].ljust(width))
        lines.append(
            f"  [{style}]{_SYMBOL.get(verdict, '?')} {escape(verdict.ljust(label))}[/] "
            f"{requirement}  {escape(title)}"
        )
        detail = result.get("message") or result.get("reason") or ""
        if detail and verdict != "not_applicable":  # a pass may say what it covered
            indent = " " * (label + 5)
            lines.append(f"{indent}[dim]{escape(_first_line(detail))}[/]")
    return lines


# --- a campaign ----------------------------------------------------------------------------


def print_campaign_summary(
    campaign: Mapping[str, Any],
    written: Sequence[Path],
    *,
    lang: str = "en",
    console: Console | None = None,
    verbose: bool = False,
) -> None:
    """A campaign's summary: every target that is not conformant on a line of its own, with
    each profile's verdict and counts (or its error), the conformant ones on one line; the
    requirements failed most often; what changed; the campaign verdict (`verbose`: every
    target, and the requirements each one fails)."""
    out = console or _console()
    words = _WORDS[lang]

    def say(text: str = "") -> None:
        out.print(text, soft_wrap=True)

    meta = campaign["campaign"]
    targets = campaign["targets"]
    shard = meta.get("shard")
    part = f" (shard {shard['index']}/{shard['count']})" if shard else ""
    say(
        f"[bold]cgconform {escape(campaign['tool']['version'])}[/] — {words['campaign']} "
        f"{escape(meta['name'])}{part}: {len(targets)} {words['targets']}"
    )
    width = max((len(_label(t)) for t in targets), default=0)
    conformant = [t for t in targets if t["verdict"] == "conformant"]
    for target in targets:
        if target["verdict"] == "conformant" and not verbose:
            continue
        say(_target_line(target, width, lang))
        if verbose:
            for finding in target["findings"]:
                say(
                    f"      [{_STYLE[finding['verdict']]}]{_SYMBOL[finding['verdict']]}[/] "
                    f"{escape(finding['profile'])} {escape(finding['requirement'])}"
                )
    if conformant and not verbose:
        names = ", ".join(escape(t["name"]) for t in conformant)
        say(f"  [green]{RUN_SYMBOLS['conformant']} conformant[/] {len(conformant)}: {names}")
    top = campaign["most_failed"][:5]
    if top:
        say(f"\n{words['most_failed']}:")
        for item in top:
            title = item["title"].get(lang) or item["title"].get("en") or ""
            say(
                f"  {item['count']} {words['of']} {len(targets)}  "
                f"{escape(item['requirement'])}  [dim]{escape(title)}[/]"
            )
    summary = campaign["summary"]
    if "improved" in summary:
        say(
            f"\n{words['since']}: {summary['improved']} {words['improved']}, "
            f"{summary['regressed']} {words['regressed']}, {summary['new']} {words['new']}"
        )
    counts = ", ".join(
        f"{v} {summary[v]}"
        for v in ("conformant", "not_conformant", "inconclusive", "error")
        if summary[v]
    )
    verdict = campaign["verdict"]
    text = _CAMPAIGN_TEXT[lang].get(verdict) or _RUN_TEXT[lang].get(verdict, escape(verdict))
    say(f"\n{words['verdict']}: [{_RUN_STYLE.get(verdict, 'bold')}]{text}[/]  [dim]{counts}[/]")
    for path in written:
        say(f"[dim]{words['overview']}: {escape(str(path))}[/]")


def _label(target: Mapping[str, Any]) -> str:
    organisation = target.get("organisation")
    return f"{target['name']} ({organisation})" if organisation else str(target["name"])


def _target_line(target: Mapping[str, Any], width: int, lang: str) -> str:
    verdict = target["verdict"]
    symbol = RUN_SYMBOLS.get(verdict, "?")
    head = (
        f"  [{_RUN_STYLE.get(verdict, 'bold')}]{symbol} {escape(verdict.ljust(14))}[/] "
        f"{escape(_label(target).ljust(width))}"
    )
    if target.get("reason") and not target.get("reports"):
        return f"{head}  {escape(_first_line(target['reason']))}"
    cells = [
        f"{escape(p['id'])}: {RUN_SYMBOLS.get(p['verdict'], '?')} {escape(p['verdict'])} "
        f"[dim]{escape(_counts(p['counts']))}[/]"
        for p in target["profiles"]
    ]
    line = f"{head}  {' | '.join(cells)}"
    if target.get("reason"):
        line += f"  [dim]({escape(_first_line(target['reason']))})[/]"
    return line
