"""Writing to the Logboek: every write confirmed (and a write it cannot store not confirmed),
records kept exactly as written, OTLP offered (Logboek Dataverwerkingen, "Component: Logboek"
and "Protocollen")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.harness.logboek_run import LogboekRun
from cgconform.suites.logboek.harness.records import FOREIGN, PROCESSOR, Record
from cgconform.suites.logboek.harness.writer import RESOURCE, Span, Written

CORE = "Logboek-Dataverwerkingen"
MS = 1_000_000


@requirement(CORE, "/logboek/logboek/confirm-writes")
def every_write_is_confirmed(logboek_run: LogboekRun) -> None:
    written = logboek_run.writes + logboek_run.extra
    unreached = [w for w in written if not w.reached]
    unconfirmed = [w for w in written if w.reached and not w.confirmed]
    if unconfirmed:
        first = unconfirmed[0]
        raise Failure(
            f"{len(unconfirmed)} valid write(s) were not confirmed: {first.name}: {first.detail}. "
            "The standard: the Logboek MUST confirm every write of a record (OTLP: 200, or gRPC "
            "OK, without partial_success.rejected_spans).",
            evidence=first.evidence,
        )
    stored = [w for w in logboek_run.unstorable if w.confirmed]
    if len(unreached) == len(written):
        raise NotTested("the Logboek could not be reached: " + unreached[0].detail)
    if stored:
        first = stored[0]
        raise Failure(
            f"a record no Logboek can store (a 5-byte trace_id, no span_id) was confirmed as if "
            f"written: {first.name}: {first.detail}. A confirmation must mean the record was "
            "written; the Logboek must refuse what it cannot store (OTLP: 400, gRPC "
            "INVALID_ARGUMENT, or partial_success.rejected_spans).",
            evidence=first.evidence,
        )
    names = ", ".join(w.name for w in logboek_run.writes if w.reached)
    note = (
        "; not reached, so not graded here: " + "; ".join(w.detail for w in unreached[:2])
        if unreached
        else ""
    )
    raise Passed(
        f"{len(written) - len(unreached)} valid writes confirmed ({names}); "
        f"{len([w for w in logboek_run.unstorable if w.reached])} unstorable write(s) refused"
        + note
    )


@requirement(CORE, "/logboek/logboek/otlp-recommended")
def offers_otlp(logboek_run: LogboekRun) -> None:
    otlp = [w for w in logboek_run.writes if w.transport != "logboek-v1" and w.confirmed]
    if otlp:
        raise Passed("accepts OTLP: " + ", ".join(w.name for w in otlp))
    v1 = [w for w in logboek_run.writes if w.transport == "logboek-v1" and w.confirmed]
    if v1:
        raise Warning(
            "the Logboek accepts records over logboek.v1 only; the standard RECOMMENDS the "
            "OpenTelemetry Protocol (OTLP) between Application and Logboek",
            evidence=v1[0].evidence,
        )
    raise Failure(
        "no write over any transport was confirmed: "
        + "; ".join(f"{w.name}: {w.detail}" for w in logboek_run.writes),
        evidence=logboek_run.writes[0].evidence if logboek_run.writes else [],
    )


def _same_time(written: int, read: int | None) -> bool:
    """Equal as instants, at the read API's precision (milliseconds: reading 4)."""
    return read is not None and abs(written - read) < MS


def _attribute_problems(span: Span, record: Record, transport: str) -> list[str]:
    problems: list[str] = []
    for key, value in span.get("attributes", {}).items():
        if transport == "logboek-v1" and key.startswith(FOREIGN) and key != PROCESSOR:
            continue  # carried as foreign_operation{trace_id, operation_id}: shapes differ
        if key.startswith(FOREIGN) and key not in record.attributes:
            # the read API may show the foreign operation in its own shape: its value must be
            # somewhere in the item
            if str(value) not in record.source_text:
                problems.append(f"the foreign operation's {key} ({str(value)[:80]!r}) is missing")
            continue
        got = record.attributes.get(key)
        if got is None:
            problems.append(f"attribute {key} missing")
        elif str(got) != str(value):
            problems.append(f"attribute {key} is {str(got)[:120]!r}, written {str(value)[:120]!r}")
    return problems


