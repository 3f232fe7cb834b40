"""Data minimisation: the BRP is asked only for the `fields` the processing activity needs
(the target states them in `brp_fields`)."""

from __future__ import annotations

from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.chain.harness import hops
from cgconform.suites.chain.harness.judge import STANDARD, trace_reading
from cgconform.suites.chain.harness.scenario import Observations


def _fields(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [f.strip() for f in value.split(",") if f.strip()]
    if isinstance(value, list) and all(isinstance(f, str) for f in value):
        return list(value)
    return None


def _allowed(field: str, needed: tuple[str, ...]) -> bool:
    return any(field == n or field.startswith(n + ".") for n in needed)


@requirement(STANDARD, "/chain/minimisation/brp-fields")
def brp_is_asked_only_for_needed_fields(chain_run: Observations) -> None:
    seen = chain_run
    brp = seen.settings.source("brp-personen")
    if brp is None:
        raise NotTested('no organisation with source = "brp-personen" in [[chain.organisations]]')
    needed = seen.processing.brp_fields
    if needed is None:
        raise NotTested(
            f"[[chain.processings]] {seen.processing.name!r} states no brp_fields: cgconform "
            "cannot know which fields the processing activity needs"
        )
    if brp.fields_attribute is None:
        raise NotTested(
            "the BRP's requests cannot be seen from outside: state in its "
            "[[chain.organisations]] fields_attribute which attribute of its Logboek records "
            "names the requested fields"
        )
    seen.need("A")
    reading = trace_reading(seen, brp, "A")
    asked = [
        (r, _fields(r.attributes.get(brp.fields_attribute)))
        for r in reading.records
        if brp.fields_attribute in r.attributes
    ]
    shown = [*reading.evidence()]
    source = (hops.part(brp, "Inway"), hops.source(brp))
    if not asked or any(f is None for _, f in asked):
        raise Inconclusive(
            f"{reading.line()}: no record with a list in {brp.fields_attribute!r}, so the "
            "fields asked for cannot be seen",
            evidence=[*shown, hops.note("inconclusive", *source, "fields not visible")],
        )
    extra = sorted({f for _, fields in asked for f in fields or [] if not _allowed(f, needed)})
    requested = sorted({f for _, fields in asked for f in fields or []})
    if extra:
        why = (
            f"the BRP was asked for {', '.join(requested)}; the activity needs only "
            f"{', '.join(needed)}: {', '.join(extra)} asked for without need (data "
            "minimisation, AVG art. 5(1)(c); BRP API: 'Gebruik de fields parameter om alleen "
            "die gegevens op te vragen die je nodig hebt')"
        )
        raise Failure(why, evidence=[*shown, hops.note("fail", *source, why)])
    raise Passed(
        f"the BRP was asked for {', '.join(requested)}, within what the activity needs "
        f"({', '.join(needed)})",
        evidence=[*shown, hops.note("pass", *source, "only the fields needed")],
    )
