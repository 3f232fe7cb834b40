"""What the application checks share: which processings count, how a finding shows the
records and the request behind it, and the small tests of values (a URI, a BSN)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from cgconform.model.outcomes import NotTested
from cgconform.suites.logboek.harness.records import (
    ACTIVITY,
    FOREIGN,
    PROCESSOR,
    READ_API,
    SUBJECT,
    SUBJECT_TYPE,
    Record,
)
from cgconform.suites.logboek.harness.session import Observations, Sent

CORE = "Logboek-Dataverwerkingen"
READ = "Logboek-Extensie-Lezen"
HEALTHY = ("fresh", "continued", "unsampled", "invalid-traceparent")
MAX_LINES = 8
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_STANDARD_NAMES = frozenset(
    {
        SUBJECT,
        SUBJECT_TYPE,
        ACTIVITY,
        PROCESSOR,
        FOREIGN + "trace_id",
        FOREIGN + "span_id",
        READ_API,
    }
)


def served(sent: Sent) -> bool:
    """The application handled the processing (an answer below 500)."""
    return sent.answered and (sent.status or 0) < 500


def healthy(observations: Observations) -> list[Sent]:
    """Processings with working sources that the application served."""
    return [s for s in observations.of(*HEALTHY) if served(s)]


def traced(sents: Iterable[Sent]) -> list[Sent]:
    return [s for s in sents if s.trace_id]


def need(items: Sequence[Any], reason: str) -> None:
    if not items:
        raise NotTested(reason)


def record_lines(records: Iterable[Record], limit: int = MAX_LINES) -> str:
    records = list(records)
    lines = [f"  {r.line()}" for r in records[:limit]]
    if len(records) > limit:
        lines.append(f"  ... and {len(records) - limit} more")
    return "\n".join(lines)


def evidence(
    sents: Iterable[Sent] = (), records: Iterable[Record] = (), note: str = ""
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for sent in list(sents)[:3]:
        items += sent.evidence()
    shown = list(records)
    if shown:
        items.append({"note": "records received:\n" + record_lines(shown, 20)})
    if note:
        items.append({"note": note})
    return items


def is_uri(value: Any) -> bool:
    """An absolute URI (RFC 3986: a scheme, then something)."""
    return isinstance(value, str) and bool(_SCHEME.match(value.strip()))


def is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(re.match(r"^https?://[^\s/]+", value.strip()))


def passes_eleven_test(value: Any) -> bool:
    """A 9-digit number that passes the BSN eleven-test ("elfproef")."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{9}", text) or text == "000000000":
        return False
    digits = [int(c) for c in text]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def subject_values(value: Any) -> list[str]:
    """The subjects one record names: a list attribute names each of its items."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]


def by_key(records: Iterable[Record]) -> dict[tuple[str, str], Record]:
    """Records by (trace id, span id): span ids need only be unique within their trace."""
    return {(r.trace_id, r.span_id): r for r in records}


def ancestors(record: Record, records: dict[tuple[str, str], Record]) -> list[Record]:
    """The actions above `record` in its trace, nearest first (`records`: by_key())."""
    chain: list[Record] = []
    seen = {record.span_id}
    current = record
    while current.parent_span_id and (current.trace_id, current.parent_span_id) in records:
        current = records[(current.trace_id, current.parent_span_id)]
        if current.span_id in seen:
            break
        seen.add(current.span_id)
        chain.append(current)
    return chain


def scenario_summary(observations: Observations) -> str:
    counts: dict[str, int] = {}
    for sent in observations.sent:
        counts[sent.scenario] = counts.get(sent.scenario, 0) + 1
    parts = ", ".join(f"{n}x {s}" for s, n in counts.items())
    return f"{len(observations.sent)} processings ({parts}), {len(observations.records)} records"


def misspelt(records: Iterable[Record], key: str) -> str:
    """A hint when the records carry an attribute whose name is close to `key` but not it (e.g.
    MinBZK logboek-go's `dpl.core.procsssing_activity_id`): empty when there is none."""
    names = {k for r in records for k in r.attributes if k not in _STANDARD_NAMES}
    close = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.85)
    if not close:
        return ""
    return f" (the records do carry {close[0]!r}: a misspelling of {key!r}?)"
