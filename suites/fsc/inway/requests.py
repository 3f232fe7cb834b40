"""Inway-Incoming-Request-1..6 and Inway-Port-1: the harness acts as Peer A's Outway towards
the SUT's Inway, with tokens the SUT's Manager issued."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, NotApplicable, Outcome, Warning
from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness.calls import Call, inway_call
from cgconform.suites.fsc.harness.expect import expect_rejected, line, require
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.jose import split_compact
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.ports import port_scenario
from cgconform.suites.fsc.harness.tokens import issued_token, wait_for_expiry

STD = "FSC-TestSuite"
DENY = "FSC Core Inway: the request MUST be authorized only with a valid access token"


def _valid_token(fsc: Harness) -> str:
    return issued_token(fsc, fixture(fsc, "connect"))[1]


def _not_forwarded(call: Call, what: str) -> None:
    if call.arrived:
        raise Failure(
            f"{what}, yet the Inway proxied it to the Service ({len(call.arrived)} request(s) "
            f"arrived at the harness Service): {line(call.exchange)}. {DENY}",
            evidence=[call.exchange.to_evidence()],
        )


def _bearer_challenge(call: Call, what: str) -> None:
    challenge = call.exchange.headers.get("WWW-Authenticate", "")
    if not challenge.lower().startswith("bearer"):
        raise Warning(
            f"{what} was denied, but without `WWW-Authenticate: Bearer` "
            f"(got {challenge or 'none'}); FSC Core Inway error codes: the header MUST be set",
            evidence=[call.exchange.to_evidence()],
        )


@requirement(STD, "Inway-Incoming-Request-1")
def accepts_valid_token(fsc: Harness) -> None:
    call = inway_call(fsc, _valid_token(fsc))
    require(
        200 <= call.exchange.status < 300 and bool(call.arrived),
        f"a request with a valid access token was not served: {line(call.exchange)} "
        f"({len(call.arrived)} request(s) reached the Service). FSC Core Inway: the Inway MUST "
        "proxy an authorized request to the Service in `svc`",
        [call.exchange],
    )


@requirement(STD, "Inway-Incoming-Request-2")
def denies_missing_token(fsc: Harness) -> None:
    call = inway_call(fsc, None)
    what = "A request without Fsc-Authorization"
    _not_forwarded(call, what + " should be denied")
    expect_rejected(
        call.exchange,
        what,
        DENY + " (ERROR_CODE_ACCESS_TOKEN_MISSING, 401)",
        status=401,
        codes=("ERROR_CODE_ACCESS_TOKEN_MISSING",),
        domain="ERROR_DOMAIN_INWAY",
    )
    _bearer_challenge(call, what)


@requirement(STD, "Inway-Incoming-Request-3")
def denies_token_bound_to_other_certificate(fsc: Harness) -> None:
    call = inway_call(fsc, _valid_token(fsc), client=fsc.b.http)
    what = "A request with Peer A's token over Peer B's TLS certificate"
    _not_forwarded(call, what + " should be denied")
    expect_rejected(
        call.exchange,
        what,
        DENY + "; the token is bound to a certificate (RFC 8705 §3.1, cnf.x5t#S256) "
        "(ERROR_CODE_ACCESS_TOKEN_INVALID, 401)",
        status=401,
        codes=("ERROR_CODE_ACCESS_TOKEN_INVALID",),
        domain="ERROR_DOMAIN_INWAY",
    )


@requirement(STD, "Inway-Incoming-Request-4")
def denies_untrusted_certificate(fsc: Harness) -> None:
    if fsc.intruder is None:
        raise NotApplicable("the test PKI has no `intruder` identity")
    token = _valid_token(fsc)
    try:
        call = inway_call(fsc, token, client=fsc.intruder)
    except Outcome as exc:  # the TLS handshake was refused: what FSC asks
        if "TLS" in exc.message or "certificate" in exc.message or "closed" in exc.message:
            return
        raise
    what = "A request over a certificate of an untrusted CA (claiming Peer A's ID)"
    _not_forwarded(call, what + " should be denied")
    if call.exchange.status < 400:
        raise Failure(
            f"{what} was accepted: {line(call.exchange)}. FSC Core Inway: the Inway MUST only "
            "accept mTLS connections with a certificate signed by the Group's trust anchor",
            evidence=[call.exchange.to_evidence()],
        )


@requirement(STD, "Inway-Incoming-Request-5")
def preserves_access_token(fsc: Harness) -> None:
    token = _valid_token(fsc)
    call = inway_call(fsc, token)
    require(
        bool(call.arrived),
        f"the request did not reach the Service: {line(call.exchange)}",
        [call.exchange],
    )
    forwarded = call.arrived[0].header("Fsc-Authorization")
    require(
        forwarded is not None and forwarded.removeprefix("Bearer ").strip() == token,
        "the Service did not receive the access token in Fsc-Authorization "
        f"({'absent' if forwarded is None else 'another value'}). FSC Core Inway: the Inway "
        "MUST not delete the HTTP Header Fsc-Authorization before forwarding",
        [call.exchange],
    )


@requirement(STD, "Inway-Incoming-Request-6")
def denies_expired_token(fsc: Harness) -> None:
    token = _valid_token(fsc)
    wait_for_expiry(fsc, split_compact(token)[1])
    call = inway_call(fsc, token)
    what = "A request with an access token that has expired"
    _not_forwarded(call, what + " should be denied")
    expect_rejected(
        call.exchange,
        what,
        DENY + " (ERROR_CODE_ACCESS_TOKEN_EXPIRED, 401)",
        status=401,
        codes=("ERROR_CODE_ACCESS_TOKEN_EXPIRED",),
        domain="ERROR_DOMAIN_INWAY",
    )


@requirement(STD, "Inway-Port-1")
def inway_port(fsc: Harness) -> None:
    if not fsc.settings.inway:
        raise NotApplicable("no Inway configured (urls.inway)")
    port_scenario(fsc, "Inway", fsc.settings.inway, "/")
