"""FSC Core, Inway: the authorization conditions no scenario covers (a token signed by another
Peer, for an unknown Service, for another Group), the code table (status, code and
`WWW-Authenticate: Bearer`), the error object, and the Service's own errors passed on
unaltered. Tokens the SUT's Manager would never issue are made by the harness with the SUT's
test key (suites/fsc/harness/minting.py)."""

from __future__ import annotations

import time
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.http.mock_server import Received, Reply
from cgconform.model.outcomes import Failure, NotApplicable
from cgconform.run.marks import requirement
from cgconform.suites.fsc.core._build import CORE
from cgconform.suites.fsc.harness.calls import PROBE_PATH, Call, inway_call
from cgconform.suites.fsc.harness.codes import (
    INWAY_CODES,
    code_of,
    domain_of,
    error_object_problems,
    evidence,
    expect_code,
    with_logging,
)
from cgconform.suites.fsc.harness.contracts import uuid7
from cgconform.suites.fsc.harness.expect import line
from cgconform.suites.fsc.harness.fixture_contracts import fixture
from cgconform.suites.fsc.harness.minting import calibrated_sut_signer, mint, token_claims
from cgconform.suites.fsc.harness.peers import Harness
from cgconform.suites.fsc.harness.tokens import issued_token

TABLE = "FSC Core Inway error codes"
PROVOKED = "core.inway-errors"
SERVICE_ERROR = {"cgconform": "an error of the Service itself", "detail": [1, 2, 3]}


def _not_forwarded(call: Call, what: str, asks: str) -> None:
    if call.arrived or 200 <= call.exchange.status < 300:
        raise Failure(
            f"{what} was served: {line(call.exchange)} ({len(call.arrived)} request(s) reached "
            f"the harness Service). {asks}",
            evidence=evidence(call.exchange),
        )


def _challenge(call: Call, what: str) -> None:
    challenge = call.exchange.headers.get("WWW-Authenticate", "")
    if not challenge.strip().lower().startswith("bearer"):
        raise Failure(
            f"{what} was answered {line(call.exchange)} without `WWW-Authenticate: Bearer` "
            f'(got {challenge or "none"}). {TABLE}: "In this scenario the HTTP header '
            'WWW-Authenticate MUST be set to Bearer"',
            evidence=evidence(call.exchange),
        )


# -- authorization -------------------------------------------------------------------------------


@requirement(CORE, "FSC-Core/inway/authorization/signed-by-own-peer")
def refuses_tokens_of_other_peers(fsc: Harness) -> None:
    token = mint(fsc.a.signer, token_claims(fsc))
    call = inway_call(fsc, token)
    _not_forwarded(
        call,
        "A request with a token for the SUT's Service, correct in every claim but signed by "
        f"Peer A ({fsc.a.peer_id}) instead of the SUT",
        'FSC Core Inway: "The access token is signed by the same Peer that owns Inway"',
    )


def _minted_call(fsc: Harness, **claims: Any) -> Call:
    signer = calibrated_sut_signer(fsc)
    return inway_call(fsc, mint(signer, token_claims(fsc, **claims)))


@requirement(CORE, "FSC-Core/inway/authorization/service-known")
@requirement(CORE, "FSC-Core/inway/error-codes/service-not-found")
def unknown_service(fsc: Harness) -> None:
    call = _minted_call(fsc, svc="cgconform-no-such-service")
    what = "A request with a token of the SUT for the Service 'cgconform-no-such-service'"
    _not_forwarded(
        call,
        what,
        'FSC Core Inway: "The Service specified in the access token is known to the Inway"',
    )
    expect_code(
        call.exchange,
        what,
        f"{TABLE}: ERROR_CODE_SERVICE_NOT_FOUND, 404",
        status=404,
        codes=("ERROR_CODE_SERVICE_NOT_FOUND",),
        doubtful=("ERROR_CODE_ACCESS_TOKEN_INVALID",),  # svc and gth disagree: also invalid
    )


@requirement(CORE, "FSC-Core/inway/authorization/group-id")
@requirement(CORE, "FSC-Core/inway/error-codes/wrong-group-id-in-token")
def token_of_another_group(fsc: Harness) -> None:
    group = f"{fsc.settings.group_id}-other"
    call = _minted_call(fsc, gid=group)
    what = f"A request with a token of the SUT whose gid is {group!r}"
    _not_forwarded(
        call,
        what,
        'FSC Core Inway: "The Group ID specified in the claim gid of the access token matches '
        'the Group ID of the Inway"',
    )
    expect_code(
        call.exchange,
        what,
        f"{TABLE}: ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN, 403",
        status=403,
        codes=("ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN",),
        doubtful=("ERROR_CODE_ACCESS_TOKEN_INVALID",),
    )


# -- the code table ------------------------------------------------------------------------------


def _provoked(fsc: Harness) -> dict[str, Call]:
    """The missing-token and invalid-token answers of the Inway (cached per run)."""
    if PROVOKED not in fsc.cache:
        fsc.cache[PROVOKED] = {
            "missing": inway_call(fsc, None),
            "invalid": inway_call(fsc, "cgconform.not-a.token"),
        }
    provoked: dict[str, Call] = fsc.cache[PROVOKED]
    return provoked


@requirement(CORE, "FSC-Core/inway/error-codes/access-token-missing")
def missing_token(fsc: Harness) -> None:
    call = _provoked(fsc)["missing"]
    what = "A request without Fsc-Authorization"
    _not_forwarded(call, what, "FSC Core Inway: the request MUST contain Fsc-Authorization")
    expect_code(
        call.exchange,
        what,
        f"{TABLE}: ERROR_CODE_ACCESS_TOKEN_MISSING, 401",
        status=401,
        codes=("ERROR_CODE_ACCESS_TOKEN_MISSING",),
    )
    _challenge(call, what)


