"""GET /session/{requestorToken}/result, /result-jwt and GET /publickey: the session result
(token, status, type; the disclosed attributes once DONE) and the same result as a JWT signed
with the server's key, verifiable with the PEM public key it publishes."""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.yivi_api import Started
from cgconform.suites.identity.harness.yivi_harness import YiviHarness, answered
from cgconform.suites.identity.harness.yivi_shapes import json_of, result_problems

STD = "Yivi-Requestor"
RESULT_ASKS = (
    'api-irma-server.md, GET /session/{requestorToken}/result: token, status, type ("If the '
    "session is not yet finished (that is, the session status is INITIALIZED or CONNECTED), "
    'then only the first three fields are populated.")'
)
JWT_ASKS = (
    'api-irma-server.md, GET /session/{requestorToken}/result-jwt: "a JWT signed by the irma '
    "server with the message from GET /session/{requestorToken}/result above as JWT body, "
    'along with the following standard JWT fields: iss, iat, sub"; GET /publickey: "the '
    "corresponding public key in PEM with which the server's session result JWTs ... can be "
    'verified"'
)
UNSUPPORTED = ("UNSUPPORTED", "EXCEPTION")


def _no_key(exchange: Exchange) -> bool:
    data = json_of(exchange)
    return isinstance(data, dict) and data.get("error") in UNSUPPORTED


def _no_key_outcome(exchange: Exchange) -> NotTested:
    return NotTested(
        f"the server has no JWT private key ({answered(exchange)}): result-jwt and publickey "
        "work only with one (the irma server's jwt_privkey). Configure it, or state "
        "[statement] result_jwt = false if the deployment does without signed results"
    )


def _result(yivi: YiviHarness, started: Started) -> tuple[Exchange, Any]:
    exchange = yivi.api.result(started.token)
    yivi.note_error(exchange)
    return exchange, json_of(exchange)


@requirement(STD, "/yivi/requestor/session-result")
def result_has_token_status_and_type(yivi: YiviHarness) -> None:
    started = yivi.new_session()
    first, data = _result(yivi, started)
    problems = [
        f"INITIALIZED: {p}"
        for p in result_problems(data, started.token, started.kind, "INITIALIZED")
    ]
    if isinstance(data, dict) and data.get("disclosed"):
        problems.append("INITIALIZED: disclosed is not empty before anything was disclosed")
    yivi.api.delete(started.token)
    yivi.api.wait_for_status(started.token, ("CANCELLED",), seconds=3)
    after, later = _result(yivi, started)
    problems += [
        f"CANCELLED: {p}" for p in result_problems(later, started.token, started.kind, "CANCELLED")
    ]
    evidence = [first.to_evidence(), after.to_evidence()]
    if problems:
        raise Failure(
            "the session result is not what the docs describe: "
            + "; ".join(problems)
            + f". {RESULT_ASKS}",
            evidence=evidence,
        )
    raise Passed(
        f'the result of a new session has token, status "INITIALIZED" and type '
        f'{started.kind.name!r}; after DELETE its status is "CANCELLED"',
        evidence=evidence,
    )


def _public_key(yivi: YiviHarness) -> tuple[Exchange, RSAKey | None, str | None]:
    exchange = yivi.api.publickey()
    yivi.note_error(exchange)
    if not 200 <= exchange.status < 300:
        return exchange, None, f"GET /publickey answered {answered(exchange)}"
    try:
        key = RSAKey.import_key(exchange.text.strip())
    except (JoseError, ValueError, TypeError) as exc:
        return exchange, None, f"GET /publickey is not an RSA public key in PEM ({exc})"
    if key.is_private:
        return exchange, None, "GET /publickey published the PRIVATE key"
    return exchange, key, None


