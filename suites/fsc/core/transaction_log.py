"""FSC Logging beyond its scenarios: the grant_hash of a record is the token's gth, the
Delegators of a transaction can read its record, the Inway's and Outway's log error codes
exactly, one TransactionID per request, and the filters, pagination and order of
``GET /v1/logs`` (logging.yaml)."""

from __future__ import annotations

import time
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, NeedsReview, NotApplicable, Warning
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import LOGGING
from cgconform.suites.fsc.core._paging import distinct_times, order_problems, paging_problems
from cgconform.suites.fsc.harness.calls import (
    Call,
    inway_call,
    log_records,
    outway_call,
    require_outway,
)
from cgconform.suites.fsc.harness.codes import evidence, expect_code, logging_code
from cgconform.suites.fsc.harness.expect import line, listing
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import same_hash
from cgconform.suites.fsc.harness.jose import split_compact
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.tokens import issued_token

SERVED = "core.logging-served"


def _created(record: dict[str, Any]) -> Any:
    return record.get("created_at")


def _served(fsc: Harness, key: str = "connect") -> tuple[Call, dict[str, Any]]:
    """A request through the SUT's Inway with a token for fixture `key` (cached per key), and
    the token's claims."""
    cache = fsc.cache.setdefault(SERVED, {})
    if key not in cache:
        _, token = issued_token(fsc, fixture(fsc, key))
        cache[key] = (inway_call(fsc, token), split_compact(token)[1])
    call, claims = cache[key]
    if not (200 <= call.exchange.status < 300) or call.transaction_id is None:
        raise Failure(
            f"the request with a valid token ({key}) was not served: {line(call.exchange)}",
            evidence=evidence(call.exchange),
        )
    return call, claims


def _record(
    fsc: Harness, call: Call, as_: str = "peer-a"
) -> tuple[dict[str, Any] | None, Exchange | None]:
    assert call.transaction_id is not None
    found = log_records(fsc, call.transaction_id, as_=as_)
    return (dict(found[0]) if found else None), fsc.last_log_exchange


@requirement(LOGGING, "FSC-Logging/log-record/access-token/gth")
def grant_hash_from_the_token(fsc: Harness) -> None:
    call, claims = _served(fsc)
    record, exchange = _record(fsc, call)
    if record is None:
        raise Failure(
            f"GET /v1/logs as Peer A has no record of transaction {call.transaction_id} "
            "(Inway-TransactionLog-1 judges that)",
            evidence=evidence(call.exchange, exchange),
        )
    got, gth = record.get("grant_hash"), claims.get("gth")
    if not (isinstance(got, str) and isinstance(gth, str) and same_hash(got, gth)):
        raise Failure(
            f"the Inway's record of transaction {call.transaction_id} has grant_hash {got!r}, "
            f"the access token's gth is {gth!r}. FSC Logging: \"accessToken.gth --> "
            'logRecord.grant_hash"',
            evidence=evidence(call.exchange, exchange),
        )


def _delegator_reads(fsc: Harness, key: str, reader: str, field: str) -> None:
    call, _ = _served(fsc, key)
    owner, _ = _record(fsc, call, as_="peer-a")
    record, exchange = _record(fsc, call, as_=reader)
    party = fsc.party(reader)
    if owner is None:
        raise Failure(
            f"GET /v1/logs as Peer A has no record of transaction {call.transaction_id}",
            evidence=evidence(call.exchange),
        )
    if record is None:
        raise Failure(
            f"GET /v1/logs as {reader} ({party.peer_id}) does not return the record of "
            f"transaction {call.transaction_id}, whose {field} is {party.peer_id}. FSC Logging: "
            "the Manager MUST return the log records where the requesting Peer's ID matches "
            f"logRecord.{field}",
            evidence=evidence(call.exchange, exchange),
        )


@requirement(LOGGING, "FSC-Logging/manager/providing-records/source-delegator")
def delegator_of_connection_reads_the_record(fsc: Harness) -> None:
    _delegator_reads(fsc, "delegated-connect", "peer-b", "source.delegator_peer_id")


@requirement(LOGGING, "FSC-Logging/manager/providing-records/destination-delegator")
def delegator_of_service_reads_the_record(fsc: Harness) -> None:
    _delegator_reads(fsc, "connect-delegated-service", "peer-c", "destination.delegator_peer_id")


