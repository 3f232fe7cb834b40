"""HTTP methods on the running API: /core/http-methods (405 with Allow) and /core/http-safety
(safe methods change nothing; PUT and DELETE are idempotent)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure, NotTested
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest


@requirement("ADR", "/core/http-methods")
def unsupported_method_is_405_with_allow(api: ApiUnderTest) -> None:
    exchange = _probes.method_not_allowed(api)
    line = f"{exchange.request.method} {exchange.request.url} → {exchange.status}"
    if exchange.status != 405:
        raise Failure(
            f"{line}: a method the resource does not support MUST give 405 (Method Not "
            "Allowed), as RFC 9110 defines it",
            evidence=[exchange.to_evidence()],
        )
    if not exchange.headers.get("Allow"):
        raise Failure(
            f"{line} without an Allow header; RFC 9110 §15.5.6: a 405 MUST list the methods "
            "the resource supports in Allow",
            evidence=[exchange.to_evidence()],
        )


@requirement("ADR", "/core/http-safety")
def safe_methods_change_nothing(api: ApiUnderTest) -> None:
    """GET the same resource twice (with a HEAD between): the representation is the same."""
    first = _probes.item(api)
    head = api.probe("item-head", lambda: api.context.http.head(api.item_url()))
    second = _probes.item_again(api)
    if first.status != second.status or first.body != second.body:
        raise Failure(
            f"GET {first.request.url} twice gave different answers ({first.status} then "
            f"{second.status}, bodies {'equal' if first.body == second.body else 'differ'}): "
            "GET and HEAD MUST NOT change state",
            evidence=[first.to_evidence(), head.to_evidence(), second.to_evidence()],
        )


@requirement("ADR", "/core/http-safety")
def delete_is_idempotent(api: ApiUnderTest) -> None:
    """DELETE the same resource twice: the second answers like a missing resource (404 or
    2xx), never a server error. Only where writes are allowed (it deletes test data)."""
    item = api.item
    if item is None or "delete" not in api.methods_of(item):
        raise NotTested("the document has no DELETE on an item path")
    if not api.may_write("DELETE", item):
        raise NotTested(f"DELETE {item} is a write; allow it (allow_writes) to test idempotency")
    created = _create(api)
    url = api.item_url(created)
    first = api.context.http.delete(url)
    second = api.context.http.delete(url)
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


def _create(api: ApiUnderTest) -> str:
    """A fresh resource to delete: POST an example from the document, or an existing id."""
    collection = api.collection
    if collection and "post" in api.methods_of(collection) and api.may_write("POST", collection):
        example = _request_example(api, collection)
        if example is not None:
            created = api.context.http.post(api.url(collection), json=example)
            if created.status in (200, 201):
                try:
                    body = created.json()
                except ValueError:
                    body = None
                if isinstance(body, dict) and isinstance(body.get("id"), str | int):
                    return str(body["id"])
    return api.existing_id()


def _request_example(api: ApiUnderTest, path: str) -> object | None:
    operation = (api.document.get("paths") or {}).get(path, {}).get("post") or {}
    body = api.resolve(operation.get("requestBody") or {})
    media = (body.get("content") or {}).get("application/json") or {}
    if "example" in media:
        example: object = media["example"]
        return example
    schema = api.resolve(media.get("schema") or {})
    sample = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = api.resolve(prop)
        if "example" in prop:
            sample[name] = prop["example"]
        elif isinstance(prop.get("enum"), list) and prop["enum"]:
            sample[name] = prop["enum"][0]
    return sample or None
