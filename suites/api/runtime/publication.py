"""The document on the running API: /core/publish-openapi (public at the standard location,
CORS-open) and /core/doc-openapi (the served document is the one under test, it is valid, and
the API's answers match it)."""

from __future__ import annotations

import json
from typing import Any

from cgconform.http.evidence import TruncatedBody
from cgconform.model.outcomes import Failure, Passed, Warning
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
        except TruncatedBody as exc:
            problems.append(f"{line}: {exc.reason}")
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


@requirement("ADR", "/core/doc-openapi")
def served_document_is_the_document_under_test(api: ApiUnderTest, cg_context: RunContext) -> None:
    """The document the API serves is valid OpenAPI, and the same as the one under test when
    that was given separately."""
    served = _probes.served_document(api)
    problems = [p for p in validate_openapi(served.document) if p.certain]
    if problems:
        raise Failure(
            f"the document served at {served.location} is not valid OpenAPI: {problems[0].message}",
            evidence=[served.exchange.to_evidence()],
        )
    if cg_context.target.spec and served.document.data != api.document:
        raise Failure(
            f"the document served at {served.location} differs from the one under test "
            f"({cg_context.target.spec}): {_first_difference(served.document.data, api.document)}",
            evidence=[served.exchange.to_evidence()],
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
    """The successful answers to the reads (every readable operation) match what the document
    declares for them (status code declared, media type, body valid)."""
    from cgconform.suites.api.runtime._contract import judge_bodies, raise_if_cut, response_problems

    checked = _probes.successful_reads(api)
    _probes.require(checked, api, "read with a successful answer")
    wrong, cut = judge_bodies(checked, lambda e: e, lambda e: response_problems(api, e))
    if wrong:
        exchange, problems = wrong[0]
        raise Failure(
            f"{len(wrong)} of {len(checked)} successful answers do not match the document, e.g. "
            f"{exchange.request.method} {exchange.request.url} → {exchange.status}: "
            f"{problems[0]}"
            + "".join(f"\n- {p}" for p in problems[1:5])
            + "".join(f"\n- {e.request.method} {e.request.url}: {ps[0]}" for e, ps in wrong[1:10]),
            evidence=[e.to_evidence() for e, _ in wrong[:5]],
        )
    raise_if_cut(cut, len(checked), "successful answers to reads")
    raise Passed(f"every successful read matches the document: {_probes.coverage(checked, api)}")
