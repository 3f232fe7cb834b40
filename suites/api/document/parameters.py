"""Query parameters: /core/query-keys-camel-case, and the heuristic for
/core/transport/no-sensitive-uris."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from cgconform.model.outcomes import Warning
from cgconform.openapi.document import HTTP_METHODS, SpecDocument
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import (
    escape,
    raise_findings,
    require_document,
    resolve_at,
)

# The rule's own regular expression ("How to test" of /core/query-keys-camel-case).
CAMEL_CASE = re.compile(r"^\$?[a-z][a-z\d]*([A-Z][a-z\d]*)*\Z")
# Names of parameters that carry personal or secret data (heuristic).
SENSITIVE = re.compile(
    r"(^|[^a-z])(bsn|burgerservicenummer|sofinummer|password|wachtwoord|secret|token|apikey|api_key)"
    r"($|[^a-z])",
    re.IGNORECASE,
)


def _iter_parameters(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(pointer where defined, parameter) of every parameter of every path item and
    operation, local `$ref`s followed; each definition once."""
    paths = document.get("paths")
    if not isinstance(paths, Mapping):
        return
    seen: set[str] = set()
    for path, item in paths.items():
        item_ptr = f"/paths/{escape(str(path))}"
        item, item_ptr = resolve_at(document, item, item_ptr)
        if not isinstance(item, Mapping):
            continue
        holders = [(item_ptr, item)] + [
            (f"{item_ptr}/{m}", item[m]) for m in HTTP_METHODS if isinstance(item.get(m), Mapping)
        ]
        for holder_ptr, holder in holders:
            params = holder.get("parameters")
            if not isinstance(params, list):
                continue
            for i, param in enumerate(params):
                resolved, ptr = resolve_at(document, param, f"{holder_ptr}/parameters/{i}")
                if isinstance(resolved, Mapping) and ptr not in seen:
                    seen.add(ptr)
                    yield ptr, resolved


@requirement("ADR", "/core/query-keys-camel-case")
def query_keys_are_camel_case(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    findings = [
        (ptr + "/name", f"query key {param.get('name')!r} is not lower camelCase")
        for ptr, param in _iter_parameters(document)
        if param.get("in") == "query"
        and isinstance(param.get("name"), str)
        and not CAMEL_CASE.match(param["name"])
    ]
    schemes = (document.get("components") or {}).get("securitySchemes")
    if isinstance(schemes, Mapping):
        for name, scheme in schemes.items():
            if isinstance(scheme, Mapping) and scheme.get("in") == "query":
                key = scheme.get("name")
                if isinstance(key, str) and not CAMEL_CASE.match(key):
                    ptr = f"/components/securitySchemes/{escape(str(name))}/name"
                    findings.append((ptr, f"query key {key!r} (security scheme) is not camelCase"))
    raise_findings(cg_spec, findings, "query keys MUST be lower camelCase")


@requirement("ADR", "/core/transport/no-sensitive-uris")
def uris_carry_no_sensitive_parameters(cg_spec: SpecDocument) -> None:
    """Heuristic: parameters in the path or query whose name suggests personal or secret
    data (a BSN, a password, a token). A name is not proof, so this is a warning."""
    document = require_document(cg_spec)
    findings = [
        (ptr + "/name", f"{param.get('in')} parameter {param.get('name')!r} looks sensitive")
        for ptr, param in _iter_parameters(document)
        if param.get("in") in ("path", "query")
        and isinstance(param.get("name"), str)
        and SENSITIVE.search(param["name"])
    ]
    raise_findings(
        cg_spec,
        findings,
        "URIs MUST NOT contain sensitive data; these parameter names suggest they do "
        "(heuristic: check whether the value is personal or secret, and move it to a header "
        "or the body)",
        kind=Warning,
    )
