"""Transaction log records as FSC Logging describes them (logging.yaml `logRecord`), and the
"broken log" scenarios (docs/fsc-notes.md N18)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from cgconform.model.outcomes import Failure, NeedsReview, Warning
from cgconform.suites.fsc.harness.calls import Call, log_records
from cgconform.suites.fsc.harness.expect import error_code, line, require
from cgconform.suites.fsc.harness.peers import Harness

REQUIRED = (
    "transaction_id",
    "direction",
    "grant_hash",
    "source",
    "destination",
    "service_name",
    "created_at",
)


def _part(record: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = record.get(name)
    return value if isinstance(value, Mapping) else {}


def record_problems(
    record: Mapping[str, Any],
    *,
    direction: str,
    outway_peer: str,
    service_peer: str,
    service_name: str,
    source_delegator: str | None = None,
    destination_delegator: str | None = None,
) -> list[str]:
    problems = [f"no {k}" for k in REQUIRED if k not in record]
    if record.get("direction") != direction:
        problems.append(f"direction {record.get('direction')!r}, not {direction}")
    source: Mapping[str, Any] = _part(record, "source")
    destination: Mapping[str, Any] = _part(record, "destination")
    if source.get("outway_peer_id") != outway_peer:
        problems.append(
            f"source.outway_peer_id {source.get('outway_peer_id')!r}, not {outway_peer}"
        )
    if destination.get("service_peer_id") != service_peer:
        problems.append(
            f"destination.service_peer_id {destination.get('service_peer_id')!r}, "
            f"not {service_peer}"
        )
    if record.get("service_name") != service_name:
        problems.append(f"service_name {record.get('service_name')!r}, not {service_name!r}")
    if not isinstance(record.get("created_at"), int):
        problems.append("created_at is not a Unix timestamp")
    for part, value, wanted_type, delegated_type in (
        ("source", source, source_delegator, "SOURCE_TYPE_DELEGATED_SOURCE"),
        (
            "destination",
            destination,
            destination_delegator,
            "DESTINATION_TYPE_DELEGATED_DESTINATION",
        ),
    ):
        if wanted_type is None:
            continue
        if value.get("delegator_peer_id") != wanted_type:
            problems.append(
                f"{part}.delegator_peer_id {value.get('delegator_peer_id')!r}, not the Delegator "
                f"{wanted_type} ({part}Delegated object of logging.yaml)"
            )
        if value.get("type") != delegated_type:
            problems.append(f"{part}.type {value.get('type')!r}, not {delegated_type}")
    return problems


def the_record(h: Harness, call: Call, records: list[Any], where: str) -> dict[str, Any]:
    evidence = [call.exchange.to_evidence()]
    if h.last_log_exchange is not None:
        evidence.append(h.last_log_exchange.to_evidence())
    if not records:
        raise Failure(
            f"no transaction log record with Transaction ID {call.transaction_id} in GET "
            f"/v1/logs of the SUT's Manager {where}. FSC Logging: a record MUST be written for "
            "each request",
            evidence=evidence,
        )
    return dict(records[0])


def check_record(
    h: Harness,
    call: Call,
    role: str,
    *,
    direction: str,
    outway_peer: str,
    service_peer: str,
    service_name: str,
    **delegators: str,
) -> None:
    """The SUT's record of `call` holds the fields FSC Logging takes from the access token."""
    assert call.transaction_id is not None
    record = the_record(h, call, log_records(h, call.transaction_id), "after the request")
    problems = record_problems(
        record,
        direction=direction,
        outway_peer=outway_peer,
        service_peer=service_peer,
        service_name=service_name,
        **delegators,
    )
    require(
        not problems,
        f"the {role}'s log record for {call.transaction_id} does not hold what FSC Logging asks "
        "(fields from the access token): " + "; ".join(problems),
        [call.exchange],
    )


def broken_log_scenario(h: Harness, send: Callable[[], Call], role: str, downstream: str) -> None:
    """Break the SUT's log with the test hook, send a request, restore the log."""
    settings = h.settings
    if not (settings.break_log and settings.restore_log):
        raise NeedsReview(
            f"a broken transaction log cannot be caused from outside. Either give [fsc] "
            f"break_log and restore_log (URLs the harness POSTs to, e.g. a test hook of the "
            f"deployment), or stop the SUT's log store by hand, send one request through the "
            f"{role}, and check that it answers 500 with TRANSACTION_LOG_WRITE_ERROR and the "
            f"{downstream} is not called (FSC Logging: the {role} MUST deny the request if the "
            "record could not be written)"
        )
    broke = h.a.http.post(settings.break_log)
    if broke.status >= 400:
        raise Failure(f"the break_log hook answered {broke.status}", evidence=[broke.to_evidence()])
    try:
        call = send()
    finally:
        h.a.http.post(settings.restore_log)
    if call.arrived:
        raise Failure(
            f"with the transaction log broken the {role} still passed the request on to the "
            f"{downstream}: {line(call.exchange)}. FSC Logging: the {role} MUST deny the request "
            "if the record could not be written",
            evidence=[broke.to_evidence(), call.exchange.to_evidence()],
        )
    if call.exchange.status < 400:
        raise Failure(
            f"with the transaction log broken the {role} answered {call.exchange.status}",
            evidence=[call.exchange.to_evidence()],
        )
    code = error_code(call.exchange)
    codes = ("TRANSACTION_LOG_WRITE_ERROR", "ERROR_CODE_TRANSACTION_LOG_WRITE_ERROR")
    if call.exchange.status != 500 or code not in codes:
        raise Warning(
            f"with the transaction log broken the {role} denied the request "
            f"({line(call.exchange)}), as FSC Logging asks, but not with 500 "
            "TRANSACTION_LOG_WRITE_ERROR",
            evidence=[call.exchange.to_evidence()],
        )
