"""HTTP methods on the running API: /core/http-methods (405 with Allow) and /core/http-safety
(safe methods change nothing; DELETE is idempotent)."""

from __future__ import annotations

from functools import partial

from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Passed
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest, raise_findings
from cgconform.suites.api.runtime._api import exchange_line as _line
from cgconform.suites.api.runtime._values import CannotBuild


@requirement("ADR", "/core/http-methods")
def unsupported_method_is_405_with_allow(api: ApiUnderTest) -> None:
    """On every path, a method it does not declare: 405 (Method Not Allowed) with Allow."""
    sent = _probes.methods_not_allowed(api)
    _probes.require(sent, api, "request with an undeclared method")
    wrong = []
    for exchange in sent:
        if exchange.status != 405:
            wrong.append((exchange, f"{_line(exchange)}, expected 405 (Method Not Allowed)"))
        elif not exchange.headers.get("Allow"):
            wrong.append((exchange, f"{_line(exchange)} without an Allow header (RFC 9110)"))
    raise_findings(
        wrong,
        f"{len(wrong)} of {len(sent)} undeclared methods did not get 405 with Allow; a method "
        "the resource does not support MUST give 405, and a 405 MUST list the supported "
        "methods in Allow (RFC 9110 §15.5.6)",
        covered=_probes.coverage(sent, api),
    )


@requirement("ADR", "/core/http-safety")
def safe_methods_change_nothing(api: ApiUnderTest) -> None:
    """GET a resource, HEAD it, GET it again, back to back: the representation is the same.
    (Not the run's first read: other checks may have changed the data since.)"""
    for op in api.items + api.collections:
        try:
            url = _probes.item(api, op).request.url if op.path_params else api.read(op).request.url
        except (NotTested, Inconclusive):
            continue
        first = api.probe(f"safety first {op.label}", partial(api.send, op, url))
        if first.status >= 300:
            continue
        head = api.probe(f"safety head {op.label}", partial(api.send, op, url, method="head"))
        second = api.probe(f"safety again {op.label}", partial(api.send, op, url))
        if first.status != second.status or first.body != second.body:
            raise Failure(
                f"GET {url} twice, with a HEAD between, gave different answers ({first.status} "
                f"then {second.status}, bodies {'equal' if first.body == second.body else 'differ'}"
                "): GET and HEAD MUST NOT change state",
                evidence=[first.to_evidence(), head.to_evidence(), second.to_evidence()],
            )
        raise Passed(f"GET, HEAD and GET {url}: the same answer ({first.status}) twice")
    _probes.require([], api, "GET of an existing resource")


@requirement("ADR", "/core/http-safety")
def delete_is_idempotent(api: ApiUnderTest) -> None:
    """DELETE a resource this run created, twice: the second answers like a missing resource
    (404 or 2xx), never a server error. Only on data the run made itself, where the target
    allows POST and DELETE: existing data is never deleted."""
    deletes = [o for o in api.ops if o.method == "delete" and o.path_params]
    if not deletes:
        raise NotTested("the document has no DELETE on an item path")
    reasons = []
    for op in deletes:
        if not api.may_write("DELETE", op.path):
            reasons.append(f"DELETE {op.path} is a write; allow it (allow_writes)")
            continue
        try:
            url = api.url_for(op, api.own_ids(op))
        except CannotBuild as exc:
            reasons.append(str(exc))
            continue
        first = api.send(op, url)
        second = api.send(op, url)
        after = api.context.http.get(url)
        problems = []
        if second.status >= 500:
            problems.append(f"the second DELETE answered {second.status}")
        if first.status < 300 and after.status != 404:
            problems.append(f"after DELETE, GET answered {after.status}, not 404")
        if problems:
            raise Failure(
                f"DELETE {url} is not idempotent: {'; '.join(problems)}",
                evidence=[first.to_evidence(), second.to_evidence(), after.to_evidence()],
            )
        raise Passed(
            f"DELETE {url} (a resource this run created) twice: {first.status}, then "
            f"{second.status}; GET afterwards {after.status}"
        )
    raise NotTested("; ".join(reasons))
