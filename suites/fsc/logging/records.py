"""Manager-TransactionLogRecord-1: the SUT's Manager gives a Peer the log records it is part
of, and only those."""

from __future__ import annotations

from cgconform.model.outcomes import Inconclusive, NeedsReview
from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.calls import inway_call, log_records, outway_call
from cgconform.suites.fsc.harness.expect import require
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.tokens import issued_token

STD = "FSC-TestSuite"


@requirement(STD, "Manager-TransactionLogRecord-1")
def lists_records_of_the_peer(fsc: Harness) -> None:
    if not fsc.settings.inway:
        raise Inconclusive(
            "needs a transaction to log: give urls.inway so the harness can call the SUT's Inway"
        )
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    call = inway_call(fsc, token)
    require(
        200 <= call.exchange.status < 300,
        f"the request through the Inway failed ({call.exchange.status}); no record to list",
        [call.exchange],
    )
    assert call.transaction_id is not None
    mine = log_records(fsc, call.transaction_id, as_="peer-a")
    as_a = fsc.last_log_exchange
    require(
        bool(mine),
        f"GET /v1/logs as Peer A does not return the record of transaction {call.transaction_id}, "
        "in which Peer A is the source. FSC Logging: the Manager MUST be able to provide log "
        "records to other Peers",
        [e for e in (call.exchange, as_a) if e is not None],
    )
    theirs = log_records(fsc, call.transaction_id, as_="peer-c")
    as_c = fsc.last_log_exchange
    require(
        not theirs,
        f"GET /v1/logs as Peer C returns the record of transaction {call.transaction_id}, in which "
        "Peer C is neither source, destination nor delegator. FSC Logging: the Manager MUST only "
        "return such records",
        [e for e in (call.exchange, as_c) if e is not None],
    )


@requirement(STD, "Integration-TransactionLog-1")
def both_peers_log_the_transaction(fsc: Harness) -> None:
    grant = fsc.settings.integration.get("service_grant")
    if not grant:
        raise NeedsReview(
            "needs two real Peers with a Contract between them: give its Grant hash as "
            "[fsc.integration] service_grant, then the harness makes one call and names the "
            "Transaction ID to look up in both Peers' logs"
        )
    call = outway_call(fsc, grant)
    txid = call.exchange.headers.get("Fsc-Transaction-Id")
    require(
        200 <= call.exchange.status < 300 and bool(txid),
        f"the call through the consumer's Outway failed or carried no Fsc-Transaction-Id: "
        f"{call.exchange.status}",
        [call.exchange],
    )
    assert txid is not None
    provider = fsc.settings.integration.get("provider_manager")
    pki = fsc.settings.pki
    if not provider or "sut-2" not in pki.identities or not fsc.settings.sut_identity:
        raise NeedsReview(
            f"transaction {txid} went through the chain. Only the two Peers can read their own "
            "logs (FSC Logging gives records to the Peers in them): check that the consuming and "
            f"the providing Peer both hold a record with transaction_id {txid} (GET "
            f"/v1/logs?transaction_ids={txid} at each Manager); with both Peers on the test PKI "
            "(`sut`, `sut-2`) and [fsc.integration] provider_manager the harness does this itself",
            evidence=[call.exchange.to_evidence()],
        )
    anchor = str(pki.trust_anchor)
    # Each Peer's log read as the other Peer of the transaction (both are on the test PKI).
    as_provider = fsc.context.http.with_identity(pki["sut-2"].requests_cert, verify=anchor)
    as_consumer = fsc.context.http.with_identity(
        pki[fsc.settings.sut_identity].requests_cert, verify=anchor
    )
    missing, exchanges = [], [call.exchange]
    for side, client, manager in (
        ("consuming", as_provider, fsc.settings.manager),
        ("providing", as_consumer, provider),
    ):
        found = log_records(fsc, txid, client=client, manager=manager)
        if fsc.last_log_exchange is not None:
            exchanges.append(fsc.last_log_exchange)
        if not found:
            missing.append(f"the {side} Peer ({manager}) has no record of {txid}")
    require(
        not missing,
        "FSC Logging: both the Outway and the Inway MUST write a record with the same "
        "TransactionID: " + "; ".join(missing),
        exchanges,
    )
