"""Errors on the running API: /core/no-trailing-slash, /core/error-handling/problem-details,
/core/error-handling/invalid-input, and status codes that mean what they say."""

from __future__ import annotations

from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import (
    BudgetExhausted,
    Failure,
    Inconclusive,
    NotTested,
    TargetUnreachable,
)
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest, raise_findings
from cgconform.suites.api.runtime._api import exchange_line as _line

PROBLEM_MEMBERS = ("status", "title", "detail")


def _problem_defects(exchange: Exchange) -> list[str]:
    content_type = (exchange.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in ("application/problem+json", "application/problem+xml"):
        return [f"Content-Type is {content_type or 'missing'}, not application/problem+json"]
    if content_type == "application/problem+xml":
        return []
    try:
        body: Any = exchange.json()
    except ValueError:
        return ["the body is not JSON"]
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    missing = [m for m in PROBLEM_MEMBERS if m not in body]
    defects = [f"members missing: {', '.join(missing)}"] if missing else []
    if "status" in body and body["status"] != exchange.status:
        defects.append(f"status member {body['status']!r} differs from the HTTP status")
    return defects


@requirement("ADR", "/core/no-trailing-slash")
def trailing_slash_is_404_not_a_redirect(api: ApiUnderTest) -> None:
    exchange = _probes.trailing_slash(api)
    if exchange.status != 404:
        where = exchange.headers.get("Location")
        what = f"a redirect to {where}" if 300 <= exchange.status < 400 else f"{exchange.status}"
        raise Failure(
            f"{_line(exchange)}: a URI with a trailing slash MUST give 404, not {what}",
            evidence=[exchange.to_evidence()],
        )


@requirement("ADR", "/core/error-handling/problem-details")
def error_responses_are_problem_details(api: ApiUnderTest) -> None:
    errors = [e for e in _probes.everything(api) if 400 <= e.status < 600]
    wrong = [(e, f"{_line(e)}: {'; '.join(d)}") for e in errors for d in [_problem_defects(e)] if d]
    raise_findings(
        wrong,
        f"{len(wrong)} of {len(errors)} error responses are not problem details "
        "(RFC 9457 with status, title, detail)",
    )


@requirement("ADR", "/core/error-handling/invalid-input")
def invalid_input_is_400(api: ApiUnderTest) -> None:
    wrong = [e for e in _probes.invalid_queries(api) if e.status != 400]
    if wrong:
        raise Failure(
            f"{_line(wrong[0])}: a query value that violates its schema MUST give 400 "
            "(Bad Request)" + "".join(f"\n- {_line(e)}" for e in wrong[1:]),
            evidence=[e.to_evidence() for e in wrong],
        )


@requirement("ADR", "/core/http-response-code")
def status_codes_mean_what_they_say(api: ApiUnderTest) -> None:
    """404 for what does not exist, 406 for an Accept it cannot serve, 415 for a body it
    cannot read (when writes are allowed), and never a 5xx for a client's mistake."""
    wrong = []
    expected = [
        (_probes.unknown_path, 404),
        (_probes.unknown_item, 404),
        (_probes.not_acceptable, 406),
        (_probes.unsupported_media_type, 415),
    ]
    for probe, status in expected:
        try:
            exchange = probe(api)
        except (BudgetExhausted, TargetUnreachable):
            raise
        except (NotTested, Inconclusive):
            continue  # no such operation here, or writes not allowed: the others still count
        if exchange.status != status:
            wrong.append((exchange, f"{_line(exchange)}, expected {status}"))
    for exchange in _probes.everything(api):
        if exchange.status >= 500 and all(exchange is not e for e, _ in wrong):
            wrong.append((exchange, f"{_line(exchange)}: a server error for a client request"))
    raise_findings(wrong, f"{len(wrong)} response(s) with the wrong status code")
