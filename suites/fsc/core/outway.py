"""FSC Core, Outway: CONNECT refused with its code, errors of the Inway (or Service) passed on
unaltered, the Outway's own errors with Fsc-Error-Code and the error object, and tokens of
another Group not used. The harness is the client and plays Peer A (its Manager issues the
tokens, its Inway answers)."""

from __future__ import annotations

from cgconform.http.mock_server import Received, Reply
from cgconform.model.outcomes import Failure
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import CORE
from cgconform.suites.fsc.harness.calls import PROBE_PATH, Call, outway_call, require_outway
from cgconform.suites.fsc.harness.codes import (
    domain_of,
    error_object_problems,
    evidence,
    expect_code,
)
from cgconform.suites.fsc.harness.contracts import connection_grant
from cgconform.suites.fsc.harness.expect import line
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import grant_hash_readings
from cgconform.suites.fsc.harness.peers import ECHO_A, Harness

UNKNOWN = "core.outway-unknown-grant"
INWAY_ERROR = {
    "message": "cgconform: an error of the Inway",
    "domain": "ERROR_DOMAIN_INWAY",
    "code": "ERROR_CODE_SERVICE_UNREACHABLE",
}


@requirement(CORE, "FSC-Core/outway/error-codes/method-unsupported")
def connect_is_refused(fsc: Harness) -> None:
    require_outway(fsc)
    item = fixture(fsc, "outway-connect")
    grant = fsc.sut_hash(item) if item.problem is None else "cgconform-no-grant"
    call = outway_call(fsc, grant, method="CONNECT")
    if call.arrived:
        raise Failure(
            f"the Outway passed a CONNECT request on to the Inway: {line(call.exchange)}. FSC "
            'Core Outway codes: "The CONNECT method is not supported" (405 '
            "ERROR_CODE_METHOD_UNSUPPORTED)",
            evidence=evidence(call.exchange),
        )
    expect_code(
        call.exchange,
        "A CONNECT request to the Outway",
        "FSC Core Outway codes: ERROR_CODE_METHOD_UNSUPPORTED, 405 (The CONNECT method is not "
        "supported)",
        status=405,
        codes=("ERROR_CODE_METHOD_UNSUPPORTED",),
    )


def _inway_error(request: Received) -> Reply | None:
    if request.query != [("q", "1")] or request.path != PROBE_PATH + "/cgconform-error":
        return None
    return Reply.json(
        503, INWAY_ERROR, {"Fsc-Error-Code": INWAY_ERROR["code"], "X-Cgconform-Inway": "error"}
    )


@requirement(CORE, "FSC-Core/outway/error-response/upstream-errors-unaltered")
def passes_inway_errors_on(fsc: Harness) -> None:
    require_outway(fsc)
    item = fixture(fsc, "outway-connect").ready()
    fsc.mock_inway.reply = _inway_error
    try:
        exchange = (fsc.anonymous or fsc.a.http).get(
            f"{fsc.settings.outway}{PROBE_PATH}/cgconform-error",
            params={"q": "1"},
            headers={fsc.settings.grant_header: fsc.sut_hash(item)},
        )
    finally:
        fsc.mock_inway.reply = None
    problems = []
    if exchange.status != 503:
        problems.append(f"status {exchange.status}, the Inway answered 503")
    try:
        got = exchange.json()
    except ValueError:
        got = None
    if got != INWAY_ERROR:
        problems.append(f"body {exchange.text[:160]!r}, not the Inway's error object")
    if exchange.headers.get("Fsc-Error-Code") != INWAY_ERROR["code"]:
        problems.append(
            f"Fsc-Error-Code {exchange.headers.get('Fsc-Error-Code')!r}, the Inway sent "
            f"{INWAY_ERROR['code']}"
        )
    if exchange.headers.get("X-Cgconform-Inway") != "error":
        problems.append("the Inway's header X-Cgconform-Inway is gone")
    if problems:
        raise Failure(
            f"the harness Inway answered 503 with its error object; the Outway gave the client "
            f"{line(exchange)}: "
            + "; ".join(problems)
            + '. FSC Core Outway: "If the Error has occurred in the Inway or Service the Outway '
            'MUST return the error without altering the response"',
            evidence=evidence(exchange),
        )


def _unknown_grant_call(fsc: Harness) -> Call:
    """A request naming a Grant of no Contract (cached per run): an error of the Outway."""
    if UNKNOWN not in fsc.cache:
        grant = connection_grant(
            service_peer=fsc.a.peer_id,
            service_name=ECHO_A,
            outway_peer=fsc.sut_peer_id,
            outway_thumbprint=fsc.sut_outway_thumbprint,
        )
        content = fsc.new_content([grant])
        fsc.cache[UNKNOWN] = outway_call(
            fsc, grant_hash_readings(content, 0)[fsc.grant_reading or "hash-type"]
        )
    call: Call = fsc.cache[UNKNOWN]
    if call.exchange.status < 400 or call.arrived:
        raise Failure(
            f"the Outway served a request for a Grant of no Contract: {line(call.exchange)} "
            "(Outway-IncomingRequest-2 judges that; there is no error to look at)",
            evidence=evidence(call.exchange),
        )
    return call


@requirement(CORE, "FSC-Core/outway/error-response/error-object")
def outway_error_object(fsc: Harness) -> None:
    require_outway(fsc)
    call = _unknown_grant_call(fsc)
    problems = error_object_problems(call.exchange, header=True)
    if problems:
        raise Failure(
            f"the Outway's error for a Grant of no Contract ({line(call.exchange)}): "
            + "; ".join(problems)
            + '. FSC Core Outway: "The Outway MUST return an error response defined in the Error '
            'handling section when the error is produced by the Outway" (Fsc-Error-Code and '
            "{message, domain, code})",
            evidence=evidence(call.exchange),
        )


@requirement(CORE, "FSC-Core/outway/error-response/domain")
def outway_error_domain(fsc: Harness) -> None:
    require_outway(fsc)
    call = _unknown_grant_call(fsc)
    domain = domain_of(call.exchange)
    if domain != "ERROR_DOMAIN_OUTWAY":
        raise Failure(
            f"the Outway's error for a Grant of no Contract ({line(call.exchange)}) has domain "
            f'{domain!r}. FSC Core Outway: "The domain field of the error response MUST be equal '
            'to ERROR_DOMAIN_OUTWAY"',
            evidence=evidence(call.exchange),
        )


@requirement(CORE, "FSC-Core/outway/routing/group-id")
def refuses_tokens_of_another_group(fsc: Harness) -> None:
    require_outway(fsc)
    item = fixture(fsc, "outway-wrong-gid").ready()
    call = outway_call(fsc, fsc.sut_hash(item))
    if call.arrived or call.exchange.status < 400:
        raise Failure(
            f"Peer A's Manager issued the token for Contract {item.hash} with gid "
            f"{fsc.settings.group_id}-other, and the Outway used it: {line(call.exchange)}, "
            f'{len(call.arrived)} request(s) at the harness Inway. FSC Core Outway: "The Outway '
            "MUST validate that the Group ID specified in the claim gid of the access token "
            'matches the Group ID of the Outway"',
            evidence=evidence(call.exchange),
        )
