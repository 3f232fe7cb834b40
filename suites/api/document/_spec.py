"""Reading an OpenAPI document the way the document checks need it: local $refs, pointers."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cgconform.model.outcomes import Failure, Inconclusive, Outcome
from cgconform.openapi.document import (
    SpecDocument,
    follow_pointer,
    index_members,
    iter_operations,
    resolve_local,
)


class Document(dict[str, Any]):
    """The parsed root document, knowing its `SpecDocument` (to resolve references to
    other files)."""

    spec: SpecDocument


def require_document(spec: SpecDocument) -> Document:
    """The parsed document; a check that cannot read it cannot decide its rule."""
    spec.raise_if_unavailable()
    if not spec.ok:
        raise Inconclusive(
            f"the OpenAPI document could not be read ({spec.error}); "
            "see /core/doc-openapi for the details"
        )
    document: Document | None = spec.memo.get("document")
    if document is None:
        document = spec.memo["document"] = Document(spec.data)
        document.spec = spec
    return document


def pointer(*parts: str | int) -> str:
    """RFC 6901 JSON pointer from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def location(spec: SpecDocument, ptr: str, value: Any = None) -> dict[str, Any]:
    """An evidence item that points into the document."""
    doc: dict[str, Any] = {"source": spec.source, "pointer": ptr}
    if value is not None:
        doc["value_excerpt"] = repr(value)[:200]
    return {"document": doc}


def resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (`#/components/...`); remote refs are returned as they are."""
    return resolve_local(document, node)


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


def iter_key(document: Mapping[str, Any], key: str) -> Iterator[tuple[str, Any]]:
    """(pointer, value) of every member named `key`, anywhere in the document as written
    (like JSONPath `$..[key]`; local `$ref` targets are reached where they are defined).
    The walk is done once per document and shared by the checks."""
    spec: SpecDocument | None = getattr(document, "spec", None)
    if spec is None:
        yield from index_members(document, frozenset({key}))[key]
    else:
        yield from spec.members(key)


def escape(key: str) -> str:
    """One JSON pointer token."""
    return key.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def resolve_at(
    document: Mapping[str, Any], node: Any, ptr: str, *, depth: int = 0
) -> tuple[Any, str]:
    """Follow `$ref`s from `node` (found at `ptr`): the target and where it is defined.

    Local references resolve in the document; references to other files (and, when the run
    fetches them, URLs) resolve through the document's `SpecDocument`, and the pointer of
    what is found there is written `location#/pointer`."""
    spec: SpecDocument | None = getattr(document, "spec", None)
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 32:
        where, _, fragment = node["$ref"].partition("#")
        current, _, _ = ptr.rpartition("#") if "#" in ptr else ("", "", ptr)
        data: Any = document
        if where or current:
            if spec is None:
                return node, ptr
            here = spec.referenced(current) if current else spec
            target_doc = here.referenced(where) if where else here
            if not target_doc.ok:
                return node, ptr
            data = target_doc.data
            prefix = "" if target_doc is spec else f"{target_doc.source}#"
        else:
            prefix = ""
        found, target = follow_pointer(data, fragment)
        if not found:
            return node, ptr
        node, ptr, depth = target, prefix + fragment, depth + 1
    return node, ptr


def walk_resolved(
    document: Mapping[str, Any], node: Any, ptr: str, _active: frozenset[str] = frozenset()
) -> Iterator[tuple[str, Any]]:
    """(pointer where defined, value) of `node` and everything below it, following local
    `$ref`s (each reference once per branch, so cycles end) — like JSONPath `..` on the
    resolved document."""
    node, ptr = resolve_at(document, node, ptr)
    if ptr in _active:
        return
    yield ptr, node
    active = _active | {ptr}
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, dict | list):
                yield from walk_resolved(document, v, f"{ptr}/{escape(str(k))}", active)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, dict | list):
                yield from walk_resolved(document, v, f"{ptr}/{i}", active)


def operation_label(ptr: str) -> str:
    """`/paths/~1zaken/get/responses/200` -> `GET /zaken 200`, for messages."""
    parts = [unescape(p) for p in ptr.split("/")[1:]]
    if len(parts) >= 3 and parts[0] == "paths":
        label = f"{parts[2].upper()} {parts[1]}"
        if len(parts) >= 5 and parts[3] == "responses":
            label += f" {parts[4]}"
        return label
    return ptr


def finding(spec: SpecDocument, ptr: str, note: str) -> dict[str, Any]:
    """An evidence item for one finding: where it is (`location#/pointer` for another
    document than the root), and what is wrong there."""
    source, _, pointer_part = ptr.rpartition("#") if "#" in ptr else (spec.source, "", ptr)
    return {"document": {"source": source, "pointer": pointer_part}, "note": note}


def raise_findings(
    spec: SpecDocument,
    findings: list[tuple[str, str]],
    summary: str,
    kind: type[Outcome] = Failure,
) -> None:
    """Raise one Failure for all findings of a rule: the summary, then each finding."""
    if not findings:
        return
    shown = "\n".join(f"- {note} ({ptr})" for ptr, note in findings[:25])
    more = f"\n… and {len(findings) - 25} more" if len(findings) > 25 else ""
    raise kind(
        f"{summary}: {len(findings)} finding(s), e.g. {findings[0][1]}\n{shown}{more}",
        evidence=[finding(spec, ptr, note) for ptr, note in findings],
    )


def standard_version(context: Any, standard: str = "ADR") -> str:
    """The version of `standard` this run applies (from the run's profiles)."""
    for profile in getattr(context, "profiles", []):
        if profile.standard == standard:
            return str(profile.standard_version)
    return ""


def iter_path_keys(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(pointer, path template) for every key of `paths`."""
    paths = document.get("paths")
    if isinstance(paths, Mapping):
        for key in paths:
            yield pointer("paths", str(key)), str(key)