# -- Inway error codes ---------------------------------------------------------------------------


@requirement(LOGGING, "FSC-Logging/inway/error-codes/missing-log-record-id")
def missing_transaction_id(fsc: Harness) -> None:
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    call = inway_call(fsc, token, transaction_id=None)
    if call.arrived:
        raise Failure(
            f"a request without Fsc-Transaction-Id reached the Service: {line(call.exchange)}",
            evidence=evidence(call.exchange),
        )
    expect_code(
        call.exchange,
        "A request with a valid token and no Fsc-Transaction-Id",
        "FSC Logging Inway codes: MISSING_LOG_RECORD_ID, 400",
        status=400,
        codes=logging_code("MISSING_LOG_RECORD_ID"),
    )


@requirement(LOGGING, "FSC-Logging/inway/error-codes/invalid-log-record-id")
def malformed_transaction_id(fsc: Harness) -> None:
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    value = "not a transaction id!"
    call = inway_call(fsc, token, transaction_id=value)
    what = f"A request with a valid token and Fsc-Transaction-Id {value!r}"
    asks = "FSC Logging Inway codes: INVALID_LOG_RECORD_ID, 400"
    if call.arrived or call.exchange.status < 400:
        message = (
            f"{what} was served ({line(call.exchange)}). The format of a TransactionID is left "
            "to a profile (docs/fsc-notes.md N12), but no profile allows spaces and '!'"
        )
        if fsc.context.target.statement.get("digikoppeling"):
            raise Failure(
                message + "; the Digikoppeling REST profile requires a UUIDv7. " + asks,
                evidence=evidence(call.exchange),
            )
        raise Warning(message + ". " + asks, evidence=evidence(call.exchange))
    expect_code(call.exchange, what, asks, status=400, codes=logging_code("INVALID_LOG_RECORD_ID"))


def _broken_log(fsc: Harness, role: str, send: Any) -> None:
    settings = fsc.settings
    if not (settings.break_log and settings.restore_log):
        raise NeedsReview(
            f"a broken transaction log cannot be caused from outside: give [fsc] break_log and "
            f"restore_log (docs/fsc-notes.md N18), or stop the SUT's log store, send one "
            f"request through the {role} and check that it answers 500 "
            "TRANSACTION_LOG_WRITE_ERROR"
        )
    broke = fsc.a.http.post(settings.break_log)
    if broke.status >= 400:
        raise Failure(f"the break_log hook answered {broke.status}", evidence=evidence(broke))
    try:
        call = send()
    finally:
        fsc.a.http.post(settings.restore_log)
    if call.arrived:
        raise Failure(
            f"with the transaction log broken the {role} still sent the request on: "
            f"{line(call.exchange)}",
            evidence=evidence(call.exchange),
        )
    expect_code(
        call.exchange,
        f"A request through the {role} while its transaction log cannot be written",
        f"FSC Logging {role} codes: TRANSACTION_LOG_WRITE_ERROR, 500",
        status=500,
        codes=logging_code("TRANSACTION_LOG_WRITE_ERROR"),
    )


@requirement(LOGGING, "FSC-Logging/inway/error-codes/transaction-log-write-error")
def inway_log_write_error(fsc: Harness) -> None:
    if not fsc.settings.inway:
        raise NotApplicable("no Inway to test: give urls.inway in target.toml")
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    _broken_log(fsc, "Inway", lambda: inway_call(fsc, token))


@requirement(LOGGING, "FSC-Logging/outway/error-codes/transaction-log-write-error")
def outway_log_write_error(fsc: Harness) -> None:
    require_outway(fsc)
    item = fixture(fsc, "outway-connect").ready()
    _broken_log(fsc, "Outway", lambda: outway_call(fsc, fsc.sut_hash(item)))


# -- the Outway's TransactionID ------------------------------------------------------------------


