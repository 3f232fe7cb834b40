"""What several checks ask of the observations: the FSC transactions a processing caused, the
records an organisation holds for a trace, and how a finding is written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cgconform.suites.chain.harness.reading import LogboekReading
from cgconform.suites.chain.harness.scenario import AUDITOR, Observations, Sent
from cgconform.suites.chain.harness.settings import Organisation
from cgconform.suites.logboek.harness.records import Record

STANDARD = "CommonGround"
OUT, IN = "DIRECTION_OUTGOING", "DIRECTION_INCOMING"


def _peer(record: Mapping[str, Any], part: str, key: str) -> Any:
    value = record.get(part)
    return value.get(key) if isinstance(value, Mapping) else None


def outgoing_to(seen: Observations, sent: Sent, org: Organisation) -> list[dict[str, Any]]:
    """The consumer's Outway records of this processing whose Service is `org`'s."""
    consumer = seen.settings.consumer
    return [
        r
        for r in sent.fsc_new.get(consumer.name, [])
        if r.get("direction") == OUT and _peer(r, "destination", "service_peer_id") == org.oin
    ]


def incoming_at(sent: Sent, org: Organisation) -> list[dict[str, Any]]:
    return [r for r in sent.fsc_new.get(org.name, []) if r.get("direction") == IN]


def fsc_line(records: Iterable[Mapping[str, Any]]) -> str:
    shown = [f"{r.get('transaction_id')} ({r.get('service_name')})" for r in records]
    return ", ".join(shown) or "none"


def trace_reading(seen: Observations, org: Organisation, label: str) -> LogboekReading:
    """The organisation's records of a processing's trace: the auditor's view when there is
    one, else citizen A's (then only the records A may see)."""
    audited = seen.read(org, AUDITOR, label)
    if audited.ok:
        return audited
    return seen.read(org, "A", label)


def records_of(seen: Observations, org: Organisation, label: str) -> list[Record]:
    return trace_reading(seen, org, label).records


def evidence(*parts: Iterable[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, dict):
            items.append(part)
        else:
            items.extend(part)
    return items
