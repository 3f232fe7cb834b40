"""Inway-TransactionLog-1..6: the SUT's Inway writes a record before it proxies, passes the
Transaction ID on, and refuses requests without one or when its log is broken."""

from __future__ import annotations

from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.calls import inway_call
from cgconform.suites.fsc.harness.expect import expect_rejected, line, require
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.records import broken_log_scenario, check_record
from cgconform.suites.fsc.harness.tokens import issued_token

STD = "FSC-TestSuite"


def _record_for(fsc: Harness, key: str, **delegators: str) -> None:
    item = fixture(fsc, key)
    _, token = issued_token(fsc, item)
    call = inway_call(fsc, token, probe_log=True)
    require(
        200 <= call.exchange.status < 300,
        f"the request with a valid token was not served: {line(call.exchange)}",
        [call.exchange],
    )
    check_record(
        fsc,
        call,
        "Inway",
        direction="DIRECTION_INCOMING",
        outway_peer=fsc.a.peer_id,
        service_peer=fsc.sut_peer_id,
        service_name=item.content["grants"][0]["data"]["service"]["name"],
        **delegators,
    )


@requirement(STD, "Inway-TransactionLog-1")
def writes_record_before_proxying(fsc: Harness) -> None:
    item = fixture(fsc, "connect")
    _, token = issued_token(fsc, item)
    call = inway_call(fsc, token, probe_log=True)
    require(
        bool(call.arrived),
        f"the request with a valid token did not reach the Service: {line(call.exchange)}",
        [call.exchange],
    )
    require(
        bool(call.log_at_arrival and call.log_at_arrival[0]),
        f"when the Service received the request, the SUT's GET /v1/logs had no record with "
        f"Transaction ID {call.transaction_id}. FSC Logging: the Inway MUST write the record "
        "before proxying the request to the Service (docs/fsc-notes.md N17)",
        [call.exchange],
    )
    _record_for(fsc, "connect")


@requirement(STD, "Inway-TransactionLog-2")
def passes_transaction_id_to_service(fsc: Harness) -> None:
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    call = inway_call(fsc, token)
    require(
        bool(call.arrived),
        f"the request did not reach the Service: {line(call.exchange)}",
        [call.exchange],
    )
    got = call.arrived[0].header("Fsc-Transaction-Id")
    require(
        got == call.transaction_id,
        f"the Service received Fsc-Transaction-Id {got!r}, not the {call.transaction_id} the "
        "Outway sent. FSC Logging: the Inway MUST use the TransactionID of the Outway and MUST "
        "add it to the request to the Service",
        [call.exchange],
    )


@requirement(STD, "Inway-TransactionLog-3")
def rejects_missing_transaction_id(fsc: Harness) -> None:
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    call = inway_call(fsc, token, transaction_id=None)
    require(
        not call.arrived,
        f"a request without Fsc-Transaction-Id was proxied to the Service: {line(call.exchange)}",
        [call.exchange],
    )
    expect_rejected(
        call.exchange,
        "A request with a valid token but without Fsc-Transaction-Id",
        "FSC Logging Inway error codes: MISSING_LOG_RECORD_ID, 400",
        status=400,
        codes=("MISSING_LOG_RECORD_ID", "ERROR_CODE_MISSING_LOG_RECORD_ID"),
        domain="ERROR_DOMAIN_INWAY",
    )


@requirement(STD, "Inway-TransactionLog-4")
def record_names_delegator_of_connection(fsc: Harness) -> None:
    _record_for(fsc, "delegated-connect", source_delegator=fsc.b.peer_id)


@requirement(STD, "Inway-TransactionLog-5")
def record_names_delegator_of_service(fsc: Harness) -> None:
    _record_for(fsc, "connect-delegated-service", destination_delegator=fsc.c.peer_id)


@requirement(STD, "Inway-TransactionLog-6")
def denies_when_log_is_broken(fsc: Harness) -> None:
    if not fsc.settings.inway:
        from cgconform.model.outcomes import NotApplicable

        raise NotApplicable("no Inway configured (urls.inway)")
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    broken_log_scenario(fsc, lambda: inway_call(fsc, token), "Inway", "Service")
