"""Errors of the requestor API: every non-2xx answer is an irma.RemoteError ({"status", "error",
"description"}), and a requestor token the server does not know gets SESSION_UNKNOWN (400)."""

from __future__ import annotations

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.identity.harness.yivi_api import NONE
from cgconform.suites.identity.harness.yivi_harness import DISCLOSING, YiviHarness, answered
from cgconform.suites.identity.harness.yivi_shapes import error_problems, json_of

STD = "Yivi-Requestor"
OVERVIEW = (
    'api-irma-server.md, API overview: "if the HTTP status code indicates that the request was '
    "not successful (i.e. not in the 2xx range), then the server returns an irma.RemoteError "
    'instance", e.g. {"status": 400, "error": "SESSION_UNKNOWN", "description": "Unknown or '
    'expired session"}'
)
NOT_A_REQUEST = {"@context": "https://irma.app/ld/request/cgconform-not-a-session/v1"}


def _evidence(found: list[tuple[Exchange, str]]) -> list[dict[str, object]]:
    """The evidence of the first five answers found, each once."""
    seen: dict[int, Exchange] = {}
    for exchange, _ in found:
        seen.setdefault(id(exchange), exchange)
    return [e.to_evidence() for e in list(seen.values())[:5]]


@requirement(STD, "/yivi/requestor/error-object")
def errors_are_remote_errors(yivi: YiviHarness) -> None:
    unknown = yivi.api.unknown_token(yivi.disclosure().token)
    yivi.note_error(yivi.api.result(unknown))
    yivi.start(NOT_A_REQUEST)
    if yivi.option("requestor_authentication", True):
        yivi.start(yivi.request_for(DISCLOSING), NONE)
    answers = list(yivi.errors)
    if not answers:
        raise Inconclusive("no error answer to judge: the server answered everything with 2xx")
    failures: list[tuple[Exchange, str]] = []
    warnings: list[tuple[Exchange, str]] = []
    for exchange in answers:
        bad, doubtful = error_problems(exchange)
        line = f"{exchange.request.method} {exchange.request.url} → {exchange.status}"
        failures += [(exchange, f"{line}: {p}") for p in bad]
        warnings += [(exchange, f"{line}: {p}") for p in doubtful]
    if failures:
        raise Failure(
            "error answers that are no irma.RemoteError: "
            + "; ".join(p for _, p in failures[:6])
            + f". {OVERVIEW}",
            evidence=_evidence(failures),
        )
    if warnings:
        raise Warning(
            "error answers without fields the docs' example carries (the docs list them as "
            'fields that "may occur"): ' + "; ".join(p for _, p in warnings[:6]),
            evidence=_evidence(warnings),
        )
    raise Passed(
        f"{len(answers)} error answers are irma.RemoteErrors: "
        + "; ".join(f"{e.status} {json_of(e).get('error')}" for e in answers[:8]),
        evidence=[answers[0].to_evidence()],
    )


@requirement(STD, "/yivi/requestor/session-unknown")
def unknown_session_is_session_unknown(yivi: YiviHarness) -> None:
    token = yivi.api.unknown_token(yivi.disclosure().token)
    answers = [yivi.api.status(token), yivi.api.result(token), yivi.api.delete(token)]
    wrong = []
    for exchange in answers:
        yivi.note_error(exchange)
        data = json_of(exchange)
        error = data.get("error") if isinstance(data, dict) else None
        if exchange.status != 400 or error != "SESSION_UNKNOWN":
            wrong.append(exchange)
    if wrong:
        raise Failure(
            "a requestor token of no session did not get SESSION_UNKNOWN (400): "
            + "; ".join(answered(e) for e in wrong)
            + '. api-irma-server.md: "attempting to retrieve the session result of an unknown '
            'session returns: {"status": 400, "error": "SESSION_UNKNOWN", ...}"; after a '
            'session ended and expired "all endpoints below requiring the requestor token '
            'return error "SESSION_UNKNOWN""',
            evidence=[e.to_evidence() for e in wrong],
        )
    raise Passed(
        "status, result and DELETE for a requestor token of no session all answer 400 with "
        "error SESSION_UNKNOWN",
        evidence=[answers[1].to_evidence()],
    )
