"""The document on the running API: /core/publish-openapi (public at the standard location,
CORS-open) and /core/doc-openapi (the served document is the one under test, it is valid, and
the API's answers match it)."""

from __future__ import annotations

import json
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import (
    BudgetExhausted,
    Failure,
    Inconclusive,
    NotTested,
    TargetUnreachable,
    Warning,
)
from cgconform.openapi.document import parse_document
from cgconform.openapi.validation import validate_openapi
from cgconform.run.context import RunContext
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest


@requirement("ADR", "/core/publish-openapi")
def openapi_json_is_public_and_cors_open(api: ApiUnderTest) -> None:
    exchange = _probes.openapi_public(api)
    line = f"GET {exchange.request.url} (no credentials) → {exchange.status}"
    problems = []
    if exchange.status != 200:
        problems.append(f"{line}: the document SHOULD be readable without authenticating")
    else:
        try:
            exchange.json()
        except ValueError:
            problems.append(f"{line}: the body is not JSON (at least JSON MUST be offered)")
        origin = exchange.headers.get("Access-Control-Allow-Origin")
        if origin not in ("*", _probes.ORIGIN):
            problems.append(
                f"{line}: Access-Control-Allow-Origin is {origin or 'missing'}; "
                "the CORS policy MUST let browsers of other origins read it"
            )
    if problems:
        raise Warning("\n".join(problems), evidence=[exchange.to_evidence()])


def _served(api: ApiUnderTest) -> Exchange:
    return api.probe("openapi-served", lambda: api.context.http.get(api.url("/openapi.json")))


@requirement("ADR", "/core/doc-openapi")
def served_document_is_the_document_under_test(api: ApiUnderTest, cg_context: RunContext) -> None:
    served = _served(api)
    if served.status != 200:
        raise Inconclusive(
            f"GET {served.request.url} → {served.status}: the served document cannot be "
            "compared (see /core/publish-openapi)",
            evidence=[served.to_evidence()],
        )
    document = parse_document(served.text, served.request.url)
    if not document.ok:
        raise Failure(
            f"the served document cannot be read: {document.error}", evidence=[served.to_evidence()]
        )
    problems = [p for p in validate_openapi(document) if p.certain]
    if problems:
        raise Failure(
            f"the served document is not valid OpenAPI: {problems[0].message}",
            evidence=[served.to_evidence()],
        )
    if cg_context.target.spec and document.data != api.document:
        raise Failure(
            f"the document served at {served.request.url} differs from the one under test "
            f"({cg_context.target.spec}): {_first_difference(document.data, api.document)}",
            evidence=[served.to_evidence()],
        )


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}/{key} is only in the {'served' if key in a else 'given'} one"
            if a[key] != b[key]:
                return _first_difference(a[key], b[key], f"{path}/{key}")
    return f"{path or '/'}: {json.dumps(a)[:80]} ≠ {json.dumps(b)[:80]}"


@requirement("ADR", "/core/doc-openapi")
def responses_match_the_document(api: ApiUnderTest) -> None:
    """The answers to the probes that succeeded match the response schemas the document
    declares for them (status code declared, body valid)."""
    from cgconform.suites.api.runtime._contract import response_problems

    checked, wrong = 0, []
    for name in ("collection", "item"):
        try:
            exchange = _probes.collection(api) if name == "collection" else _probes.item(api)
        except (BudgetExhausted, TargetUnreachable):
            raise
        except (NotTested, Inconclusive):
            continue
        problems = response_problems(api, exchange)
        checked += 1
        if problems:
            wrong.append((exchange, problems))
    if not checked:
        raise Inconclusive("no successful response to compare with the document")
    if wrong:
        exchange, problems = wrong[0]
        raise Failure(
            f"{exchange.request.method} {exchange.request.url} → {exchange.status} does not "
            f"match the document: {problems[0]}" + "".join(f"\n- {p}" for p in problems[1:5]),
            evidence=[e.to_evidence() for e, _ in wrong],
        )
