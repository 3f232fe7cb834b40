"""Outway-IncomingRequest-1..3: the harness is the client of the SUT's Outway and plays the
providing Peer A (its Manager issues the token, its Inway answers)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, Warning
from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.calls import PROBE_PATH, outway_call
from cgconform.suites.fsc.harness.contracts import connection_grant
from cgconform.suites.fsc.harness.expect import error_code, line, require
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.hashes import grant_hash_readings
from cgconform.suites.fsc.harness.peers import ECHO_A, Harness

STD = "FSC-TestSuite"


@requirement(STD, "Outway-IncomingRequest-1")
def proxies_to_the_inway(fsc: Harness) -> None:
    item = fixture(fsc, "outway-connect").ready()
    call = outway_call(fsc, fsc.sut_hash(item))
    require(
        bool(call.arrived),
        f"the Outway did not send the request to the Inway in the token's aud "
        f"({fsc.inway_url}): {line(call.exchange)} {call.exchange.text[:200]}. FSC Core Outway: "
        "the Outway MUST proxy the request to the address in `aud`, with the access token in "
        "Fsc-Authorization",
        [call.exchange],
    )
    arrived = call.arrived[0]
    problems = []
    if arrived.path != PROBE_PATH:
        problems.append(
            f"the Inway received path {arrived.path!r}, the client sent {PROBE_PATH!r} "
            "(the Outway MUST NOT alter the path)"
        )
    if fsc.mock_inway.token_signer is not None and call.exchange.status == 401:
        problems.append("the harness Inway refused the access token the Outway sent")
    if not 200 <= call.exchange.status < 300 or "served_by" not in call.exchange.text:
        problems.append(f"the client did not get the Inway's response ({line(call.exchange)})")
    require(
        not problems,
        "the Outway's proxying is not what FSC Core asks: " + "; ".join(problems),
        [call.exchange],
    )


@requirement(STD, "Outway-IncomingRequest-2")
def refuses_without_valid_contract(fsc: Harness) -> None:
    grant = connection_grant(
        service_peer=fsc.a.peer_id,
        service_name=ECHO_A,
        outway_peer=fsc.sut_peer_id,
        outway_thumbprint=fsc.sut_outway_thumbprint,
    )
    # First a request the Outway can serve, so that it knows the harness Inway: an Outway
    # that forwards what it cannot authorize would now have somewhere to send it.
    primer = fixture(fsc, "outway-connect")
    if primer.problem is None:
        outway_call(fsc, fsc.sut_hash(primer))
    never_submitted = fsc.new_content([grant])
    grant_hash = grant_hash_readings(never_submitted, 0)[fsc.grant_reading or "hash-type"]
    call = outway_call(fsc, grant_hash)
    if call.arrived:
        raise Failure(
            "the Outway sent a request for a Grant of no Contract on to an Inway. FSC Core: the "
            "Outway MUST use an access token from the providing Peer, which needs a valid "
            "Contract",
            evidence=[call.exchange.to_evidence()],
        )
    if call.exchange.status < 400:
        raise Failure(
            f"the Outway answered {call.exchange.status} to a request it could not authorize; "
            "the scenario asks for an error",
            evidence=[call.exchange.to_evidence()],
        )
    if not error_code(call.exchange):
        raise Warning(
            f"the Outway returned an error ({line(call.exchange)}) but without Fsc-Error-Code. FSC "
            "Core Error Handling: errors in the scope of FSC MUST carry the header",
            evidence=[call.exchange.to_evidence()],
        )


@requirement(STD, "Outway-IncomingRequest-3")
def reports_unreachable_inway(fsc: Harness) -> None:
    item = fixture(fsc, "outway-unreachable").ready()
    call = outway_call(fsc, fsc.sut_hash(item))
    if call.exchange.status < 400:
        raise Failure(
            f"the Inway in the token's aud ({fsc.dead_url}) is unreachable, yet the Outway "
            f"answered {call.exchange.status}. The scenario asks for an error",
            evidence=[call.exchange.to_evidence()],
        )
    if call.exchange.status < 500 or not error_code(call.exchange):
        raise Warning(
            f"the Outway reported the unreachable Inway with {line(call.exchange)}; a 5xx (502) "
            "with Fsc-Error-Code fits FSC Core Error Handling better",
            evidence=[call.exchange.to_evidence()],
        )