@requirement(STD, "/yivi/requestor/publickey")
def publickey_is_a_pem_public_key(yivi: YiviHarness) -> None:
    exchange, key, problem = _public_key(yivi)
    if key is None and _no_key(exchange):
        raise _no_key_outcome(exchange)
    if problem is not None:
        raise Failure(f"{problem}. {JWT_ASKS}", evidence=[exchange.to_evidence()])
    bits = key.raw_value.key_size if key is not None else 0
    raise Passed(
        f"GET /publickey: an RSA public key in PEM ({bits} bits)", evidence=[exchange.to_evidence()]
    )


def _done_or_cancelled(yivi: YiviHarness) -> tuple[Started, str]:
    """A session with a result worth signing: DONE through the completion hook when the
    target has one, else a cancelled one (a result-jwt is served for any session)."""
    started = yivi.new_session()
    hook = yivi.settings.completion_hook
    if hook is not None:
        done = yivi.api.http.post(
            hook, json={"sessionPtr": started.package.get("sessionPtr")}, authenticated=False
        )
        if 200 <= done.status < 300:
            value, _ = yivi.api.wait_for_status(started.token, ("DONE",), seconds=10)
            if value == "DONE":
                return started, "DONE"
    yivi.api.delete(started.token)
    yivi.api.wait_for_status(started.token, ("CANCELLED",), seconds=3)
    return started, "CANCELLED"


@requirement(STD, "/yivi/requestor/session-result-jwt")
def result_jwt_verifies_with_publickey(yivi: YiviHarness) -> None:
    key_exchange, key, problem = _public_key(yivi)
    if key is None and _no_key(key_exchange):
        raise _no_key_outcome(key_exchange)
    started, status = _done_or_cancelled(yivi)
    exchange = yivi.api.result_jwt(started.token)
    yivi.note_error(exchange)
    evidence = [exchange.to_evidence(), key_exchange.to_evidence()]
    if not 200 <= exchange.status < 300:
        if _no_key(exchange):
            raise _no_key_outcome(exchange)
        raise Failure(
            f"result-jwt of a {status} session: {answered(exchange)}. {JWT_ASKS}", evidence=evidence
        )
    if key is None:
        raise Failure(
            f"the result JWT cannot be verified: {problem}. {JWT_ASKS}", evidence=evidence
        )
    try:
        token = jwt.decode(exchange.text.strip(), key, algorithms=["RS256"])
    except (JoseError, ValueError) as exc:
        raise Failure(
            f"the result JWT of a {status} session does not verify (RS256) with the key of GET "
            f"/publickey: {type(exc).__name__}: {exc}. {JWT_ASKS}",
            evidence=evidence,
        ) from None
    claims = dict(token.claims)
    problems = result_problems(claims, started.token, started.kind, status)
    for name in ("iss", "iat"):
        if name not in claims:
            problems.append(f"no {name}")
    expected_iss = yivi.settings.jwt_issuer
    if expected_iss is not None and claims.get("iss") != expected_iss:
        problems.append(f"iss is {claims.get('iss')!r}, the target says {expected_iss!r}")
    if claims.get("sub") not in started.kind.result_subs:
        problems.append(
            f"sub is {claims.get('sub')!r} for a {started.kind.name} session (the docs: "
            f"{started.kind.result_subs[0]!r})"
        )
    if problems:
        raise Failure(
            "the verified result JWT: " + "; ".join(problems) + f". {JWT_ASKS}",
            evidence=evidence,
        )
    note = ""
    if claims.get("sub") != started.kind.result_subs[0]:
        note = (
            f"; sub {claims['sub']!r} is what irmago writes, where the docs name "
            f"{started.kind.result_subs[0]!r} (both accepted)"
        )
    raise Passed(
        f"the result JWT of a {status} session verifies (RS256) with GET /publickey and carries "
        f"the result (status {claims.get('status')!r}, type {claims.get('type')!r}), iss "
        f"{claims.get('iss')!r}, iat, sub {claims.get('sub')!r}" + note,
        evidence=evidence,
    )
