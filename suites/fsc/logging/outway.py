"""Outway-TransactionLog-1..5: the SUT's Outway writes a record before it sends the request to
the Inway, sends the Transaction ID along, and refuses when its log is broken."""

from __future__ import annotations

from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.calls import outway_call
from cgconform.suites.fsc.harness.expect import line, require
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.peers import ECHO_A, Harness
from cgconform.suites.fsc.harness.records import broken_log_scenario, check_record

STD = "FSC-TestSuite"


def _served(fsc: Harness, key: str, *, probe_log: bool = False):  # type: ignore[no-untyped-def]
    item = fixture(fsc, key).ready()
    call = outway_call(fsc, fsc.sut_hash(item), probe_log=probe_log)
    require(
        200 <= call.exchange.status < 300 and bool(call.arrived),
        f"the Outway did not deliver the request for Grant {fsc.sut_hash(item)} ({key}) to the "
        f"harness Inway: {line(call.exchange)}",
        [call.exchange],
    )
    return call


def _record_for(fsc: Harness, key: str, **delegators: str) -> None:
    check_record(
        fsc,
        _served(fsc, key),
        "Outway",
        direction="DIRECTION_OUTGOING",
        outway_peer=fsc.sut_peer_id,
        service_peer=fsc.a.peer_id,
        service_name=ECHO_A,
        **delegators,
    )


@requirement(STD, "Outway-TransactionLog-1")
def writes_record_before_sending(fsc: Harness) -> None:
    call = _served(fsc, "outway-connect", probe_log=True)
    require(
        bool(call.log_at_arrival and call.log_at_arrival[0]),
        f"when the harness Inway received the request, the SUT's GET /v1/logs had no record with "
        f"Transaction ID {call.transaction_id}. FSC Logging: the Outway MUST write the record "
        "for each request that will be sent to the Inway, before sending (docs/fsc-notes.md N17)",
        [call.exchange],
    )
    _record_for(fsc, "outway-connect")


@requirement(STD, "Outway-TransactionLog-2")
def sends_transaction_id(fsc: Harness) -> None:
    call = _served(fsc, "outway-connect")
    sent = call.arrived[0].header("Fsc-Transaction-Id")
    require(
        bool(sent),
        "the request the Outway sent to the Inway has no Fsc-Transaction-Id. FSC Logging: the "
        "Outway MUST add the TransactionID to the request sent to the Inway",
        [call.exchange],
    )
    returned = call.exchange.headers.get("Fsc-Transaction-Id")
    require(
        returned == sent,
        f"the Outway's response to the client carries Fsc-Transaction-Id {returned!r}, not the "
        f"{sent} it sent to the Inway. FSC Logging: the Outway MUST add the TransactionID to the "
        "response sent to the Client",
        [call.exchange],
    )


@requirement(STD, "Outway-TransactionLog-3")
def record_names_delegator_of_connection(fsc: Harness) -> None:
    _record_for(fsc, "outway-delegated", source_delegator=fsc.b.peer_id)


@requirement(STD, "Outway-TransactionLog-4")
def record_names_delegator_of_service(fsc: Harness) -> None:
    _record_for(fsc, "outway-delegated-service", destination_delegator=fsc.c.peer_id)


@requirement(STD, "Outway-TransactionLog-5")
def denies_when_log_is_broken(fsc: Harness) -> None:
    item = fixture(fsc, "outway-connect").ready()
    broken_log_scenario(fsc, lambda: outway_call(fsc, fsc.sut_hash(item)), "Outway", "Inway")
