"""The session status lifecycle (GET /session/{requestorToken}/status): a session starts as
INITIALIZED; DELETE cancels it (CANCELLED); it times out (TIMEOUT) when no Yivi app connects
within its timeout; it is DONE when a wallet completes it. CANCELLED, DONE and TIMEOUT are
ending statuses: a session never leaves them."""

from __future__ import annotations

from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.yivi_api import status_value
from cgconform.suites.identity.harness.yivi_harness import YiviHarness, answered
from cgconform.suites.identity.harness.yivi_requests import ENDING_STATUSES
from cgconform.suites.identity.harness.yivi_shapes import disclosed_problems, json_of

STD = "Yivi-Requestor"
STATUS_ASKS = (
    'api-irma-server.md, GET /session/{requestorToken}/status: "Retrieve the session status '
    'as a JSON string"'
)


def _shown(exchange: Exchange) -> str:
    value = status_value(exchange)
    return repr(value) if value is not None else answered(exchange)


@requirement(STD, "/yivi/requestor/session-status")
def new_session_is_initialized(yivi: YiviHarness) -> None:
    started = yivi.new_session()
    exchange = yivi.api.status(started.token)
    yivi.note_error(exchange)
    evidence = [exchange.to_evidence()]
    value = status_value(exchange, strict=True)
    if value is None:
        raise Failure(
            f"the status of a new session is not a JSON string: {answered(exchange)}. "
            f'{STATUS_ASKS} (e.g. "INITIALIZED", with the quotes)',
            evidence=evidence,
        )
    if value != "INITIALIZED":
        raise Failure(
            f"a session just started has status {value!r}: {answered(exchange)}. "
            'api-irma-server.md, POST /session: "Each session starts in the "INITIALIZED" '
            'session status"',
            evidence=evidence,
        )
    raise Passed(
        f'a new session has status "INITIALIZED": {exchange.request.url}', evidence=evidence
    )


@requirement(STD, "/yivi/requestor/delete-session")
def delete_cancels_the_session(yivi: YiviHarness) -> None:
    started = yivi.new_session()
    deleted = yivi.api.delete(started.token)
    yivi.note_error(deleted)
    if not 200 <= deleted.status < 300:
        raise Failure(
            f"DELETE of an INITIALIZED session was refused: {answered(deleted)}. "
            'api-irma-server.md, DELETE /session/{requestorToken}: "Cancel the session: set '
            'the session status to "CANCELLED"."',
            evidence=[deleted.to_evidence()],
        )
    value, seen = yivi.api.wait_for_status(started.token, ("CANCELLED",), seconds=3)
    evidence = [deleted.to_evidence(), seen[-1].to_evidence()]
    if value != "CANCELLED":
        raise Failure(
            f"after DELETE ({deleted.status}) the session's status is {_shown(seen[-1])}, "
            '3 s later still not "CANCELLED". api-irma-server.md, DELETE '
            '/session/{requestorToken}: "Cancel the session: set the session status to '
            '"CANCELLED"."',
            evidence=evidence,
        )
    again = yivi.api.delete(started.token)
    after = yivi.api.status(started.token)
    if status_value(after) != "CANCELLED":
        raise Failure(
            f"a CANCELLED session left its ending status: after a second DELETE "
            f'({again.status}) its status is {_shown(after)}. api-irma-server.md: "once the '
            'session reaches such a status, it will not switch status again."',
            evidence=[*evidence, again.to_evidence(), after.to_evidence()],
        )
    raise Passed(
        f'DELETE → {deleted.status}; the status became "CANCELLED" and stayed so after a '
        f"second DELETE ({again.status})",
        evidence=evidence,
    )


@requirement(STD, "/yivi/requestor/session-status-timeout")
def session_times_out(yivi: YiviHarness) -> None:
    timeout = yivi.settings.session_timeout_s
    if timeout is None:
        raise NotTested(
            "a session reaches TIMEOUT only after its client timeout (300 s by default); state "
            "how long cgconform may wait: [yivi] session_timeout = N (seconds; sessions are "
            "started with that timeout as an extra parameter) and timeout_grace (how much "
            "longer the server may take to notice, default 30 s)"
        )
    started = yivi.new_session(timeout=timeout)
    wait = timeout + yivi.settings.timeout_grace_s
    value, seen = yivi.api.wait_for_status(started.token, ENDING_STATUSES, wait, every=1.0)
    evidence = [started.exchange.to_evidence(), seen[-1].to_evidence()]
    if value != "TIMEOUT":
        raise Failure(
            f'a session started with "timeout": {timeout} that no Yivi app connected to has '
            f'status {_shown(seen[-1])} after {wait:g} s, not "TIMEOUT". session-requests.md, '
            'Extra parameters: "timeout": "Wait this many seconds for the Yivi app to connect '
            'before the session times out"',
            evidence=evidence,
        )
    raise Passed(
        f'a session with "timeout": {timeout} reached "TIMEOUT" unattended '
        f"({len(seen)} status polls)",
        evidence=evidence,
    )


def _complete(yivi: YiviHarness, hook: str, package: dict[str, Any]) -> Exchange:
    return yivi.api.http.post(
        hook, json={"sessionPtr": package.get("sessionPtr")}, authenticated=False
    )


@requirement(STD, "/yivi/requestor/session-status-done")
def completed_session_is_done(yivi: YiviHarness) -> None:
    hook = yivi.settings.completion_hook
    if hook is None:
        raise NotTested(
            "DONE needs a Yivi app that holds the requested attributes and agrees: cgconform "
            "has none. A target that has a test wallet names it as [yivi] completion_hook "
            '(docs/identity-notes.md: POST {"sessionPtr": ...} and the wallet completes the '
            "session); with a real Yivi app, scan a session's QR code by hand"
        )
    started = yivi.new_session()
    hooked = _complete(yivi, hook, started.package)
    if not 200 <= hooked.status < 300:
        raise Inconclusive(
            f"the completion hook did not complete the session: {answered(hooked)}",
            evidence=[hooked.to_evidence()],
        )
    value, seen = yivi.api.wait_for_status(started.token, ENDING_STATUSES, seconds=10)
    result = yivi.api.result(started.token)
    evidence = [seen[-1].to_evidence(), result.to_evidence()]
    if value != "DONE":
        raise Failure(
            f"the wallet completed the disclosure (hook: {hooked.status}), and the session's "
            f'status is {_shown(seen[-1])}, not "DONE". api-irma-server.md: "DONE": the '
            "session has completed successfully",
            evidence=evidence,
        )
    data = json_of(result)
    problems = (
        disclosed_problems(data, yivi.settings.disclose)
        if isinstance(data, dict) and data.get("status") == "DONE"
        else [f"the result of the DONE session is {answered(result)}"]
    )
    if problems:
        raise Failure(
            "the result of the DONE disclosure session: " + "; ".join(problems) + ". "
            'api-irma-server.md, GET /session/{requestorToken}/result: "disclosed: ... The '
            "array structure mirrors that of the session request ...: the i-th item of the "
            'outer array is a conjunction of attributes satisfying the i-th outer conjunction"',
            evidence=evidence,
        )
    raise Passed(
        f'the test wallet completed the session: status "DONE", proofStatus VALID, '
        f"{len(data['disclosed'])} disclosed conjunction(s) mirroring the request",
        evidence=evidence,
    )
