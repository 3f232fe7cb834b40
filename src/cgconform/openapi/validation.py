"""Is a document valid OpenAPI 3.x? One pass, compiled JSON Schema validation (jsonschema-rs).

What the OpenAPI Specification itself asks, as the OpenAPI linters check it: the document
against the OAS JSON Schema of its version, quoted response codes, unique operationIds,
declared path parameters, unique tags, defined server variables, resolvable `$ref`s and
examples that match their schemas. What the API Design Rules ask on top lives in `suites/`.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from cgconform.openapi.document import (
    HTTP_METHODS,
    SpecDocument,
    follow_pointer,
    iter_operations,
    resolve_local,
)
from cgconform.openapi.examples import example_problems
from cgconform.openapi.problems import Problem, pointer

OPENAPI_VERSION = re.compile(r"^3(\.\d+){1,2}$")
MAX_PROBLEMS = 200
MAX_PER_KIND = 50  # so that one noisy kind does not hide the others
_TEMPLATE = re.compile(r"{([^}]+)}")


@cache
def _oas_validator(series: str) -> Any:
    import jsonschema_rs

    folder = {"3.0": "v3.0", "3.1": "v3.1", "3.2": "v3.2"}[series]
    # The OAS JSON Schemas that openapi-spec-validator ships, found without importing it
    # (its import costs a quarter of a second).
    spec = importlib.util.find_spec("openapi_spec_validator")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("openapi-spec-validator (the OAS JSON Schemas) is not installed")
    path = Path(next(iter(spec.submodule_search_locations)), "resources", "schemas", folder)
    text = (path / "schema.json").read_text(encoding="utf-8")
    return jsonschema_rs.validator_for(json.loads(text))


def _series(version: str) -> str:
    return "3.0" if version.startswith("3.0") else ("3.2" if version.startswith("3.2") else "3.1")


def _structure(data: Mapping[str, Any], version: str) -> Iterator[Problem]:
    for error in _oas_validator(_series(version)).iter_errors(data):
        path = pointer(*error.instance_path)
        yield Problem("oas3-schema", path, f"{path or '/'}: {error.message[:300]}")


def _duplicate_keys(spec: SpecDocument) -> Iterator[Problem]:
    for where in spec.duplicate_keys:
        yield Problem("parser", "", f"a key occurs twice in one object: {where}")


def _non_string_keys(spec: SpecDocument) -> Iterator[Problem]:
    for ptr in spec.non_string_keys:
        key = ptr.rsplit("/", 1)[-1]
        yield Problem(
            "parser",
            ptr,
            f"{ptr}: mapping key {key} is not a string; quote it ('{key}'), as the OpenAPI "
            "Specification requires for response codes",
        )


def _operation_ids(data: Mapping[str, Any]) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for path, method, operation in iter_operations(data):
        op_id = operation.get("operationId")
        if not isinstance(op_id, str):
            continue
        here = pointer("paths", path, method, "operationId")
        if op_id in seen:
            yield Problem(
                "operation-operationId-unique",
                here,
                f"operationId {op_id!r} of {method.upper()} {path} is also used at {seen[op_id]}",
            )
        else:
            seen[op_id] = here


def _path_params(data: Mapping[str, Any]) -> Iterator[Problem]:
    paths = data.get("paths")
    if not isinstance(paths, Mapping):
        return
    for path, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        in_template = _TEMPLATE.findall(str(path))
        shared = _list(item.get("parameters"))
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            own = _list(operation.get("parameters"))
            declared: dict[str, Mapping[str, Any]] = {}
            for param in [*shared, *own]:
                param = resolve_local(data, param)
                if isinstance(param, Mapping) and param.get("in") == "path":
                    declared[str(param.get("name"))] = param
            here = pointer("paths", path, method)
            for name in in_template:
                if name not in declared and not _has_remote_parameters([*shared, *own]):
                    yield Problem(
                        "path-params",
                        here,
                        f"{method.upper()} {path}: path parameter {{{name}}} is not declared",
                    )
            for name, param in declared.items():
                if name not in in_template:
                    yield Problem(
                        "path-params",
                        here,
                        f"{method.upper()} {path}: path parameter {name!r} is not in the path",
                    )
                elif param.get("required") is not True:
                    yield Problem(
                        "path-params",
                        here,
                        f"{method.upper()} {path}: path parameter {name!r} must be required",
                    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _has_remote_parameters(params: list[Any]) -> bool:
    return any(
        isinstance(p, Mapping) and isinstance(p.get("$ref"), str) and not p["$ref"].startswith("#")
        for p in params
    )


def _tags(data: Mapping[str, Any]) -> Iterator[Problem]:
    tags = data.get("tags")
    if not isinstance(tags, list):
        return
    seen: set[str] = set()
    for i, tag in enumerate(tags):
        name = tag.get("name") if isinstance(tag, Mapping) else None
        if isinstance(name, str):
            if name in seen:
                yield Problem("openapi-tags-uniqueness", pointer("tags", i), f"tag {name!r} twice")
            seen.add(name)


def _servers(data: Mapping[str, Any]) -> Iterator[Problem]:
    servers = data.get("servers")
    if not isinstance(servers, list) or not servers:
        yield Problem("oas3-api-servers", "/servers", '"servers" must be a non-empty array')
        return
    for i, server in enumerate(servers):
        if not isinstance(server, Mapping) or not isinstance(server.get("url"), str):
            continue
        used = set(_TEMPLATE.findall(server["url"]))
        raw = server.get("variables")
        variables: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        here = pointer("servers", i)
        for name in sorted(used - set(variables)):
            yield Problem("oas3-server-variables", here, f"server variable {name!r} is not defined")
        for name in sorted(set(variables) - used):
            yield Problem("oas3-server-variables", here, f"server variable {name!r} is not used")
        for name, var in variables.items():
            if isinstance(var, Mapping):
                enum = var.get("enum")
                if isinstance(enum, list) and "default" in var and var["default"] not in enum:
                    yield Problem(
                        "oas3-server-variables",
                        pointer("servers", i, "variables", name),
                        f"default of server variable {name!r} is not in its enum",
                    )


def _refs(spec: SpecDocument) -> Iterator[Problem]:
    """Every `$ref` resolves: in this document, in a referenced file, or (when fetched) at a
    URL. Documents reached through references are checked too."""
    pending, done = [spec], {spec.source}
    while pending:
        document = pending.pop()
        for ptr, ref in document.members("$ref"):
            if not isinstance(ref, str):
                continue
            where, _, fragment = ref.partition("#")
            target = document.referenced(where) if where else document
            origin = "" if document is spec else document.source
            if not target.ok:
                certain = target.unavailable is None
                yield Problem(
                    "invalid-ref",
                    ptr,
                    f"{ptr}: $ref {ref} cannot be resolved: {target.error}",
                    source=origin,
                    certain=certain,
                )
                continue
            if target.source not in done:
                done.add(target.source)
                pending.append(target)
            if fragment and not follow_pointer(target.data, fragment)[0]:
                yield Problem(
                    "invalid-ref", ptr, f"{ptr}: $ref {ref} points to nothing", source=origin
                )


def validate_openapi(spec: SpecDocument) -> list[Problem]:
    """Everything that keeps the document from being valid OpenAPI 3.x (at most 200)."""

    data = spec.data
    if not isinstance(data, Mapping):
        return [Problem("parser", "", spec.error or "not an OpenAPI document")]
    if "openapi" not in data:
        if "swagger" in data:
            message = f"this is a Swagger {data.get('swagger')} document; OpenAPI 3.x is required"
            return [Problem("nlgov:openapi3", "/swagger", message)]
        return [
            Problem(
                "nlgov:openapi-root-exists",
                "",
                "the root of the document must contain the `openapi` field",
            )
        ]
    version = data["openapi"]
    if not isinstance(version, str) or not OPENAPI_VERSION.match(version):
        return [
            Problem(
                "nlgov:openapi3",
                "/openapi",
                f"`openapi` is {version!r}; use OpenAPI 3.x, versioned major.minor.patch",
            )
        ]
    problems: list[Problem] = []
    for found in (
        _duplicate_keys(spec),
        _non_string_keys(spec),
        _structure(data, version),
        _operation_ids(data),
        _path_params(data),
        _tags(data),
        _servers(data),
        _refs(spec),
        example_problems(spec, version),
    ):
        problems.extend(itertools.islice(found, MAX_PER_KIND))
    return problems[:MAX_PROBLEMS]
