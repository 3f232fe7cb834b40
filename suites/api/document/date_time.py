"""Dates and times: /core/date-time/format and /core/date-time/date-omit-time-portion."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cgconform.model.outcomes import Warning
from cgconform.openapi.document import SpecDocument
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import (
    escape,
    iter_key,
    raise_findings,
    require_document,
    resolve_at,
    walk_resolved,
)

# The official linter's reading of "a field that represents a date", by its name.
DATE_NAME = re.compile(r"((\w+D)|(_[dD]))((ate)|(atum))", re.ASCII)
DATE_NAMES = ("date", "datum")
# Names that end in date/datum are dates beyond doubt; others (startDateTime) are a guess.
CLEARLY_DATE = re.compile(r"(^|[a-z0-9_])(date|datum)\Z", re.IGNORECASE)
FORBIDDEN_FORMATS = {
    "date-time-local": "use format date-time, which includes a timezone",
    "time": "use format time-local, without a timezone",
}


def _iter_property_schemas(
    document: Mapping[str, Any],
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(name, pointer where defined, schema) of every property of every schema."""
    seen: set[tuple[str, str]] = set()
    for ptr, properties in iter_key(document, "properties"):
        if not isinstance(properties, Mapping):
            continue
        for name, schema in properties.items():
            resolved, where = resolve_at(document, schema, f"{ptr}/{escape(str(name))}")
            if isinstance(resolved, Mapping) and (str(name), where) not in seen:
                seen.add((str(name), where))
                yield str(name), where, resolved


def _is_date_name(name: str) -> bool:
    return name in DATE_NAMES or DATE_NAME.search(name) is not None


def _has_format(document: Mapping[str, Any], schema: Mapping[str, Any]) -> bool:
    """A format of its own, or one in every part of its allOf (as the official linter reads
    it, with references followed)."""
    if "format" in schema:
        return True
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return False
    resolved = [resolve_at(document, p, "")[0] for p in parts]
    return all(isinstance(p, Mapping) and "format" in p for p in resolved)


@requirement("ADR", "/core/date-time/format")
def date_and_time_fields_use_the_standard_formats(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    findings: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, ptr, schema in _iter_property_schemas(document):
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in FORBIDDEN_FORMATS and ptr not in seen:
            seen.add(ptr)
            findings.append((f"{ptr}/format", f"{name}: format {fmt}: {FORBIDDEN_FORMATS[fmt]}"))
        if _is_date_name(name) and not _has_format(document, schema) and ptr not in seen:
            seen.add(ptr)
            findings.append((ptr, f"{name} is a date field without a format (use format date)"))
    raise_findings(
        cg_spec,
        findings,
        "date, date-time and time fields MUST set format date, date-time or time-local",
    )


@requirement("ADR", "/core/date-time/date-omit-time-portion")
def date_fields_do_not_use_date_time(cg_spec: SpecDocument) -> None:
    """Fields named as dates (…Datum, …Date, …_date) whose schema says date-time. A name ending
    in date/datum is a `fail`; a name that only contains it (startDateTime) a `warning`."""
    document = require_document(cg_spec)
    sure: list[tuple[str, str]] = []
    guess: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, ptr, schema in _iter_property_schemas(document):
        if not _is_date_name(name):
            continue
        for node_ptr, node in walk_resolved(document, schema, ptr):
            if isinstance(node, Mapping) and node.get("format") == "date-time":
                where = f"{node_ptr}/format"
                if where in seen:
                    continue
                seen.add(where)
                note = f"{name} represents a date but has format date-time (use format date)"
                (sure if CLEARLY_DATE.search(name) else guess).append((where, note))
    summary = "fields that represent a date MUST use format date, not date-time"
    if sure:
        raise_findings(cg_spec, sure + guess, summary)
    raise_findings(
        cg_spec, guess, summary + " (judged by the field name only: check these)", kind=Warning
    )