@requirement(CORE, "FSC-Core/inway/error-codes/access-token-invalid")
def invalid_token(fsc: Harness) -> None:
    call = _provoked(fsc)["invalid"]
    what = "A request with Fsc-Authorization 'cgconform.not-a.token'"
    _not_forwarded(call, what, "FSC Core Inway: the Inway MUST validate the access token")
    expect_code(
        call.exchange,
        what,
        f"{TABLE}: ERROR_CODE_ACCESS_TOKEN_INVALID, 401",
        status=401,
        codes=("ERROR_CODE_ACCESS_TOKEN_INVALID",),
    )
    _challenge(call, what)


@requirement(CORE, "FSC-Core/inway/error-codes/access-token-expired")
def expired_token(fsc: Harness) -> None:
    moment = int(time.time())
    call = _minted_call(fsc, iat=moment - 600, nbf=moment - 600, exp=moment - 300)
    what = "A request with a token of the SUT that expired five minutes ago"
    _not_forwarded(call, what, "FSC Core Inway: the Inway MUST validate the access token")
    expect_code(
        call.exchange,
        what,
        f"{TABLE}: ERROR_CODE_ACCESS_TOKEN_EXPIRED, 401",
        status=401,
        codes=("ERROR_CODE_ACCESS_TOKEN_EXPIRED",),
    )
    _challenge(call, what)


# -- the error object ----------------------------------------------------------------------------


def _judge_errors(fsc: Harness, problems_of: Any, asks: str) -> None:
    calls = _provoked(fsc)
    problems = [
        f"{what} token ({line(call.exchange)}): {p}"
        for what, call in calls.items()
        for p in (problems_of(call.exchange) if call.exchange.status >= 400 else [])
    ]
    if problems:
        raise Failure(
            "the Inway's error responses are not what FSC Core asks: "
            + "; ".join(problems)
            + f". {asks}",
            evidence=evidence(*(c.exchange for c in calls.values())),
        )


@requirement(CORE, "FSC-Core/inway/error-response/error-object")
def inway_error_object(fsc: Harness) -> None:
    _judge_errors(
        fsc,
        lambda e: error_object_problems(e, header=True),
        'FSC Core Error Handling: errors "MUST return the HTTP header Fsc-Error-Code which MUST '
        'contain the code specifying the error"; the body is the error object {message, domain, '
        "code}",
    )


@requirement(CORE, "FSC-Core/inway/error-response/code-enum")
def inway_error_code_enum(fsc: Harness) -> None:
    codes = with_logging(INWAY_CODES)

    def problems(exchange: Exchange) -> list[str]:
        code = code_of(exchange)
        return [] if code in codes else [f"code {code!r} is not an InwayErrorCode"]

    _judge_errors(
        fsc,
        problems,
        'FSC Core Inway: "The code field of the error response MUST contain one of the codes '
        'defined as .components.schemas.InwayErrorCode" (FSC Logging adds three)',
    )


@requirement(CORE, "FSC-Core/inway/error-response/domain")
def inway_error_domain(fsc: Harness) -> None:
    def problems(exchange: Exchange) -> list[str]:
        domain = domain_of(exchange)
        return [] if domain == "ERROR_DOMAIN_INWAY" else [f"domain {domain!r}"]

    _judge_errors(
        fsc,
        problems,
        'FSC Core Inway: "The domain field of the error response MUST be equal to '
        'ERROR_DOMAIN_INWAY"',
    )


# -- the Service's errors ------------------------------------------------------------------------


def _service_error(request: Received) -> Reply | None:
    if request.query != [("q", "cgconform-service-error")]:
        return None
    return Reply.json(409, SERVICE_ERROR, {"X-Cgconform-Service": "error"})


@requirement(CORE, "FSC-Core/inway/error-response/service-errors-unaltered")
def passes_service_errors_on(fsc: Harness) -> None:
    if not fsc.settings.inway:
        raise NotApplicable("no Inway to test: give urls.inway in target.toml")
    _, token = issued_token(fsc, fixture(fsc, "connect"))
    fsc.mock_service.reply = _service_error
    try:
        exchange = fsc.a.http.get(
            f"{fsc.settings.inway}{PROBE_PATH}",
            params={"q": "cgconform-service-error"},
            headers={"Fsc-Authorization": token, "Fsc-Transaction-Id": _txid()},
        )
    finally:
        fsc.mock_service.reply = None
    problems = []
    if exchange.status != 409:
        problems.append(f"status {exchange.status}, the Service answered 409")
    try:
        got = exchange.json()
    except ValueError:
        got = None
    if got != SERVICE_ERROR:
        problems.append(f"body {exchange.text[:160]!r}, not the Service's {SERVICE_ERROR}")
    if exchange.headers.get("X-Cgconform-Service") != "error":
        problems.append("the Service's header X-Cgconform-Service is gone")
    if problems:
        raise Failure(
            "the harness Service answered 409 with a JSON body and a header of its own; the "
            f"Inway gave the Outway {line(exchange)}: "
            + "; ".join(problems)
            + '. FSC Core Inway: "The Inway MUST return the error response of a Service to the '
            'Outway without altering the response"',
            evidence=evidence(exchange),
        )


def _txid() -> str:
    return uuid7()
