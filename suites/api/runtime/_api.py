"""The API under test as the runtime checks see it: its document, its operations, and a set of
probe requests sent once per run and shared by the checks (budget-friendly, consistent)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode, urlsplit

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Outcome
from cgconform.openapi.document import iter_operations, resolve_local
from cgconform.openapi.examples import SchemaValidators
from cgconform.run.context import RunContext

TEMPLATE = re.compile(r"{([^}]+)}")
OPENAPI_PATH = re.compile(r"/openapi\.(json|yaml)$")


@dataclass
class ApiUnderTest:
    """The target's base URL and OpenAPI document, with the probes made against it."""

    context: RunContext
    document: dict[str, Any]
    base_url: str
    _probes: dict[str, Exchange | Exception] = field(default_factory=dict)
    _ids: dict[str, str | None] = field(default_factory=dict)

    # -- the document ----------------------------------------------------------------------

    @property
    def version(self) -> str:
        info = self.document.get("info")
        return str(info.get("version")) if isinstance(info, Mapping) else ""

    def operations(self) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
        return iter_operations(self.document)

    def methods_of(self, path: str) -> set[str]:
        return {m for p, m, _ in self.operations() if p == path}

    @property
    def collection(self) -> str | None:
        """A GET path without path parameters (not the document itself)."""
        candidates = [
            p
            for p, m, _ in self.operations()
            if m == "get" and not TEMPLATE.search(p) and not OPENAPI_PATH.search(p)
        ]
        return candidates[0] if candidates else None

    @property
    def item(self) -> str | None:
        """A GET path with one path parameter below the collection."""
        collection = self.collection
        for path, method, _ in self.operations():
            if (
                method == "get"
                and collection
                and path.startswith(collection + "/{")
                and (len(TEMPLATE.findall(path)) == 1)
            ):
                return path
        return None

    def parameters(self, path: str, method: str) -> list[Mapping[str, Any]]:
        paths = self.document.get("paths") or {}
        item = paths.get(path) or {}
        found = []
        for holder in (item, item.get(method) or {}):
            for param in holder.get("parameters") or []:
                param = self.resolve(param)
                if isinstance(param, Mapping):
                    found.append(param)
        return found

    def resolve(self, node: Any) -> Any:
        return resolve_local(self.document, node)

    @cached_property
    def validators(self) -> SchemaValidators:
        """Compiled schema validation against this document (responses, examples)."""
        return SchemaValidators(
            self.document, oas30=str(self.document.get("openapi", "")).startswith("3.0")
        )

    # -- requests --------------------------------------------------------------------------

    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        return self.base_url + path + (f"?{urlencode(query)}" if query else "")

    def may_write(self, method: str, path: str) -> bool:
        return self.context.target.may_write(method, path)

    def probe(self, name: str, send: Callable[[], Exchange]) -> Exchange:
        """Send a probe once per run; later checks get the same exchange (or its failure)."""
        if name not in self._probes:
            try:
                self._probes[name] = send()
            except Exception as exc:  # an Outcome (budget, network): every user re-raises it
                self._probes[name] = exc
        result = self._probes[name]
        if isinstance(result, Exception):
            raise result
        return result

    def existing_id(self) -> str:
        """An id of an existing resource, read from the collection (no test data: inconclusive)."""
        collection, item = self.collection, self.item
        if collection is None or item is None:
            raise NotTested("the document has no collection with an item path to test")
        listing = self.probe("collection", lambda: self.context.http.get(self.url(collection)))
        if "id" not in self._ids:
            self._ids["id"] = _first_id(listing)
        found = self._ids["id"]
        if found is None:
            raise Inconclusive(
                f"no test data: GET {collection} returned no item with an id to test "
                f"{item} with (give the target some data, or a test id)",
                evidence=[listing.to_evidence()],
            )
        return found

    def item_url(self, ident: str | None = None) -> str:
        item = self.item
        assert item is not None
        return self.url(TEMPLATE.sub(ident or self.existing_id(), item, count=1))

    def unknown_item_url(self) -> str:
        item = self.item
        if item is None:
            raise NotTested("the document has no item path to ask for an unknown id")
        return self.url(TEMPLATE.sub(str(uuid.UUID(int=0x6367636F6E666F726D)), item, count=1))

    def invalid_queries(self, limit: int = 3) -> list[tuple[str, dict[str, str]]]:
        """The collection with a query value its schema forbids (to provoke a 400), one
        request per constrained query parameter (at most `limit`)."""
        collection = self.collection
        if collection is None:
            raise NotTested("the document has no collection to send invalid input to")
        found = []
        for param in self.parameters(collection, "get"):
            if param.get("in") != "query":
                continue
            bad = _invalid_value(self.resolve(param.get("schema") or {}))
            if bad is not None:
                found.append((collection, {str(param.get("name")): bad}))
        if not found:
            raise NotTested(
                f"GET {collection} declares no query parameter with a constraint "
                "that invalid input could break"
            )
        return found[:limit]


def _first_id(exchange: Exchange) -> str | None:
    try:
        body = exchange.json()
    except ValueError:
        return None
    stack = [body]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list) and node and isinstance(node[0], Mapping):
            for key in ("id", "uuid", "identificatie"):
                value = node[0].get(key)
                if isinstance(value, str | int):
                    return str(value)
        if isinstance(node, Mapping):
            stack.extend(v for v in node.values() if isinstance(v, list | Mapping))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, list | Mapping))
    return None


def _invalid_value(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return "geen-getal"
    if kind == "boolean":
        return "misschien"
    if isinstance(schema.get("enum"), list):
        return "cgconform-ongeldige-waarde"
    if isinstance(schema.get("pattern"), str):
        for candidate in ("!!cgconform!!", "x", "0" * 300):
            if not re.search(schema["pattern"], candidate):
                return candidate
    max_length = schema.get("maxLength")
    if isinstance(max_length, int):
        return "x" * (max_length + 1)
    if schema.get("format") in ("uuid", "date", "date-time"):
        return "geen-" + str(schema["format"])
    return None


def exchange_line(exchange: Exchange) -> str:
    """`GET https://.../zaken → 200`: one exchange in a message."""
    return f"{exchange.request.method} {exchange.request.url} → {exchange.status}"


def raise_findings(
    findings: list[tuple[Exchange, str]], summary: str, kind: type[Outcome] = Failure
) -> None:
    """One outcome for every response that breaks a rule: `summary, e.g. <first>`, then each
    finding on its own line, with the first five exchanges as evidence."""
    if findings:
        raise kind(
            f"{summary}, e.g. {findings[0][1]}\n" + "\n".join(f"- {note}" for _, note in findings),
            evidence=[exchange.to_evidence() for exchange, _ in findings[:5]],
        )


def host_of(url: str) -> str:
    return urlsplit(url).netloc