def _type_changes(span: Span, record: Record, transport: str) -> list[str]:
    """Typed attributes (int, bool) that came back as another JSON type: OTLP carries types,
    logboek.v1 only strings."""
    if transport == "logboek-v1":
        return []
    changes = []
    for key, value in span.get("attributes", {}).items():
        got = record.attributes.get(key)
        if isinstance(value, bool | int) and got is not None and type(got) is not type(value):
            changes.append(
                f"attribute {key} written as {value!r} ({type(value).__name__}), read "
                f"back as {got!r} ({type(got).__name__})"
            )
    return changes


def _compare(span: Span, record: Record, transport: str) -> list[str]:
    problems: list[str] = []
    if record.name != span["name"]:
        problems.append(f"name {record.name!r}, written {span['name']!r}")
    if (record.parent_span_id or "") != (span.get("parent_span_id") or ""):
        problems.append(
            f"parent_span_id {record.parent_span_id!r}, written {span.get('parent_span_id')!r}"
        )
    if not _same_time(span["start_ns"], record.start_ns):
        problems.append(f"start_time {record.start_ns} ns, written {span['start_ns']} ns")
    if not _same_time(span["end_ns"], record.end_ns):
        problems.append(f"end_time {record.end_ns} ns, written {span['end_ns']} ns")
    written_status = span.get("status", "Unset")
    if record.status != written_status and {record.status, written_status} != {"Unset"}:
        problems.append(f"status {record.status!r}, written {written_status!r}")
    if record.resource_shown:
        for key, value in RESOURCE.items():
            if str(record.resource.get(key)) != value:
                problems.append(
                    f"resource {key} is {record.resource.get(key)!r}, written {value!r}"
                )
    return problems + _attribute_problems(span, record, transport)


def _read_back(logboek_run: LogboekRun, written: Written) -> tuple[dict[str, Record], Any]:
    """The records of one written trace as the read API gives them, by span id."""
    assert logboek_run.read is not None
    trace = written.spans[0]["trace_id"]
    answer = logboek_run.read.find({"trace": trace})
    return {r.span_id: r for r in answer.records if r.trace_id == trace}, answer


@requirement(CORE, "/logboek/logboek/interface-fields")
def records_kept_as_written(logboek_run: LogboekRun) -> None:
    if logboek_run.read is None:
        raise NotTested(
            "the Logboek names no read API ([urls] read_api): that records are kept exactly as "
            "written can only be seen by reading them back; acceptance alone is checked by "
            "confirm-writes"
        )
    writes = [w for w in logboek_run.writes if w.confirmed]
    if not writes:
        raise NotTested("no write was confirmed (see confirm-writes): nothing to read back")
    problems: list[str] = []
    missing: list[str] = []
    retyped: list[str] = []
    evidence: list[Mapping[str, Any]] = []
    compared = 0
    for written in writes:
        found, answer = _read_back(logboek_run, written)
        for span in written.spans:
            record = found.get(span["span_id"])
            if record is None:
                missing.append(f"{written.name}: record {span['span_id']} ({span['name']!r})")
                evidence += answer.evidence()
                continue
            compared += 1
            for problem in _compare(span, record, written.transport):
                problems.append(f"{written.name}: record {span['span_id']}: {problem}")
                evidence += answer.evidence()
            retyped += _type_changes(span, record, written.transport)
    if problems:
        raise Failure(
            f"{len(problems)} difference(s) between the records written and those the read API "
            "gives back. The standard: the Logboek implements every field of the interface "
            "(ids, parent, name, times, status, resource, attributes) and keeps it as written.\n"
            + "\n".join(problems[:10]),
            evidence=[*evidence[:2], {"note": f"written: {writes[0].spans}"[:3000]}],
        )
    if missing:
        raise Inconclusive(
            f"{len(missing)} confirmed record(s) are not in the read API's answer to a query by "
            "their trace: lost when stored, or left out by the read API (filter-by-trace and "
            "one-read-api-per-logboek grade that); the records that came back are as written.\n"
            + "\n".join(missing[:8]),
            evidence=evidence[:2],
        )
    if retyped:
        raise Warning(
            "the records came back as written, but typed attribute values changed type (the "
            "interface types attributes as Any; the standard's own example has numbers): "
            + "; ".join(retyped[:4]),
            evidence=evidence[:1],
        )
    raise Passed(
        f"{compared} records written over {', '.join(w.name for w in writes)} read back with "
        "every field as written (times compared at millisecond precision)"
    )
