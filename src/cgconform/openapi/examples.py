"""Do the examples (and defaults) in an OpenAPI document match their schemas?

As the OpenAPI linters check it: a schema's own `example` and `default`, and the `example` /
`examples` of media types, parameters and headers, validated with formats. OAS 3.0 schemas
are turned into JSON Schema first (`nullable`, boolean `exclusiveMinimum`); in request bodies
`readOnly` and in responses `writeOnly` properties are not required, as the specification says.
Validation is compiled (jsonschema-rs) against the whole document, so `$ref`s resolve.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cgconform.openapi.document import SpecDocument
from cgconform.openapi.formats import FORMATS
from cgconform.openapi.problems import Problem, escape

ROOT = "urn:cgconform:document"
_SCHEMA_HINTS = ("enum", "type", "format", "$ref", "properties", "items")
_MAX_PER_DOCUMENT = 100


def _to_json_schema(node: Any, *, drop_required: str | None) -> Any:
    """A JSON Schema 2020-12 copy of an OAS 3.0 document part: `nullable` becomes a null
    type, boolean exclusive bounds become numbers; `drop_required` (readOnly/writeOnly)
    properties leave `required`."""
    if isinstance(node, list):
        return [_to_json_schema(v, drop_required=drop_required) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v, drop_required=drop_required) for k, v in node.items()}
    if out.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), bool):
            if out[bound] and limit in out:
                out[bound] = out.pop(limit)
            else:
                del out[bound]
    if drop_required and isinstance(out.get("required"), list):
        props = out.get("properties")
        if isinstance(props, Mapping):
            out["required"] = [
                r
                for r in out["required"]
                if not (isinstance(props.get(r), Mapping) and props[r].get(drop_required) is True)
            ]
    return out


class SchemaValidators:
    """Compiled validators for one document, per view (schema / request / response)."""

    def __init__(self, data: Mapping[str, Any], oas30: bool, text: str | None = None) -> None:
        self.data = data
        self.oas30 = oas30
        # What the document's text shows it uses decides which views need building at all.
        self._converts = oas30 and (text is None or "nullable" in text or "exclusiveM" in text)
        self._has_access = text is None or "readOnly" in text or "writeOnly" in text
        self._registries: dict[str | None, Any] = {}

    def _registry(self, drop: str | None) -> Any:
        import jsonschema_rs

        if drop is not None and not self._has_access:
            drop = None  # no readOnly/writeOnly anywhere: every view is the plain one
        if drop not in self._registries:
            view: Any = (
                _to_json_schema(self.data, drop_required=drop)
                if (self._converts or drop)
                else self.data
            )
            self._registries[drop] = jsonschema_rs.Registry([(ROOT, view)])
        return self._registries[drop]

    def errors(self, schema_ptr: str, value: Any, drop: str | None) -> list[str]:
        import jsonschema_rs

        try:
            validator = jsonschema_rs.validator_for(
                {
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$ref": f"{ROOT}#{schema_ptr}",
                },
                registry=self._registry(drop),
                validate_formats=True,
                formats=FORMATS,
            )
        except Exception:  # a schema jsonschema-rs cannot compile: nothing to judge here
            return []
        try:
            return [e.message for e in validator.iter_errors(value)][:3]
        except Exception:
            return []


def _candidates(node: Any, ptr: str, inside: bool, key: str) -> Iterator[tuple[str, str, Any]]:
    """(kind, pointer, node): schemas with example/default, media objects with examples."""
    stack = [(ptr, node, inside, key)]
    while stack:
        here, current, within, name = stack.pop()
        if isinstance(current, dict):
            if within and name != "properties":
                has_value = "example" in current or "default" in current
                if has_value and any(current.get(h) for h in _SCHEMA_HINTS):
                    yield "schema", here, current
                if isinstance(current.get("schema"), Mapping) and (
                    "example" in current or current.get("examples")
                ):
                    yield "media", here, current
            for k, v in current.items():
                if k in ("example", "examples", "default", "enum") and within:
                    continue  # values, not schemas
                if isinstance(v, dict | list):
                    enters = within or k in ("content", "headers", "parameters")
                    stack.append((f"{here}/{escape(str(k))}", v, enters, str(k)))
        elif isinstance(current, list):
            for i, v in enumerate(current):
                if isinstance(v, dict | list):
                    stack.append((f"{here}/{i}", v, within, name))


def _media_values(node: Mapping[str, Any], ptr: str) -> Iterator[tuple[str, Any]]:
    if "example" in node:
        yield f"{ptr}/example", node["example"]
        return
    examples = node.get("examples")
    if isinstance(examples, Mapping):
        for name, example in examples.items():
            if isinstance(example, Mapping) and "value" in example:
                yield f"{ptr}/examples/{escape(str(name))}/value", example["value"]


def example_problems(spec: SpecDocument, version: str) -> Iterator[Problem]:
    data = spec.data
    validators = SchemaValidators(data, oas30=version.startswith("3.0"), text=spec.text)
    found = 0
    starts = [("/components/schemas", (data.get("components") or {}).get("schemas"), True)]
    starts += [(f"/{escape(str(k))}", v, False) for k, v in data.items() if k != "components"]
    components = data.get("components")
    if isinstance(components, Mapping):
        starts += [
            (f"/components/{escape(str(k))}", v, False)
            for k, v in components.items()
            if k != "schemas"
        ]
    for start, node, inside in starts:
        for kind, ptr, target in _candidates(node, start, inside, ""):
            if kind == "schema":
                values = [(f"{ptr}/{f}", target[f]) for f in ("example", "default") if f in target]
                schema_ptr, drop = ptr, None
            else:
                values = list(_media_values(target, ptr))
                schema_ptr = f"{ptr}/schema"
                drop = (
                    "readOnly"
                    if "/requestBod" in ptr
                    else "writeOnly"
                    if "/responses/" in ptr
                    else None
                )
            rule = f"oas3-valid-{kind}-example"
            for value_ptr, value in values:
                for message in validators.errors(schema_ptr, value, drop):
                    yield Problem(
                        rule,
                        value_ptr,
                        f"{value_ptr}: example does not match its schema: {message[:200]}",
                    )
                    found += 1
                    if found >= _MAX_PER_DOCUMENT:
                        return
