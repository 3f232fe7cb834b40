"""Error handling: /core/error-handling/problem-details and /core/error-handling/invalid-input."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cgconform.openapi.document import SpecDocument, iter_operations
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import (
    escape,
    iter_key,
    operation_label,
    pointer,
    raise_findings,
    require_document,
    resolve_at,
    walk_resolved,
)

# As the official linter selects them: any response code containing 4xx or 5xx.
ERROR_CODE = re.compile(r"(4|5)\d\d")
PROBLEM_TYPES = ("application/problem+json", "application/problem+xml")
PROBLEM_MEMBERS = ("status", "title", "detail")


def _iter_error_responses(
    document: Mapping[str, Any],
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer where defined, response) of every 4xx/5xx response of every `responses`
    object, local `$ref`s followed; each definition once."""
    seen: set[str] = set()
    for ptr, responses in iter_key(document, "responses"):
        if not isinstance(responses, Mapping):
            continue
        for code, response in responses.items():
            if not ERROR_CODE.search(str(code)):
                continue
            resolved, where = resolve_at(document, response, f"{ptr}/{escape(str(code))}")
            if isinstance(resolved, Mapping) and where not in seen:
                seen.add(where)
                yield where, resolved


@requirement("ADR", "/core/error-handling/problem-details")
def error_responses_use_problem_details(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    findings: list[tuple[str, str]] = []
    checked: set[str] = set()
    for ptr, response in _iter_error_responses(document):
        content, content_ptr = resolve_at(document, response.get("content"), f"{ptr}/content")
        if not isinstance(content, Mapping):
            continue
        if not any(t in content for t in PROBLEM_TYPES):
            types = ", ".join(map(str, content)) or "none"
            findings.append(
                (
                    content_ptr,
                    f"{operation_label(ptr)} error response is {types}, not "
                    "application/problem+json or application/problem+xml",
                )
            )
        for media in PROBLEM_TYPES:
            if media not in content:
                continue
            media_ptr = f"{content_ptr}/{escape(media)}"
            for node_ptr, node in walk_resolved(document, content[media], media_ptr):
                if not isinstance(node, Mapping) or not isinstance(node.get("schema"), Mapping):
                    continue
                schema, schema_ptr = resolve_at(document, node["schema"], f"{node_ptr}/schema")
                if schema_ptr in checked or not isinstance(schema, Mapping):
                    continue
                checked.add(schema_ptr)
                members = schema.get("properties")
                if members is None:
                    continue
                missing = [
                    m
                    for m in PROBLEM_MEMBERS
                    if not isinstance(members, Mapping) or m not in members
                ]
                if missing:
                    findings.append(
                        (
                            f"{schema_ptr}/properties",
                            f"problem schema lacks {', '.join(missing)} (status, title and detail "
                            "are required)",
                        )
                    )
    raise_findings(
        cg_spec,
        findings,
        "4xx/5xx responses MUST use application/problem+json (or +xml) with status, title "
        "and detail",
    )


def _has_400(document: Mapping[str, Any], operation: Mapping[str, Any]) -> bool:
    responses, _ = resolve_at(document, operation.get("responses"), "")
    return isinstance(responses, Mapping) and "400" in responses


@requirement("ADR", "/core/error-handling/invalid-input")
def operations_with_input_declare_400(cg_spec: SpecDocument) -> None:
    """As the official linter reads "operations accepting query parameters and/or a request
    body": GET and DELETE with parameters of their own, and every PUT, POST and PATCH."""
    document = require_document(cg_spec)
    findings = []
    for path, method, operation in iter_operations(document):
        params = operation.get("parameters")
        has_input = method in ("put", "post", "patch") or (
            method in ("get", "delete") and isinstance(params, list) and len(params) > 0
        )
        if has_input and not _has_400(document, operation):
            ptr = pointer("paths", path, method, "responses")
            findings.append(
                (ptr, f"{method.upper()} {path} accepts input but declares no 400 response")
            )
    raise_findings(
        cg_spec, findings, "operations that accept input MUST be able to return a 400 response"
    )
