"""The API under test as the runtime checks see it: its document (the contract), every
operation in it, the values its schemas allow, the ids of resources that exist, and the probe
requests sent once per run and shared by the checks (budget-friendly, consistent).

Nothing here knows the reference API: paths, parameters, ids and bodies all come from the
target's own document and answers. What cannot be built is :class:`CannotBuild` (a probe
turns it into `not_tested` with the reason).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Outcome, Passed
from cgconform.openapi.document import iter_operations, resolve_local
from cgconform.openapi.examples import SchemaValidators
from cgconform.run.context import RunContext
from cgconform.suites.api.runtime._values import (
    CannotBuild,
    body_from_schema,
    valid_value,
)

TEMPLATE = re.compile(r"{([^}]+)}")
OPENAPI_PATH = re.compile(r"/openapi\.(json|yaml)$")
# Header parameters OpenAPI says are ignored when declared (the HTTP layer sets them).
IGNORED_HEADERS = {"accept", "content-type", "authorization"}
ID_KEYS = ("id", "uuid", "identificatie")
UUID_TEXT = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)
MAX_CREATED = 20  # test resources one run creates at most


@dataclass(frozen=True)
class Operation:
    """One operation of the document, its parameters resolved (path-level ones merged in)."""

    path: str
    method: str
    spec: Mapping[str, Any]
    parameters: tuple[Mapping[str, Any], ...]
    secured: bool

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def path_params(self) -> list[str]:
        return TEMPLATE.findall(self.path)

    def params_in(self, where: str) -> list[Mapping[str, Any]]:
        return [p for p in self.parameters if p.get("in") == where]

    @property
    def has_body(self) -> bool:
        return isinstance(self.spec.get("requestBody"), Mapping)


def _security_required(requirements: Any) -> bool:
    """A security requirement list demands credentials unless it is empty or allows `{}`."""
    if not isinstance(requirements, list) or not requirements:
        return False
    return all(isinstance(r, Mapping) and r for r in requirements)


@dataclass
class ApiUnderTest:
    """The target's base URL and OpenAPI document, with the probes made against it."""

    context: RunContext
    document: dict[str, Any]
    base_url: str
    _probes: dict[str, Exchange | Exception] = field(default_factory=dict)
    _ids: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _created: list[tuple[Operation | None, str]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # probe -> why it was not sent

    # -- the document ----------------------------------------------------------------------

    @property
    def version(self) -> str:
        info = self.document.get("info")
        return str(info.get("version")) if isinstance(info, Mapping) else ""

    def resolve(self, node: Any) -> Any:
        return resolve_local(self.document, node)

    @cached_property
    def ops(self) -> list[Operation]:
        """Every operation, in document order."""
        global_security = _security_required(self.document.get("security"))
        paths = self.document.get("paths") or {}
        found = []
        for path, method, operation in iter_operations(self.document):
            item = self.resolve(paths.get(path)) or {}
            merged: dict[tuple[str, str], Mapping[str, Any]] = {}
            for holder in (item, operation):
                for param in holder.get("parameters") or []:
                    param = self.resolve(param)
                    if isinstance(param, Mapping):
                        merged[(str(param.get("name")), str(param.get("in")))] = param
            secured = (
                _security_required(operation["security"])
                if "security" in operation
                else global_security
            )
            found.append(Operation(path, method, operation, tuple(merged.values()), secured))
        return found

    def methods_of(self, path: str) -> set[str]:
        return {o.method for o in self.ops if o.path == path}

    def paths(self) -> list[str]:
        return list(dict.fromkeys(o.path for o in self.ops))

    @property
    def collections(self) -> list[Operation]:
        """GET operations without path parameters (the document itself left out)."""
        return [
            o
            for o in self.ops
            if o.method == "get" and not o.path_params and not OPENAPI_PATH.search(o.path)
        ]

    @property
    def items(self) -> list[Operation]:
        """GET operations with path parameters."""
        return [o for o in self.ops if o.method == "get" and o.path_params]

    def collection_of(self, item: Operation) -> Operation | None:
        """The GET operation one `/{param}` segment up, whose answers list the items."""
        parent = item.path.rsplit("/", 1)[0]
        return next((o for o in self.ops if o.method == "get" and o.path == parent), None)

    def operation(self, path: str, method: str) -> Operation | None:
        return next((o for o in self.ops if o.path == path and o.method == method), None)

    @cached_property
    def validators(self) -> SchemaValidators:
        """Compiled schema validation against this document (responses, examples)."""
        return SchemaValidators(
            self.document, oas30=str(self.document.get("openapi", "")).startswith("3.0")
        )

    # -- values from the contract ----------------------------------------------------------

    def headers_for(self, op: Operation) -> dict[str, str]:
        """The header parameters the operation requires, with values its schemas allow (e.g.
        `Accept-Crs` of the geospatial module); raises CannotBuild."""
        return self._required_values(op, "header", ignored=IGNORED_HEADERS)

    def query_for(self, op: Operation) -> dict[str, str]:
        """Values for the query parameters the operation requires; raises CannotBuild."""
        return self._required_values(op, "query")

    def _required_values(
        self, op: Operation, where: str, ignored: Collection[str] = ()
    ) -> dict[str, str]:
        values = {}
        for param in op.params_in(where):
            name = str(param.get("name"))
            if not param.get("required") or name.lower() in ignored:
                continue
            try:
                value = valid_value(param.get("schema"), self.resolve, param.get("example"))
            except CannotBuild as exc:
                raise CannotBuild(f"{op.label} requires {where} {name}, and {exc}") from None
            values[name] = value.text
        return values

    def url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        return self.base_url + path + (f"?{urlencode(query)}" if query else "")

    def url_for(
        self,
        op: Operation,
        values: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> str:
        values = values or {}
        missing = [p for p in op.path_params if p not in values]
        if missing:
            raise CannotBuild(f"no value for {', '.join(missing)} in {op.path}")
        path = TEMPLATE.sub(lambda m: quote(values[m.group(1)], safe=""), op.path)
        return self.url(path, query)

    def may_write(self, method: str, path: str) -> bool:
        return self.context.target.may_write(method, path)

    def send(
        self,
        op: Operation,
        url: str,
        *,
        method: str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Exchange:
        """A request to an operation with the headers it requires (and `headers` on top)."""
        wanted = {**self.headers_for(op), **(headers or {})}
        return self.context.http.request(
            (method or op.method).upper(), url, headers=wanted or None, **kwargs
        )

    def probe(self, name: str, send: Callable[[], Exchange]) -> Exchange:
        """Send a probe once per run; later checks get the same exchange (or its failure)."""
        if name not in self._probes:
            try:
                self._probes[name] = send()
            except CannotBuild as exc:
                self._probes[name] = NotTested(str(exc))
            except Exception as exc:  # an Outcome (budget, network): every user re-raises it
                self._probes[name] = exc
        result = self._probes[name]
        if isinstance(result, Exception):
            if isinstance(result, NotTested | Inconclusive):
                self.skipped.setdefault(name, result.message)
            raise result
        return result

    def sent(self) -> list[Exchange]:
        """Every probe exchange so far, in the order sent."""
        return [e for e in self._probes.values() if isinstance(e, Exchange)]

    # -- resources that exist --------------------------------------------------------------

    def ids(self, item: Operation) -> dict[str, str]:
        """Path values of an existing resource for an item operation: from the listing one
        level up (by the parameter's own name, by id-like members, by links to the item), from
        Location headers of what this run created, or from test data it creates when the
        target allows writes. Raises Inconclusive (no data) or CannotBuild."""
        known = self._ids.get(item.path)
        if known:
            return known[0]
        collection = self.collection_of(item)
        reasons = []
        if collection is None:
            reasons.append(f"the document has no GET {item.path.rsplit('/', 1)[0]} to list them")
        else:
            listing = self.read(collection)
            self.learn_ids(listing, collection.path)
            if self._ids.get(item.path):
                return self._ids[item.path][0]
            reasons.append(f"GET {collection.path} → {listing.status} listed none")
            created = self.create_in(collection.path)
            if created:
                return created
            poster = self.operation(collection.path, "post")
            if poster is None:
                reasons.append(f"the document has no POST {collection.path} to create one")
            elif not self.may_write("POST", collection.path):
                reasons.append(f"POST {collection.path} could create one: allow it (allow_writes)")
        raise Inconclusive(
            f"no test data for {item.label}: "
            + "; ".join(reasons)
            + " (give the target some data, or allow writes)",
        )

    def own_ids(self, op: Operation) -> dict[str, str]:
        """Path values of a resource this run created itself, for a write to an item (PUT,
        PATCH, DELETE): existing data is never changed or deleted. Raises CannotBuild."""
        collection = op.path.rsplit("/", 1)[0]
        created = self.create_in(collection)
        if created is None:
            raise CannotBuild(
                f"{op.label} would change existing data; only data this run creates is written "
                f"to, and POST {collection} "
                + (
                    "is not in the document"
                    if self.operation(collection, "post") is None
                    else self.skipped.get(f"create in {collection}", "is not allowed")
                )
            )
        return created

    def values_for_write(self, op: Operation) -> dict[str, str]:
        """Path values for a request that may change state: none for a collection, a resource
        of the run's own for an item."""
        return self.own_ids(op) if op.path_params else {}

    def read(self, op: Operation) -> Exchange:
        """GET a collection operation once (required query and header parameters filled)."""
        return self.probe(
            f"read {op.label}", lambda: self.send(op, self.url_for(op, {}, self.query_for(op)))
        )

    def learn_ids(self, exchange: Exchange, collection_path: str | None = None) -> None:
        """Remember the item ids an answer shows: links to items and Location anywhere; the
        members of list entries (or of the one created object) only for the items of the
        collection the answer came from."""
        location = exchange.headers.get("Location")
        if location:
            self._learn_url(urljoin(exchange.request.url, location))
        if exchange.status >= 300:
            return
        try:
            body = exchange.json()
        except ValueError:
            return
        own = [
            item
            for item in self.items
            if collection_path is not None
            and (parent := self.collection_of(item)) is not None
            and parent.path == collection_path
        ]
        for entry in _entries(body):
            for item in own:
                values = self._values_from_entry(item, entry)
                if values is not None:
                    self._remember(item, values)
            for text in _urls_in(entry):
                self._learn_url(text)

    def _values_from_entry(
        self, item: Operation, entry: Mapping[str, Any]
    ) -> dict[str, str] | None:
        params = item.path_params
        values: dict[str, str] = {}
        for name in params:
            value = entry.get(name)
            if value is None and len(params) == 1:
                value = next((entry[k] for k in ID_KEYS if _id_like(entry.get(k))), None)
            if not _id_like(value):
                return None
            values[name] = str(value)
        if len(params) != 1 or not self._fits(item, values):
            return None  # nested items are only learnt from links (their parents are known)
        return values

    def _fits(self, item: Operation, values: Mapping[str, str]) -> bool:
        """Values a path parameter's pattern or format rules out are not its ids."""
        for param in item.params_in("path"):
            value = values.get(str(param.get("name")))
            schema = self.resolve(param.get("schema")) or {}
            if value is None or not isinstance(schema, Mapping):
                continue
            pattern = schema.get("pattern")
            try:
                if isinstance(pattern, str) and not re.search(pattern, value):
                    return False
            except re.error:
                continue
            if schema.get("format") == "uuid" and not UUID_TEXT.match(value):
                return False
            if schema.get("type") == "integer" and not value.lstrip("-").isdigit():
                return False
        return True

    def _learn_url(self, url: str) -> None:
        path = urlsplit(url).path
        base = urlsplit(self.base_url).path.rstrip("/")
        if not path.startswith(base + "/"):
            return
        relative = path[len(base) :]
        for item in self.items:
            values = match_template(item.path, relative)
            if values is not None and self._fits(item, values):
                self._remember(item, values)

    def _remember(self, item: Operation, values: dict[str, str]) -> None:
        known = self._ids.setdefault(item.path, [])
        if values not in known:
            known.append(values)

    def create_in(self, collection_path: str) -> dict[str, str] | None:
        """Test data: POST a body built from the document to the collection, when the target
        allows it; the resource is deleted again at the end of the run where DELETE is allowed."""
        poster = self.operation(collection_path, "post")
        if poster is None or not self.may_write("POST", collection_path):
            return None
        if len(self._created) >= MAX_CREATED:
            self.skipped.setdefault(
                f"create in {collection_path}", f"this run created {MAX_CREATED} resources already"
            )
            return None
        try:
            body = self.request_body(poster)
        except CannotBuild as exc:
            self.skipped.setdefault(f"create in {collection_path}", str(exc))
            return None
        exchange = self.probe(
            f"create {poster.label} #{len(self._created) + 1}",
            lambda: self.send(poster, self.url_for(poster), json=body),
        )
        if exchange.status not in (200, 201):
            self.skipped.setdefault(
                f"create in {collection_path}",
                f"POST {collection_path} with a body built from its schema → {exchange.status}",
            )
            return None
        created = self.learn_created(exchange, poster)
        if created is None:
            self.skipped.setdefault(
                f"create in {collection_path}",
                f"POST {collection_path} → {exchange.status}, but the new resource's id is not "
                "in a Location header, a link or an id member",
            )
        return created

    def _json_media(self, op: Operation) -> Mapping[str, Any]:
        body = self.resolve(op.spec.get("requestBody")) or {}
        content = body.get("content") if isinstance(body, Mapping) else None
        if not isinstance(content, Mapping):
            raise CannotBuild(f"{op.label} declares no request body content")
        media_type = next((m for m in content if m.split(";")[0].strip().endswith("json")), None)
        if media_type is None:
            raise CannotBuild(f"{op.label} takes no JSON body ({', '.join(content)})")
        media = self.resolve(content[media_type])
        return media if isinstance(media, Mapping) else {}

    def body_schema(self, op: Operation) -> Any:
        """The schema of the operation's JSON request body; raises CannotBuild."""
        return self._json_media(op).get("schema") or {}

    def request_body(self, op: Operation) -> Any:
        """A JSON body for the operation from its examples or schema; raises CannotBuild."""
        media = self._json_media(op)
        if "example" in media:
            return media["example"]
        examples = media.get("examples")
        if isinstance(examples, Mapping):
            for example in examples.values():
                example = self.resolve(example)
                if isinstance(example, Mapping) and "value" in example:
                    return example["value"]
        return body_from_schema(media.get("schema"), self.resolve)

    def learn_created(self, exchange: Exchange, op: Operation) -> dict[str, str] | None:
        """A POST answered 2xx: the item it created (from Location, links or the body) is
        remembered and deleted again at the end of the run; its path values, if found."""
        if op.method != "post":
            return None
        before = {p: list(v) for p, v in self._ids.items()}
        self.learn_ids(exchange, op.path)
        for item in self.items:
            parent = self.collection_of(item)
            new = [v for v in self._ids.get(item.path, []) if v not in before.get(item.path, [])]
            if parent is not None and parent.path == op.path and new:
                delete = self.operation(item.path, "delete")
                self._created.append((delete, self.url_for(item, new[0])))
                return new[0]
        return None

    def ids_used(self) -> str:
        """`/zaken/{uuid}: uuid=0b2f…; created by this run: …/zaken/87c2…`, for the report."""
        found = [
            f"{path}: {', '.join(f'{k}={v}' for k, v in values[0].items())}"
            for path, values in self._ids.items()
            if values
        ]
        text = "ids used: " + ("; ".join(found) if found else "none found")
        if self._created:
            text += "; created by this run (deleted again where allowed): " + ", ".join(
                url for _, url in self._created
            )
        return text

    def clean_up(self) -> list[Exchange]:
        """DELETE what this run created, where the document and the target allow it."""
        done = []
        for delete, url in self._created:
            if delete is not None and self.may_write("DELETE", delete.path):
                try:
                    done.append(self.send(delete, url))
                except Outcome:
                    break
        self._created.clear()
        return done


def _id_like(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""


@cache
def _template_pattern(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """The compiled form of a path template and its parameter names (in order)."""
    names = tuple(TEMPLATE.findall(template))
    parts = re.split(r"{[^}]+}", template)
    pattern = re.escape(parts[0]) + "".join(
        f"(?P<p{i}>[^/]+)" + re.escape(rest) for i, rest in enumerate(parts[1:])
    )
    return re.compile(pattern), names


def match_template(template: str, path: str) -> dict[str, str] | None:
    """The path parameters of `path` if it is an instance of `template`, else None."""
    pattern, names = _template_pattern(template)
    found = pattern.fullmatch(path)
    if found is None:
        return None
    return {name: unquote(found.group(f"p{i}")) for i, name in enumerate(names)}


def relative_path(api: ApiUnderTest, url: str) -> str:
    """The path of a URL below the API's base URL."""
    path = urlsplit(url).path
    base = urlsplit(api.base_url).path.rstrip("/")
    return path[len(base) :] if path.startswith(base) else path


def _entries(body: Any) -> list[Mapping[str, Any]]:
    """The objects an answer lists: the first array of objects found breadth-first (`results`,
    `_embedded.*`, the body itself), or the body when it is one object."""
    queue = [body]
    while queue:
        node = queue.pop(0)
        if isinstance(node, list) and node and all(isinstance(n, Mapping) for n in node[:5]):
            return [n for n in node[:20] if isinstance(n, Mapping)]
        if isinstance(node, Mapping):
            queue.extend(v for v in node.values() if isinstance(v, list | Mapping))
    return [body] if isinstance(body, Mapping) else []


def _urls_in(entry: Mapping[str, Any]) -> Iterator[str]:
    """Links an entry carries: `url`, `href`, `self`, `_links.self.href` and the like."""
    for key, value in entry.items():
        if isinstance(value, str) and (key in ("url", "href", "self", "uri") or "://" in value):
            yield value
        elif key == "_links" and isinstance(value, Mapping):
            for link in value.values():
                if isinstance(link, Mapping) and isinstance(link.get("href"), str):
                    yield link["href"]


def exchange_line(exchange: Exchange) -> str:
    """`GET https://.../zaken → 200`: one exchange in a message."""
    return f"{exchange.request.method} {exchange.request.url} → {exchange.status}"


def raise_findings(
    findings: Sequence[tuple[Exchange, str]],
    summary: str,
    kind: type[Outcome] = Failure,
    *,
    covered: str = "",
) -> None:
    """One outcome for every response that breaks a rule: `summary, e.g. <first>`, then each
    finding on its own line, with the first five exchanges as evidence. Without findings, a
    pass that says what was `covered` (which operations, how many responses)."""
    if findings:
        raise kind(
            f"{summary}, e.g. {findings[0][1]}\n" + "\n".join(f"- {note}" for _, note in findings),
            evidence=[exchange.to_evidence() for exchange, _ in findings[:5]],
        )
    if covered:
        raise Passed(covered)