@requirement(LOGGING, "FSC-Logging/outway/writing/unique-transaction-id")
def one_transaction_id_per_request(fsc: Harness) -> None:
    require_outway(fsc)
    item = fixture(fsc, "outway-connect").ready()
    calls = [outway_call(fsc, fsc.sut_hash(item)) for _ in range(2)]
    sent = [c.arrived[0].header("Fsc-Transaction-Id") if c.arrived else None for c in calls]
    if None in sent:
        raise Failure(
            "a request through the Outway did not reach the harness Inway with an "
            f"Fsc-Transaction-Id ({', '.join(line(c.exchange) for c in calls)}); "
            "Outway-TransactionLog-2 judges that",
            evidence=evidence(*(c.exchange for c in calls)),
        )
    if sent[0] == sent[1]:
        raise Failure(
            f"two requests through the Outway both carried Fsc-Transaction-Id {sent[0]}. FSC "
            'Logging: "The Outway MUST create a TransactionID which MUST be unique for the '
            'transaction"',
            evidence=evidence(*(c.exchange for c in calls)),
        )


# -- GET /v1/logs --------------------------------------------------------------------------------


def _logs(fsc: Harness, **params: Any) -> Exchange:
    return fsc.a.http.get(fsc.manager_url("/logs"), params=params)


def _has(exchange: Exchange, transaction_id: str | None) -> bool:
    return any(r.get("transaction_id") == transaction_id for r in listing(exchange, "records"))


@requirement(LOGGING, "FSC-Logging/openapi/logs/either-filter")
@requirement(LOGGING, "FSC-Logging/openapi/logs/either-filter-name")
def log_filters_either(fsc: Harness) -> None:
    call, claims = _served(fsc)
    by_hash = _logs(
        fsc, grant_hash=claims.get("gth"), service_name="zz-cgconform-no-such-service", limit=1000
    )
    by_name = _logs(
        fsc, grant_hash="$1$3$cgconform-no-such-grant", service_name=claims.get("svc"), limit=1000
    )
    missing = [
        f"{line(e)} ({what} matches)"
        for e, what in ((by_hash, "only grant_hash"), (by_name, "only service_name"))
        if not _has(e, call.transaction_id)
    ]
    if missing:
        raise Failure(
            f"GET /v1/logs with both filters leaves out the record of transaction "
            f"{call.transaction_id}: " + "; ".join(missing) + '. logging.yaml: "When multiple '
            'filters are used the records where either condition is true should be returned"',
            evidence=evidence(by_hash, by_name),
        )


@requirement(LOGGING, "FSC-Logging/openapi/logs/transaction-ids-filter")
def transaction_ids_filter_stands_alone(fsc: Harness) -> None:
    call, _ = _served(fsc)
    exchange = _logs(
        fsc,
        transaction_ids=call.transaction_id,
        service_name="zz-cgconform-no-such-service",
        grant_hash="$1$3$cgconform-no-such-grant",
        limit=1,
    )
    if not _has(exchange, call.transaction_id):
        raise Failure(
            f"GET /v1/logs?transaction_ids={call.transaction_id} with non-matching service_name "
            "and grant_hash does not return the record: the other filters were applied. "
            'logging.yaml: "When this query parameter (transaction_ids) is set the pagination '
            'parameters and other filters should be ignored"',
            evidence=evidence(exchange),
        )


@requirement(LOGGING, "FSC-Logging/openapi/pagination/cursor")
def logs_page_by_cursor(fsc: Harness) -> None:
    _served(fsc)
    _served(fsc, "connect-props")
    problems, exchanges = paging_problems(
        fsc, "/logs", "records", lambda r: r.get("transaction_id"), {}
    )
    if problems:
        raise Failure(
            "GET /v1/logs does not page through Peer A's records: "
            + "; ".join(problems)
            + '. logging.yaml: "A cursor from which paginated results should be returned"',
            evidence=evidence(*exchanges),
        )


@requirement(LOGGING, "FSC-Logging/openapi/pagination/sort-order")
def logs_in_sort_order(fsc: Harness) -> None:
    _served(fsc)
    if distinct_times(fsc, "/logs", "records", _created) < 2:
        time.sleep(max(0.0, 1.05 - time.time() % 1))  # the next second: another created_at
        _, token = issued_token(fsc, fixture(fsc, "connect"))
        inway_call(fsc, token)
    problems, exchanges = order_problems(fsc, "/logs", "records", _created, {})
    if problems:
        raise Failure(
            "GET /v1/logs does not sort by creation date as asked: "
            + "; ".join(problems)
            + '. logging.yaml sort_order: "The order in which the results should be returned"',
            evidence=evidence(*exchanges),
        )
