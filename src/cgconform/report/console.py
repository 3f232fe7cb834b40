"""The console: a progress display while a run lasts, and a summary of report.json after."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.markup import escape as _rich_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cgconform.report.labels import VERDICT_SYMBOLS

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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: str) -> str:
    """Target-supplied text: no rich markup, no terminal control sequences."""
    return _rich_escape(_CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(text)))


class ProgressDisplay:
    """A transient rich progress bar on stderr; silent when stderr is not a terminal."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._console = Console(stderr=True)
        self._enabled = enabled and self._console.is_terminal
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> ProgressDisplay:
        if self._enabled:
            self._progress = Progress(
                TextColumn("[bold]checks"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("checks", total=None)
        return self

    def update(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def print_summary(
    report: dict[str, Any],
    written: Sequence[Path],
    *,
    lang: str = "en",
    console: Console | None = None,
) -> None:
    out = console or Console(file=sys.stdout, highlight=False)
    tool, target = report["tool"], report["target"]
    out.print(f"[bold]{tool['name']} {escape(tool['version'])}[/] — {escape(target['name'])}")
    for profile in report["profiles"]:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(profile["counts"].items()))
        text = _RUN_TEXT[lang].get(profile["verdict"], profile["verdict"])
        out.print(
            f"\n[bold]{escape(profile['id'])}[/] ({escape(profile['standard'])} "
            f"{escape(profile['standard_version'])}): "
            f"[{_RUN_STYLE.get(profile['verdict'], 'bold')}]{text}[/]  [dim]{escape(counts)}[/]"
        )
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(overflow="fold", ratio=1)
        for result in report["results"]:
            if result["profile"] != profile["id"]:
                continue
            verdict = result["verdict"]
            title = escape(result["title"].get(lang) or result["title"]["en"])
            detail = result.get("message") or result.get("reason") or ""
            if detail and verdict != "not_applicable":  # a pass may say what it covered
                title += f"\n[dim]{escape(_first_line(detail))}[/]"
            style = _STYLE.get(verdict, "")
            table.add_row(
                f"  [{style}]{_SYMBOL.get(verdict, '?')} {verdict}[/]",
                escape(result["requirement"]),
                title,
            )
        out.print(table)
    verdict = report["verdict"]
    out.print(
        f"\n{'Oordeel' if lang == 'nl' else 'Verdict'}: "
        f"[{_RUN_STYLE.get(verdict, 'bold')}]{_RUN_TEXT[lang].get(verdict, verdict)}[/]"
    )
    budget = report["run"]["budget"]
    out.print(f"[dim]requests sent: {budget.get('requests_sent', 0)}[/]")
    for path in written:
        out.print(f"[dim]report: {escape(str(path))}[/]")
