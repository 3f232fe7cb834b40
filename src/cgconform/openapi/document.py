"""Loading an OpenAPI document (file or URL, JSON or YAML) without ever raising a traceback.

This module knows OpenAPI as a file format only; what the API Design Rules ask of the
document lives in ``suites/``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from cgconform.http.json_depth import MAX_JSON_DEPTH, load_json, too_deep
from cgconform.model.outcomes import Inconclusive, Outcome
from cgconform.model.target import is_url
from cgconform.openapi.source_map import SourceMap


@dataclass(frozen=True)
class SpecDocument:
    """A loaded document: `data` when it parsed, else `error` says why (with line)."""

    source: str
    text: str | None
    data: Any
    error: str | None = None
    # Why a remote document was not fetched at all (network, budget): nothing to judge.
    unavailable: Outcome | None = None
    evidence: tuple[dict[str, Any], ...] = ()  # the exchange that fetched a remote document
    # Pointers of mapping keys that YAML read as numbers or booleans (`200:` unquoted).
    non_string_keys: tuple[str, ...] = ()
    # Keys that occur twice in one object (the last one was kept), as `key (line N)`.
    duplicate_keys: tuple[str, ...] = ()
    # How documents that $refs point to are fetched over HTTP (None: remote refs are not
    # fetched), and the documents already loaded, shared by a document and all it references.
    fetch_remote: Callable[[str], SpecDocument] | None = field(
        default=None, repr=False, compare=False
    )
    loaded: dict[str, SpecDocument] = field(default_factory=dict, repr=False, compare=False)
    # What checks derive from the document once and share (indexes), keyed by their name.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def location_of(self, reference: str) -> str:
        """Where a $ref's document part (`schemas.yaml`, `https://...`) points, from here."""
        if not reference:
            return self.source
        if is_url(reference):
            return reference
        if is_url(self.source):
            return urljoin(self.source, reference)
        return os.path.normpath(os.path.join(os.path.dirname(self.source), reference))

    def referenced(self, reference: str) -> SpecDocument:
        """The document a $ref points to (relative to this one), loaded once per run."""
        location = self.location_of(reference)
        if location == self.source:
            return self
        known = self.loaded.get(location)
        if known is not None:
            return known
        if is_url(location):
            if self.fetch_remote is None:
                reason = "remote references are not fetched (offline)"
                document = SpecDocument(
                    location,
                    None,
                    None,
                    f"{location}: {reason}",
                    unavailable=Inconclusive(reason),
                )
            else:
                document = self.fetch_remote(location)
        else:
            document = read_spec_file(location)
        document = replace(document, fetch_remote=self.fetch_remote, loaded=self.loaded)
        self.loaded[location] = document
        return document

    def raise_if_unavailable(self) -> None:
        """A check cannot judge a document that was never fetched: re-raise why (e.g. the
        budget was spent: `not_tested`; the network failed: `inconclusive`)."""
        if self.unavailable is not None:
            cause = self.unavailable
            raise type(cause)(
                f"the OpenAPI document could not be fetched: {cause.message}",
                evidence=self.evidence,
            )

    @property
    def ok(self) -> bool:
        return self.error is None and isinstance(self.data, dict)

    @cached_property
    def _source_map(self) -> SourceMap | None:
        return SourceMap(self.text) if self.text is not None else None

    def members(self, key: str) -> list[tuple[str, Any]]:
        """(JSON pointer, value) of every member named `key`, anywhere in the document as
        written (like JSONPath `$..[key]`). One walk per document serves every indexed key."""
        if key not in INDEXED_KEYS:
            return index_members(self.data, frozenset({key}))[key]
        index = self.memo.get("members")
        if index is None:
            index = self.memo["members"] = index_members(self.data, INDEXED_KEYS)
        found: list[tuple[str, Any]] = index[key]
        return found

    def position(self, pointer: str) -> tuple[int, int] | None:
        """(line, column), 1-based, of the member at a JSON pointer; None when unknown.
        For a member that does not exist, the nearest existing parent."""
        return self._source_map.position(pointer) if self._source_map else None


