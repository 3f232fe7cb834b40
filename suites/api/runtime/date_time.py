"""Dates and times in responses: /core/date-time/format (RFC 3339 with an offset) and
/core/date-time/timezone (responses SHOULD use UTC)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, NotTested, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest

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


def _date_times(api: ApiUnderTest) -> list[tuple[Exchange, str, str]]:
    found: list[tuple[Exchange, str, str]] = []
    for exchange in _probes.everything(api):
        if exchange.status >= 300:
            continue
        try:
            body = exchange.json()
        except ValueError:
            continue
        found.extend((exchange, field, value) for field, value in _values(body))
    if not found:
        raise NotTested(
            "no date-time values in the successful JSON answers to "
            f"{_probes.coverage(_probes.successful_reads(api), api)}"
        )
    return found


@requirement("ADR", "/core/date-time/format")
def date_times_in_responses_are_rfc3339(api: ApiUnderTest) -> None:
    wrong = [(e, f, v) for e, f, v in _date_times(api) if not RFC3339.match(v)]
    if wrong:
        exchange, field, value = wrong[0]
        raise Failure(
            f"{len(wrong)} date-time value(s) are not RFC 3339 with an offset ('T' and 'Z' in "
            f"upper case, no -00:00), e.g. {field} = {value!r} in "
            f"{exchange.request.method} {exchange.request.url}",
            evidence=[e.to_evidence() for e, _, _ in wrong[:5]],
        )
    values = _date_times(api)
    raise Passed(
        f"{len(values)} date-time values in "
        f"{_probes.coverage(_probes.distinct(e for e, _, _ in values), api)}"
    )


@requirement("ADR", "/core/date-time/timezone")
def date_times_in_responses_are_utc(api: ApiUnderTest) -> None:
    local = [(e, f, v) for e, f, v in _date_times(api) if RFC3339.match(v) and not v.endswith("Z")]
    if local:
        exchange, field, value = local[0]
        raise Warning(
            f"{len(local)} date-time value(s) in responses are not in UTC; ADR: they SHOULD be "
            f"(offset Z), e.g. {field} = {value!r} in {exchange.request.url}",
            evidence=[e.to_evidence() for e, _, _ in local[:5]],
        )
