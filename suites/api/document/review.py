"""Rules that need a person: the check gathers what the reviewer should look at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cgconform.model.outcomes import NeedsReview
from cgconform.openapi.document import SpecDocument, iter_operations
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import (
    finding,
    iter_path_keys,
    location,
    pointer,
    require_document,
)

SAMPLE = 12


def _descriptions(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = []
    info = document.get("info")
    if isinstance(info, Mapping) and isinstance(info.get("description"), str):
        found.append(("/info/description", info["description"]))
    for path, method, operation in iter_operations(document):
        for key in ("summary", "description"):
            if isinstance(operation.get(key), str):
                found.append((pointer("paths", path, method, key), operation[key]))
                break
    return found


@requirement("ADR", "/core/interface-language")
def interface_language_is_reviewed(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    names = sorted(
        {
            s
            for _, p in iter_path_keys(document)
            for s in p.split("/")
            if s and not s.startswith("{")
        }
    )
    raise NeedsReview(
        "review: resources and fields SHOULD be named in Dutch (English where the concept "
        f"has an English name, e.g. a standard). Path segments: {', '.join(names[:40]) or 'none'}",
        evidence=[location(cg_spec, "/paths")],
    )


@requirement("ADR", "/core/doc-language")
def documentation_language_is_reviewed(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    texts = _descriptions(document)
    shown = "\n".join(f"- {t.strip()[:120]}" for _, t in texts[:SAMPLE]) or "- (no descriptions)"
    raise NeedsReview(
        "review: the OpenAPI document SHOULD be written in Dutch. Descriptions:\n" + shown,
        evidence=[finding(cg_spec, ptr, t.strip()[:120]) for ptr, t in texts[:SAMPLE]],
    )


@requirement("ADR", "/core/nested-child")
def nested_children_are_reviewed(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    nested = [
        (ptr, p)
        for ptr, p in iter_path_keys(document)
        if p.count("{") >= 1 and not p.rstrip("/").endswith("}")
    ]
    if not nested:
        return  # no child resource is nested under a parent: nothing to review
    shown = "\n".join(f"- {p}" for _, p in nested[:SAMPLE])
    raise NeedsReview(
        "review: a child resource SHOULD be nested under its parent only when it cannot exist "
        "without it. Nested paths:\n" + shown,
        evidence=[finding(cg_spec, ptr, f"nested path {p}") for ptr, p in nested[:SAMPLE]],
    )
