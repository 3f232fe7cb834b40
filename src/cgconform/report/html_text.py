"""Values from report.json as display text for the HTML page.

A target under test can put anything in the headers, bodies and messages it causes, and a
report.json can hold any type where another is expected, so every value is read here first:
cleaned (control, format and bidi characters as visible escapes), shortened to a limit (the
page says how much was cut; report.json keeps it all), checked before it becomes a link, and
numbers, times and durations formatted only when they are what they claim to be.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

# How much of one value the page shows; report.json keeps all of it.
LIMIT_SHORT = 300  # names, ids, titles, levels, header lines
LIMIT_FIRST_LINE = 160  # a message's first line in the table
LIMIT_TEXT = 4000  # messages, reasons, notes, body excerpts
LIMIT_REPRODUCE = 8000  # a curl command: long enough to stay copyable
LIMIT_URL = 2000  # a requirement URL that becomes a link
MAX_HEADERS = 100  # header lines per request or response
MAX_EVIDENCE = 50  # evidence items per result
MAX_CHECKS = 100  # checks per result

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_URL = re.compile(r"https?://[^\s\"'<>`\\{}|^]+", re.IGNORECASE)


@dataclass(frozen=True)
class Text:
    """A value from the report, cleaned for display: ``omitted`` characters were cut off."""

    value: str
    omitted: int = 0

    def __bool__(self) -> bool:
        return bool(self.value) or self.omitted > 0


def clean(value: Any, *, multiline: bool = False) -> str:
    """``value`` as display text: control, format and bidi characters as visible escapes.

    Tabs stay; newlines stay when ``multiline`` (CRLF becomes LF), else they are escaped too.
    """
    text = value if isinstance(value, str) else stringify(value)
    if multiline:
        text = text.replace("\r\n", "\n")
    out: list[str] = []
    for char in text:
        if char == "\t" or (char == "\n" and multiline):
            out.append(char)
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES or _noncharacter(char):
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


def shorten(value: Any, limit: int, *, multiline: bool = False) -> Text:
    """``value`` cleaned and cut to ``limit`` characters (counted before cleaning)."""
    text = value if isinstance(value, str) else stringify(value)
    omitted = max(0, len(text) - limit)
    if omitted:
        text = text[:limit]
    return Text(clean(text, multiline=multiline), omitted)


def link_target(url: Any) -> str | None:
    """``url`` when it is a plain absolute ``http``/``https`` URL that may become a link."""
    if not isinstance(url, str) or len(url) > LIMIT_URL or not _URL.fullmatch(url):
        return None
    if clean(url) != url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def stringify(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


# --- small formatters ----------------------------------------------------------------------


def joined(*values: Any) -> str:
    return " ".join(text for text in map(stringify, values) if text)


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else []


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def format_count(value: Any) -> str:
    return str(value) if is_count(value) else "?"


def format_seconds(value: Any) -> str:
    if not is_number(value):
        return ""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.1f} s"


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None


def format_date(value: Any) -> str:
    moment = _parse_time(value)
    if moment is None:
        return clean(value)[:LIMIT_SHORT]
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    offset = moment.utcoffset()
    if offset is not None and not offset:
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC%z")


def format_duration(start: Any, end: Any) -> str:
    first, last = _parse_time(start), _parse_time(end)
    if first is None or last is None or (first.tzinfo is None) != (last.tzinfo is None):
        return ""
    seconds = (last - first).total_seconds()
    if seconds < 0:
        return ""
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min {rest} s"
    if minutes:
        return f"{minutes} min {rest} s"
    return f"{seconds:.1f} s"