def _normalise(value: Any, ptr: str, odd_keys: list[str]) -> Any:
    """YAML quirks: unquoted `200:` keys become int (and, with PyYAML, `2024-01-01` a date).
    JSON has neither: keys become strings (each such key noted in `odd_keys`), dates ISO
    strings."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = k if isinstance(k, str) else _key_text(k)
            here = f"{ptr}/{key.replace('~', '~0').replace('/', '~1')}"
            if not isinstance(k, str):
                odd_keys.append(here)
            out[key] = _normalise(v, here, odd_keys)
        return out
    if isinstance(value, list):
        return [_normalise(v, f"{ptr}/{i}", odd_keys) for i, v in enumerate(value)]
    if isinstance(value, _dt.date | _dt.datetime):
        return value.isoformat()
    return value


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, _dt.date | _dt.datetime):
        return key.isoformat()
    return "null" if key is None else str(key)


_TOO_DEEP = object()


def parse_document(text: str, source: str) -> SpecDocument:
    odd_keys: list[str] = []
    duplicates: list[str] = []
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = load_json(text, object_pairs_hook=_pairs(duplicates))
        except json.JSONDecodeError as exc:
            return SpecDocument(
                source,
                text,
                None,
                f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
            )
        except ValueError as exc:  # nested too deep
            return SpecDocument(source, text, None, f"{source}: not read: {exc}")
    else:
        try:
            # keys YAML reads as other than strings (`200:`, `true:`): a walk of the parsed
            # document costs a fifth of what a regular-expression scan of its text did
            loaded = _load_yaml(text, duplicates)
        except ValueError as exc:
            return SpecDocument(source, text, None, f"{source}: not valid YAML{exc}")
        except RecursionError:
            loaded = _TOO_DEEP
        if loaded is _TOO_DEEP or too_deep(loaded):
            problem = f"nested more than {MAX_JSON_DEPTH} levels deep"
            return SpecDocument(source, text, None, f"{source}: not read: {problem}")
        data = _normalise(loaded, "", odd_keys)
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "empty"
        return SpecDocument(
            source, text, data, f"{source}: an OpenAPI document is an object, got {kind}"
        )
    return SpecDocument(
        source, text, data, non_string_keys=tuple(odd_keys), duplicate_keys=tuple(duplicates)
    )


def _pairs(duplicates: list[str]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """A JSON object hook that notes keys given twice (JSON parsers keep the last one)."""

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        made = dict(pairs)
        if len(made) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    duplicates.append(repr(key))
                seen.add(key)
        return made

    return build


def _load_yaml(text: str, duplicates: list[str]) -> Any:
    """YAML 1.2 with yaml-rs (compiled, ~10x faster); PyYAML where yaml-rs is missing.
    A syntax error is a ValueError whose text starts with ` (line L, column C): problem`."""
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - yaml-rs is a dependency; a fallback all the same
        return _load_pyyaml(text)
    try:
        # dates stay the strings they are in the text, quoted or not, as JSON has them
        return yaml_rs.loads(text, parse_datetime=False)
    except yaml_rs.YAMLDecodeError as exc:
        lines = str(exc).splitlines()
        if "duplicate mapping key" in str(exc):  # noted, then read as JSON parsers do
            named = re.search(r"duplicate mapping key: (.+)$", lines[0]) if lines else None
            duplicates.append(named[1].strip() if named else "(a key)")
            return yaml_rs.loads(
                text,
                parse_datetime=False,
                duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins,
            )
        where = re.search(r"line (\d+), column (\d+)", lines[0]) if lines else None
        problem = lines[-1].strip() if lines else "syntax error"
        at = f" (line {where[1]}, column {where[2]})" if where else ""
        raise ValueError(f"{at}: {problem}") from None


def _load_pyyaml(text: str) -> Any:
    import yaml  # only where yaml-rs is missing: importing PyYAML costs more than most documents

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValueError(f"{at}: {problem}") from None


# The largest OpenAPI document read: real ones are at most a few MB (the largest in the test
# corpus is 0.8 MB); a larger file is refused before it is read, so memory stays bounded.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def read_spec_file(location: str) -> SpecDocument:
    path = Path(location)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            return SpecDocument(
                location,
                None,
                None,
                f"{location}: {size / 1024 / 1024:.0f} MB, larger than the "
                f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB an OpenAPI document is read up to; "
                "not read",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        return SpecDocument(location, None, None, f"{location}: no such file")
    except OSError as exc:
        return SpecDocument(location, None, None, f"{location}: cannot read: {exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return SpecDocument(location, None, None, f"{location}: not UTF-8 text ({exc.reason})")
    return parse_document(text, location)


def spec_is_remote(location: str) -> bool:
    return is_url(location)


def follow_pointer(data: Any, fragment: str) -> tuple[bool, Any]:
    """(found, value) at a JSON pointer fragment (`/components/schemas/X`) in `data`."""
    node = data
    for raw in fragment.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False, None
    return True, node


def resolve_local(data: Any, node: Any, *, limit: int = 32) -> Any:
    """Follow local `$ref`s (`#/...`) from `node`; other references are returned as they are,
    and so is a reference that points to nothing."""
    for _ in range(limit):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return node
        found, target = follow_pointer(data, ref[1:])
        if not found:
            return node
        node = target
    return node


# Member names the checks look for everywhere in a document; one walk indexes them all.
INDEXED_KEYS = frozenset({"$ref", "responses", "properties", "servers"})


def index_members(node: Any, keys: frozenset[str]) -> dict[str, list[tuple[str, Any]]]:
    """One walk over `node`: (JSON pointer, value) of every member named one of `keys`."""
    found: dict[str, list[tuple[str, Any]]] = {k: [] for k in keys}
    stack: list[tuple[str, Any]] = [("", node)]
    while stack:
        here, current = stack.pop()
        if isinstance(current, dict):
            for k, v in current.items():
                child = f"{here}/{str(k).replace('~', '~0').replace('/', '~1')}"
                if k in found:
                    found[k].append((child, v))
                if isinstance(v, dict | list):
                    stack.append((child, v))
        elif isinstance(current, list):
            for i, v in enumerate(current):
                if isinstance(v, dict | list):
                    stack.append((f"{here}/{i}", v))
    return found


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def iter_operations(data: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation under `paths` (local `$ref`s of path
    items followed), in document order."""
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        item = resolve_local(data, item)
        if isinstance(item, dict):
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    yield str(path), method, operation
