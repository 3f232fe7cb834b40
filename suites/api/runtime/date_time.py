"""Dates and times in responses: /core/date-time/format (RFC 3339 with an offset) and
/core/date-time/timezone (responses SHOULD use UTC)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cgconform.http.evidence import Exchange, TruncatedBody
from cgconform.model.outcomes import Failure, NotTested, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest
from cgconform.suites.api.runtime._contract import raise_if_cut

# Anything that starts like a date-time: judged against RFC 3339 as ADR narrows it.
LOOKS_LIKE_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d")
RFC3339 = re.compile(
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)


def _values(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _values(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _values(value, f"{path}[{i}]")
    elif isinstance(node, str) and LOOKS_LIKE_DATE_TIME.match(node):
        yield path, node


def _date_times(api: ApiUnderTest) -> tuple[list[tuple[Exchange, str, str]], list[Exchange]]:
    """The date-time values in successful JSON answers, and the successful answers whose body
    was cut at the size cap (not read: they may hold more)."""
    found: list[tuple[Exchange, str, str]] = []
    cut: list[Exchange] = []
    successful = [e for e in _probes.everything(api) if e.status < 300]
    for exchange in successful:
        try:
            body = exchange.json()
        except TruncatedBody:
            cut.append(exchange)
            continue
        except ValueError:
            continue
        found.extend((exchange, field, value) for field, value in _values(body))
    if not found:
        raise_if_cut(cut, len(successful), "successful answers")
        raise NotTested(
            "no date-time values in the successful JSON answers to "
            f"{_probes.coverage(_probes.successful_reads(api), api)}"
        )
    return found, cut


@requirement("ADR", "/core/date-time/format")
def date_times_in_responses_are_rfc3339(api: ApiUnderTest) -> None:
    values, cut = _date_times(api)
    wrong = [(e, f, v) for e, f, v in values if not RFC3339.match(v)]
    if wrong:
        exchange, field, value = wrong[0]
        raise Failure(
            f"{len(wrong)} date-time value(s) are not RFC 3339 with an offset ('T' and 'Z' in "
            f"upper case, no -00:00), e.g. {field} = {value!r} in "
            f"{exchange.request.method} {exchange.request.url}",
            evidence=[e.to_evidence() for e, _, _ in wrong[:5]],
        )
    raise_if_cut(cut, len(_probes.distinct(e for e, _, _ in values)) + len(cut), "answers")
    raise Passed(
        f"{len(values)} date-time values in "
        f"{_probes.coverage(_probes.distinct(e for e, _, _ in values), api)}"
    )


@requirement("ADR", "/core/date-time/timezone")
def date_times_in_responses_are_utc(api: ApiUnderTest) -> None:
    values, cut = _date_times(api)
    local = [(e, f, v) for e, f, v in values if RFC3339.match(v) and not v.endswith("Z")]
    if local:
        exchange, field, value = local[0]
        raise Warning(
            f"{len(local)} date-time value(s) in responses are not in UTC; ADR: they SHOULD be "
            f"(offset Z), e.g. {field} = {value!r} in {exchange.request.url}",
            evidence=[e.to_evidence() for e, _, _ in local[:5]],
        )
    raise_if_cut(cut, len(_probes.distinct(e for e, _, _ in values)) + len(cut), "answers")
