"""The standard probes every runtime check draws from; each is sent at most once per run."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import BudgetExhausted, Inconclusive, NotTested, TargetUnreachable
from cgconform.suites.api.runtime._api import ApiUnderTest

ORIGIN = "https://cgconform.example"


def collection(api: ApiUnderTest) -> Exchange:
    path = api.collection
    if path is None:
        raise NotTested("the document has no collection (a GET path without parameters)")
    return api.probe("collection", lambda: api.context.http.get(api.url(path)))


def item(api: ApiUnderTest) -> Exchange:
    url = api.item_url()
    return api.probe("item", lambda: api.context.http.get(url))


def item_again(api: ApiUnderTest) -> Exchange:
    url = api.item_url()
    return api.probe("item-again", lambda: api.context.http.get(url))


def unknown_path(api: ApiUnderTest) -> Exchange:
    url = api.url(f"/cgconform-bestaat-niet-{uuid.UUID(int=7).hex[:8]}")
    return api.probe("unknown-path", lambda: api.context.http.get(url))


def unknown_item(api: ApiUnderTest) -> Exchange:
    url = api.unknown_item_url()
    return api.probe("unknown-item", lambda: api.context.http.get(url))


def invalid_queries(api: ApiUnderTest) -> list[Exchange]:
    sent = []
    for path, query in api.invalid_queries():
        url = api.url(path, query)
        sent.append(api.probe(f"invalid-query {url}", _getter(api, url)))
    return sent


def _getter(api: ApiUnderTest, url: str) -> Callable[[], Exchange]:
    return lambda: api.context.http.get(url)


def trailing_slash(api: ApiUnderTest) -> Exchange:
    path = api.collection
    if path is None:
        raise NotTested("the document has no collection to add a trailing slash to")
    return api.probe("trailing-slash", lambda: api.context.http.get(api.url(path) + "/"))


def method_not_allowed(api: ApiUnderTest) -> Exchange:
    """A method the collection does not declare: TRACE, which is safe (RFC 9110), unless
    the target allows writes there (then an undeclared DELETE, PUT or PATCH)."""
    path = api.collection
    if path is None:
        raise NotTested("the document has no collection to send an unsupported method to")
    declared = api.methods_of(path)
    writable = [
        m.upper()
        for m in ("delete", "put", "patch")
        if m not in declared and api.may_write(m.upper(), path)
    ]
    verb = writable[0] if writable else "TRACE"
    if verb == "TRACE" and "trace" in declared:
        raise NotTested(f"every method to test 405 with is declared or a write on {path}")
    return api.probe("method", lambda: api.context.http.request(verb, api.url(path)))


def not_acceptable(api: ApiUnderTest) -> Exchange:
    path = api.collection
    if path is None:
        raise NotTested("the document has no collection to ask for another media type")
    return api.probe(
        "not-acceptable",
        lambda: api.context.http.get(api.url(path), headers={"Accept": "application/xml"}),
    )


def unsupported_media_type(api: ApiUnderTest) -> Exchange:
    path = api.collection
    if path is None or "post" not in api.methods_of(path):
        raise NotTested("the document has no POST on a collection to send another media type")
    if not api.may_write("POST", path):
        raise NotTested(
            f"POST {path} is a write; allow it (allow_writes / --allow-writes) to test 415"
        )
    return api.probe(
        "unsupported-media-type",
        lambda: api.context.http.post(
            api.url(path), data="kenteken=AB123C", headers={"Content-Type": "text/plain"}
        ),
    )


def openapi_public(api: ApiUnderTest) -> Exchange:
    """The document at its standard location, without credentials, from another origin."""
    return api.probe(
        "openapi-public",
        lambda: api.context.http.get(
            api.url("/openapi.json"), headers={"Origin": ORIGIN}, authenticated=False
        ),
    )


def everything(api: ApiUnderTest) -> list[Exchange]:
    """Every probe that could be sent (for rules about every response)."""
    sent: list[Exchange] = []
    single = (
        collection,
        item,
        unknown_path,
        unknown_item,
        trailing_slash,
        method_not_allowed,
        not_acceptable,
    )
    for probe in (*single, invalid_queries):
        try:
            found = probe(api)
            sent.extend(found if isinstance(found, list) else [found])
        except (BudgetExhausted, TargetUnreachable):
            raise
        except (NotTested, Inconclusive):
            continue  # this probe does not apply to this API; the others still count
    if not sent:
        raise NotTested("no probe request could be made from the document")
    return sent
