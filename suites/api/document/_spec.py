"""Reading an OpenAPI document the way the document checks need it: local $refs, pointers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cgconform.openapi import SpecDocument
from cgconform.outcomes import Inconclusive

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def require_document(spec: SpecDocument) -> dict[str, Any]:
    """The parsed document; a check that cannot read it cannot decide its rule."""
    spec.raise_if_unavailable()
    if not spec.ok:
        raise Inconclusive(
            f"the OpenAPI document could not be read ({spec.error}); "
            "see /core/doc-openapi for the details"
        )
    data: dict[str, Any] = spec.data
    return data


def pointer(*parts: str | int) -> str:
    """RFC 6901 JSON pointer from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def location(spec: SpecDocument, ptr: str, value: Any = None) -> dict[str, Any]:
    """An evidence item that points into the document."""
    doc: dict[str, Any] = {"source": spec.source, "pointer": ptr}
    if value is not None:
        doc["value_excerpt"] = repr(value)[:200]
    return {"document": doc}


def resolve(document: Mapping[str, Any], node: Any, *, depth: int = 0) -> Any:
    """Follow a local `$ref` (`#/components/...`); remote refs are returned as they are."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and depth < 32:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = document
        for raw in ref[2:].split("/"):
            key = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or key not in target:
                return node
            target = target[key]
        node, depth = target, depth + 1
    return node


def iter_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(path, method, operation) for every operation in `paths`."""
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        return
    for path, item in paths.items():
        item = resolve(document, item)
        if not isinstance(item, Mapping):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping):
                yield str(path), method, operation


def iter_responses(
    document: Mapping[str, Any], status: re.Pattern[str]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer, response object) for every operation response whose code matches `status`."""
    for path, method, operation in iter_operations(document):
        responses = resolve(document, operation.get("responses"))
        if not isinstance(responses, Mapping):
            continue
        for code, response in responses.items():
            if status.fullmatch(str(code)):
                resolved = resolve(document, response)
                if isinstance(resolved, Mapping):
                    yield pointer("paths", path, method, "responses", str(code)), resolved
