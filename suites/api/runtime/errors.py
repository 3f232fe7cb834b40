"""Errors on the running API: /core/no-trailing-slash, /core/error-handling/problem-details,
/core/error-handling/invalid-input, and status codes that mean what they say."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cgconform.http.evidence import Exchange, NotJson
from cgconform.model.outcomes import (
    BudgetExhausted,
    Inconclusive,
    NotTested,
    TargetUnreachable,
)
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest, raise_findings
from cgconform.suites.api.runtime._api import exchange_line as _line
from cgconform.suites.api.runtime._contract import judge_bodies, raise_if_cut

PROBLEM_MEMBERS = ("status", "title", "detail")


def _problem_defects(exchange: Exchange) -> list[str]:
    content_type = (exchange.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in ("application/problem+json", "application/problem+xml"):
        return [f"Content-Type is {content_type or 'missing'}, not application/problem+json"]
    if content_type == "application/problem+xml":
        return []
    try:
        body: Any = exchange.json()
    except NotJson as exc:
        return [f"the body is not JSON ({exc.detail})"]  # a cut body: TruncatedBody propagates
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    missing = [m for m in PROBLEM_MEMBERS if m not in body]
    defects = [f"members missing: {', '.join(missing)}"] if missing else []
    if "status" in body and body["status"] != exchange.status:
        defects.append(f"status member {body['status']!r} differs from the HTTP status")
    return defects


@requirement("ADR", "/core/no-trailing-slash")
def trailing_slash_is_404_not_a_redirect(api: ApiUnderTest) -> None:
    sent = _probes.trailing_slashes(api)
    _probes.require(sent, api, "URI with a trailing slash")
    wrong = []
    for exchange in sent:
        if exchange.status != 404:
            where = exchange.headers.get("Location")
            what = f"a redirect to {where}" if 300 <= exchange.status < 400 else exchange.status
            wrong.append((exchange, f"{_line(exchange)}: MUST give 404, not {what}"))
    raise_findings(
        wrong,
        "a URI with a trailing slash does not give 404",
        covered=_probes.coverage(sent, api),
    )


@requirement("ADR", "/core/error-handling/problem-details")
def error_responses_are_problem_details(api: ApiUnderTest) -> None:
    errors = [e for e in _probes.everything(api) if 400 <= e.status < 600]
    _probes.require(errors, api, "request that gets an error response")
    defective, cut = judge_bodies(errors, lambda e: e, _problem_defects)
    wrong = [(e, f"{_line(e)}: {'; '.join(d)}") for e, d in defective]
    if not wrong:
        raise_if_cut(cut, len(errors), "error responses")
    raise_findings(
        wrong,
        f"{len(wrong)} of {len(errors)} error responses are not problem details "
        "(RFC 9457 with status, title, detail)",
        covered=_probes.coverage(errors, api),
    )


@requirement("ADR", "/core/error-handling/invalid-input")
def invalid_input_is_400(api: ApiUnderTest) -> None:
    """Every operation with a constrained query parameter, sent a value its schema forbids:
    400, never another client error and never a server error."""
    probes = _probes.invalid_inputs(api)
    _probes.require(probes, api, "request with invalid input")
    wrong = [
        (p.exchange, f"{_line(p.exchange)} for {p.note}")
        for p in probes
        if p.exchange.status != 400
    ]
    raise_findings(
        wrong,
        f"{len(wrong)} of {len(probes)} requests with a value their schema forbids did not get "
        "400 (Bad Request)",
        covered=_probes.coverage([p.exchange for p in probes], api),
    )


@requirement("ADR", "/core/error-handling/invalid-input")
def bodies_that_break_the_schema_are_refused(api: ApiUnderTest) -> None:
    """Every operation that takes a JSON body (where writes are allowed): a body valid by the
    published schema but for one broken constraint (a required member left out, a wrong type,
    a pattern or enum broken) is refused with 400; accepting it breaks the contract."""
    probes = _probes.invalid_bodies(api)
    _probes.require(probes, api, "request with a body that breaks its schema")
    wrong = [
        (p.exchange, f"{_line(p.exchange)} for a body with {p.note}")
        for p in probes
        if p.exchange.status != 400
    ]
    accepted = sum(1 for p in probes if 200 <= p.exchange.status < 300)
    raise_findings(
        wrong,
        f"{len(wrong)} of {len(probes)} bodies that break the published schema did not get 400 "
        f"({accepted} accepted)",
        covered=_probes.coverage([p.exchange for p in probes], api),
    )


@requirement("ADR", "/core/http-response-code")
def status_codes_mean_what_they_say(api: ApiUnderTest) -> None:
    """404 for what does not exist, 406 for an Accept it cannot serve, 415 for a body it
    cannot read (when writes are allowed), 401/403 without credentials, and never a 5xx for a
    client's request."""
    expected: list[tuple[Callable[[], list[Exchange]], tuple[int, ...], str]] = [
        (lambda: [_probes.unknown_path(api)], (404,), "404"),
        (lambda: _probes.unknown_items(api), (404,), "404 for an item that does not exist"),
        (lambda: _probes.not_acceptables(api), (406,), "406 for an Accept it cannot serve"),
        (lambda: _probes.unsupported_media_types(api), (415,), "415 for another Content-Type"),
        (lambda: _probes.unauthenticated_reads(api), (401, 403), "401 or 403 without credentials"),
    ]
    wrong: list[tuple[Exchange, str]] = []
    seen: list[Exchange] = []
    for probe, statuses, meaning in expected:
        try:
            sent = probe()
        except (BudgetExhausted, TargetUnreachable):
            if not seen:
                raise
            break
        except (NotTested, Inconclusive):
            continue
        seen.extend(sent)
        wrong += [(e, f"{_line(e)}, expected {meaning}") for e in sent if e.status not in statuses]
    for exchange in _probes.everything(api):
        if exchange.status >= 500 and all(exchange is not e for e, _ in wrong):
            wrong.append((exchange, f"{_line(exchange)}: a server error for a client request"))
    _probes.require(seen, api, "probe with a known right status")
    raise_findings(
        wrong,
        f"{len(wrong)} response(s) with the wrong status code",
        covered=_probes.coverage(seen, api),
    )
