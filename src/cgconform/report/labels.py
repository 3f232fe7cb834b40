"""Symbols that go with verdicts in every human-readable format (never colour alone)."""

from __future__ import annotations

VERDICT_SYMBOLS = {
    "pass": "✓",
    "fail": "✗",
    "error": "‼",
    "warning": "!",
    "inconclusive": "?",
    "not_tested": "-",
    "needs_review": "☐",
    "not_applicable": "·",
}
RUN_SYMBOLS = {"conformant": "✓", "not_conformant": "✗", "inconclusive": "?", "error": "‼"}
