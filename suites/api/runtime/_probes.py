"""The probes the runtime checks draw from, over every path and operation of the document;
each is sent at most once per run and shared by the checks.

Reads come first, one per path in document order, so that a small request budget still
samples every path once; the other probes follow. A probe that cannot be built or sent is
recorded with its reason (``api.skipped``), and a check whose every probe was skipped is
`not_tested` with those reasons, never `pass`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import BudgetExhausted, Inconclusive, NotTested, TargetUnreachable
from cgconform.model.target import is_url
from cgconform.openapi.document import SpecDocument, parse_document
from cgconform.suites.api.runtime._api import (
    OPENAPI_PATH,
    ApiUnderTest,
    Operation,
    match_template,
    relative_path,
)
from cgconform.suites.api.runtime._values import (
    CannotBuild,
    broken_bodies,
    invalid_value,
    unknown_value,
)

ORIGIN = "https://cgconform.example"
SAFE_UNDECLARED = ("get", "trace")  # methods a 405 probe may send without allow_writes
WRITES = ("delete", "put", "patch", "post")
T = TypeVar("T")


@dataclass(frozen=True)
class Probe:
    """What a probe sent and why (the value it built, for the finding's message)."""

    exchange: Exchange
    note: str = ""


def collect(
    api: ApiUnderTest, probes: Iterable[tuple[str | None, Callable[[], Iterable[T]]]]
) -> list[T]:
    """What each probe gives, in order. One that cannot be built or sent is left out (under
    its name in api.skipped, when it has one). The budget running out stops the collecting:
    what was seen is still judged, and with nothing seen the check is not_tested with it. An
    unreachable target stops the check."""
    found: list[T] = []
    for name, probe in probes:
        try:
            found.extend(probe())
        except BudgetExhausted:
            if not found:
                raise
            break
        except TargetUnreachable:
            raise
        except (NotTested, Inconclusive, CannotBuild) as exc:
            if name is not None:
                api.skipped.setdefault(name, str(exc))
    return found


def _one(probe: Callable[[], Exchange]) -> list[Exchange]:
    return [probe()]


def gather(api: ApiUnderTest, probes: Iterable[Callable[[], Exchange]]) -> list[Exchange]:
    """Send each probe that can be sent (see :func:`collect`)."""
    return collect(api, ((None, partial(_one, probe)) for probe in probes))


def require(sent: Sequence[object], api: ApiUnderTest, what: str) -> None:
    """No probe of a check could be sent: not_tested, with every reason."""
    if not sent:
        reasons = "; ".join(f"{k}: {v}" for k, v in list(api.skipped.items())[:8])
        raise NotTested(f"no {what} could be sent" + (f" ({reasons})" if reasons else ""))


# -- reads ----------------------------------------------------------------------------------


def item(api: ApiUnderTest, op: Operation) -> Exchange:
    """GET an item operation for a resource that exists."""
    return api.probe(
        f"read {op.label}",
        lambda: api.send(op, api.url_for(op, api.ids(op), api.query_for(op))),
    )


def reads(api: ApiUnderTest) -> list[Exchange]:
    """GET every readable operation once: every collection, then every item of a resource
    that exists (from the listings, or test data when writes are allowed)."""
    collections = [partial(api.read, op) for op in api.collections]
    items = [partial(item, api, op) for op in api.items]
    return gather(api, [*collections, *items])


def successful_reads(api: ApiUnderTest) -> list[Exchange]:
    return [e for e in reads(api) if 200 <= e.status < 300]


# -- what does not exist ----------------------------------------------------------------------


def unknown_path(api: ApiUnderTest) -> Exchange:
    url = api.url(f"/cgconform-bestaat-niet-{uuid.UUID(int=7).hex[:8]}")
    return api.probe("unknown path", lambda: api.context.http.get(url))


def unknown_item(api: ApiUnderTest, op: Operation) -> Exchange:
    """The item operation with a last path value its schema allows but nobody uses."""

    def send() -> Exchange:
        last = op.path_params[-1]
        values = dict(api.ids(op)) if len(op.path_params) > 1 else {}
        param = next((p for p in op.params_in("path") if p.get("name") == last), {})
        try:
            values[last] = unknown_value(param.get("schema"), api.resolve).text
        except CannotBuild as exc:
            raise CannotBuild(f"{op.label}: no unknown {last} to ask for: {exc}") from None
        return api.send(op, api.url_for(op, values, api.query_for(op)))

    return api.probe(f"unknown {op.label}", send)


def unknown_items(api: ApiUnderTest) -> list[Exchange]:
    return gather(api, [partial(unknown_item, api, op) for op in api.items])


def trailing_slashes(api: ApiUnderTest) -> list[Exchange]:
    """A readable URI with a slash added, for the first three paths that can be read."""

    def slashed(op: Operation) -> Exchange:
        values = api.ids(op) if op.path_params else {}
        url = api.url_for(op, values)
        return api.probe(f"trailing slash {op.label}", lambda: api.send(op, url + "/"))

    candidates = [*api.collections, *api.items]
    return gather(api, [partial(slashed, op) for op in candidates])[:3]


# -- methods, media types, credentials --------------------------------------------------------


def method_not_allowed(api: ApiUnderTest, path: str) -> Exchange:
    """A method the path does not declare: GET or TRACE (safe, RFC 9110), or a write the
    target allows there."""
    declared = api.methods_of(path)
    candidates = [m for m in SAFE_UNDECLARED if m not in declared]
    candidates += [m for m in WRITES if m not in declared and api.may_write(m.upper(), path)]
    if not candidates:
        raise NotTested(f"{path}: every method to test 405 with is declared or a write")
    method = candidates[0]
    op = next(o for o in api.ops if o.path == path)

    def send() -> Exchange:
        if method in WRITES:  # the server may support it after all: never on existing data
            values = api.values_for_write(op)
        else:
            values = api.ids(op) if op.path_params else {}
        return api.send(op, api.url_for(op, values), method=method)

    return api.probe(f"method {method.upper()} {path}", send)


def methods_not_allowed(api: ApiUnderTest) -> list[Exchange]:
    paths = [p for p in api.paths() if not OPENAPI_PATH.search(p)]
    return gather(api, [partial(method_not_allowed, api, p) for p in paths])


def not_acceptable(api: ApiUnderTest, op: Operation) -> Exchange:
    """A collection asked for XML, where the document offers no XML for it."""
    if "xml" in json.dumps(op.spec.get("responses") or {}):
        raise NotTested(f"{op.label} declares an XML representation")
    return api.probe(
        f"not acceptable {op.label}",
        lambda: api.send(
            op, api.url_for(op, {}, api.query_for(op)), headers={"Accept": "application/xml"}
        ),
    )


def not_acceptables(api: ApiUnderTest) -> list[Exchange]:
    return gather(api, [partial(not_acceptable, api, op) for op in api.collections])


def unsupported_media_type(api: ApiUnderTest, op: Operation) -> Exchange:
    """A body that is valid for the operation's JSON media type, sent as another type."""
    if not api.may_write(op.method.upper(), op.path):
        raise NotTested(
            f"{op.label} is a write; allow it (allow_writes / --allow-writes) to test 415"
        )

    def send() -> Exchange:
        body = json.dumps(api.request_body(op))
        url = api.url_for(op, api.values_for_write(op))
        return api.send(op, url, data=body, headers={"Content-Type": "text/plain"})

    return api.probe(f"unsupported media type {op.label}", send)


def unsupported_media_types(api: ApiUnderTest) -> list[Exchange]:
    with_body = [o for o in api.ops if o.has_body]
    if not with_body:
        raise NotTested("the document has no operation that takes a request body")
    return gather(api, [partial(unsupported_media_type, api, op) for op in with_body])


def unauthenticated(api: ApiUnderTest, op: Operation) -> Exchange:
    """A protected read without credentials."""

    def send() -> Exchange:
        values = api.ids(op) if op.path_params else {}
        url = api.url_for(op, values, api.query_for(op))
        return api.send(op, url, authenticated=False)

    return api.probe(f"without credentials {op.label}", send)


def unauthenticated_reads(api: ApiUnderTest) -> list[Exchange]:
    protected = [o for o in (*api.collections, *api.items) if o.secured]
    if not protected:
        raise NotTested("the document declares no security requirement on a GET operation")
    return gather(api, [partial(unauthenticated, api, op) for op in protected])


# -- invalid input ----------------------------------------------------------------------------


MAX_INVALID_PER_OPERATION = 3


def invalid_input(api: ApiUnderTest, op: Operation) -> list[Probe]:
    """For each constrained query parameter (up to three), a value its schema forbids, the
    other parameters as they must be: each breaks exactly one constraint."""
    sent: list[Probe] = []
    for param in op.params_in("query"):
        bad = invalid_value(param.get("schema"), api.resolve)
        if bad is None:
            continue
        name = str(param.get("name"))

        def send(name: str = name, text: str = bad.text) -> Exchange:
            values = api.ids(op) if op.path_params else {}
            query = {**api.query_for(op), name: text}
            return api.send(op, api.url_for(op, values, query))

        exchange = api.probe(f"invalid {name} {op.label}", send)
        sent.append(Probe(exchange, f"{name}={bad.text[:40]} ({bad.how})"))
        if len(sent) == MAX_INVALID_PER_OPERATION:
            break
    if not sent:
        raise NotTested(f"{op.label} has no query parameter with a constraint to break")
    return sent


def invalid_inputs(api: ApiUnderTest) -> list[Probe]:
    operations = (*api.collections, *api.items)
    return collect(
        api, ((f"invalid input {op.label}", partial(invalid_input, api, op)) for op in operations)
    )


# -- the document -----------------------------------------------------------------------------


def openapi_public(api: ApiUnderTest) -> Exchange:
    """The document at its standard location, without credentials, from another origin."""
    return api.probe(
        "openapi public",
        lambda: api.context.http.get(
            api.url("/openapi.json"), headers={"Origin": ORIGIN}, authenticated=False
        ),
    )


@dataclass(frozen=True)
class Served:
    """The document the API itself serves: its contract."""

    location: str
    exchange: Exchange
    document: SpecDocument

    @property
    def version(self) -> str:
        info = self.document.data.get("info") if isinstance(self.document.data, dict) else None
        return str(info.get("version")) if isinstance(info, dict) else ""


def served_document(api: ApiUnderTest) -> Served:
    """The document at the URL the target names (spec), else at the standard location; a
    document that cannot be fetched or read is inconclusive here (other checks judge that)."""
    spec = api.context.target.spec
    url = spec if spec and is_url(spec) else api.url("/openapi.json")
    exchange = api.probe(f"served document {url}", lambda: api.context.http.get(url))
    if exchange.status != 200:
        raise Inconclusive(
            f"GET {url} → {exchange.status}: the served document cannot be read",
            evidence=[exchange.to_evidence()],
        )
    document = parse_document(exchange.text, url)
    if not document.ok:
        raise Inconclusive(
            f"the served document cannot be read: {document.error}",
            evidence=[exchange.to_evidence()],
        )
    return Served(url, exchange, document)


def everything(api: ApiUnderTest) -> list[Exchange]:
    """Every probe that could be sent (for rules about every response), each once."""
    groups: list[Callable[[], list[Exchange]]] = [
        lambda: reads(api),
        lambda: [unknown_path(api)],
        lambda: unknown_items(api),
        lambda: trailing_slashes(api),
        lambda: methods_not_allowed(api),
        lambda: not_acceptables(api),
        lambda: [p.exchange for p in invalid_inputs(api)],
        lambda: unauthenticated_reads(api),
    ]
    sent = distinct(collect(api, ((None, group) for group in groups)))
    require(sent, api, "probe request")
    return sent


def distinct(exchanges: Iterable[Exchange]) -> list[Exchange]:
    """Each exchange once, in order (the same probe is shared by several findings)."""
    seen: dict[int, Exchange] = {}
    for exchange in exchanges:
        seen.setdefault(id(exchange), exchange)
    return list(seen.values())


def coverage(exchanges: Sequence[Exchange], api: ApiUnderTest) -> str:
    """`14 responses on 4 paths: GET /zaken (3), TRACE /zaken (1), ...`: what a check judged,
    by method and path template (a URI the document does not have, by its own path)."""
    counts: dict[tuple[str, str], int] = {}
    templates = api.paths()
    for exchange in exchanges:
        path = relative_path(api, exchange.request.url)
        template = next((t for t in templates if match_template(t, path) is not None), path)
        key = (exchange.request.method, template)
        counts[key] = counts.get(key, 0) + 1
    listed = ", ".join(f"{method} {path} ({n})" for (method, path), n in counts.items())
    paths = len({path for _, path in counts})
    text = f"{len(exchanges)} responses on {paths} paths: {listed}"
    unread = [
        f"{name[5:]} ({why})" for name, why in api.skipped.items() if name.startswith("read ")
    ]
    if not unread:
        return text
    more = f" and {len(unread) - 3} more" if len(unread) > 3 else ""
    return f"{text}; not read: {'; '.join(unread[:3])}{more}"


def invalid_bodies(api: ApiUnderTest) -> list[Probe]:
    """For every operation that takes a JSON object body and may be written to: a body valid
    by its schema, then copies that each break one constraint. A 2xx to a broken copy
    accepts what the contract forbids."""
    found: list[Probe] = []
    writable = [o for o in api.ops if o.has_body and api.may_write(o.method.upper(), o.path)]
    if not writable:
        raise NotTested(
            "no operation that takes a body may be written to; allow writes (allow_writes) to "
            "send invalid bodies"
        )
    for op in writable:
        try:
            body = api.request_body(op)
            schema = api.body_schema(op)
            url = api.url_for(op, api.values_for_write(op))
        except (CannotBuild, NotTested, Inconclusive) as exc:
            api.skipped.setdefault(f"invalid body {op.label}", str(exc))
            continue
        for broken, how in broken_bodies(body, schema, api.resolve):
            try:
                exchange = api.probe(
                    f"invalid body {op.label} {how}", partial(api.send, op, url, json=broken)
                )
            except BudgetExhausted:
                return found
            except (NotTested, Inconclusive):
                continue
            if 200 <= exchange.status < 300:
                api.learn_created(exchange, op)
            found.append(Probe(exchange, how))
    return found
