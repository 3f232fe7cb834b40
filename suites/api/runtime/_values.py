"""Probe values built from the target's own schemas, never from the reference API's shapes.

- :func:`valid_value`: a value the schema accepts (its example, default, enum, const, a
  format's canonical form, the smallest match of its pattern), for required parameters and
  headers;
- :func:`unknown_value`: a value the schema accepts that names nothing that exists (to ask
  for an unknown item and expect 404, not 400);
- :func:`invalid_value`: a value the schema forbids (to provoke 400), with the constraint it
  breaks;
- :func:`body_from_schema`: a request body for test data, from examples or the schema.

What cannot be built raises :class:`CannotBuild` with the reason; the probe that needed it is
then `not_tested` with that reason, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

Schema = Mapping[str, Any]
Resolve = Callable[[Any], Any]

# A UUID (version 4 layout) that spells "cgconform": valid for `format: uuid`, owned by no one.
UNKNOWN_UUID = "6367636f-6e66-4f72-8d00-000000000000"
UNKNOWN_TEXT = "cgconform-bestaat-niet"
MAX_INT32 = 2**31 - 1


class CannotBuild(Exception):
    """No value of the kind asked for can be built from this schema; the message says why."""


@dataclass(frozen=True)
class Value:
    text: str  # as it goes into a path, query or header
    how: str  # where it came from, for the report: "its example", "breaks maxLength 6", ...


def _types(schema: Schema) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return {str(kind)} if isinstance(kind, str) else set()


def _flat(schema: Any, resolve: Resolve) -> Schema:
    """The schema with local $refs resolved and `allOf` parts merged (as far as needed to read
    type, format, pattern, enum and bounds)."""
    schema = resolve(schema) if schema is not None else {}
    if not isinstance(schema, Mapping):
        return {}
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for part in parts:
        for key, value in _flat(part, resolve).items():
            merged.setdefault(key, value)
    return merged


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and value is not None


@cache
def _smallest_match(pattern: str) -> str:
    """The smallest string the pattern matches (hypothesis shrinks to it: deterministic)."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise CannotBuild(f"its pattern {pattern!r} is not a regular expression ({exc})") from None
    from hypothesis import find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import HypothesisException

    try:
        found: str = find(
            st.from_regex(compiled, fullmatch=True),
            lambda _: True,
            settings=settings(database=None, max_examples=200, deadline=None),
        )
    except (HypothesisException, re.error, ValueError) as exc:
        raise CannotBuild(f"no value matching its pattern {pattern!r} was found ({exc})") from None
    return found


def _matches(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _fits_length(text: str, schema: Schema) -> str:
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    return text


def _number_in_bounds(schema: Schema, prefer: int) -> int:
    low, high = schema.get("minimum"), schema.get("maximum")
    value = prefer
    if isinstance(high, int | float) and value > high:
        value = int(high) - (1 if schema.get("exclusiveMaximum") is True else 0)
    if isinstance(low, int | float) and value < low:
        value = int(low) + (1 if schema.get("exclusiveMinimum") is True else 0)
    return value


def valid_value(schema: Any, resolve: Resolve, example: Any = None) -> Value:
    """A value the schema accepts: the parameter's or schema's own example first."""
    flat = _flat(schema, resolve)
    for source, candidate in (
        ("the parameter's example", example),
        ("its example", flat.get("example")),
        ("its default", flat.get("default")),
        ("its const", flat.get("const")),
    ):
        if _scalar(candidate):
            return Value(_text(candidate), source)
    examples = flat.get("examples")
    if isinstance(examples, list) and examples and _scalar(examples[0]):
        return Value(_text(examples[0]), "its first example")
    enum = flat.get("enum")
    if isinstance(enum, list) and enum and _scalar(enum[0]):
        return Value(_text(enum[0]), "the first value of its enum")
    return _generated(flat, unknown=False)


def unknown_value(schema: Any, resolve: Resolve) -> Value:
    """A value the schema accepts but that is unlikely to name an existing resource."""
    flat = _flat(schema, resolve)
    if isinstance(flat.get("enum"), list) or "const" in flat:
        raise CannotBuild("its values are an enum: any of them may exist")
    return _generated(flat, unknown=True)


def _generated(flat: Schema, *, unknown: bool) -> Value:
    kinds = _types(flat)
    fmt = flat.get("format")
    if kinds & {"integer", "number"}:
        number = _number_in_bounds(flat, 999_999_999 if unknown else 1)
        return Value(str(number), "a whole number within its bounds")
    if "boolean" in kinds:
        if unknown:
            raise CannotBuild("it is a boolean: both values may exist")
        return Value("true", "a boolean")
    if kinds and not kinds & {"string"}:
        raise CannotBuild(f"its type is {', '.join(sorted(kinds))}, not a single value")
    if fmt == "uuid":
        return Value(UNKNOWN_UUID, "a UUID nobody uses")
    if fmt == "date":
        return Value("1900-01-01", "a date")
    if fmt == "date-time":
        return Value("1900-01-01T00:00:00Z", "a date-time")
    pattern = flat.get("pattern")
    if isinstance(pattern, str) and not (
        unknown and _matches(pattern, _fits_length(UNKNOWN_TEXT, flat))
    ):
        return Value(_smallest_match(pattern), f"the smallest match of its pattern {pattern}")
    return Value(_fits_length(UNKNOWN_TEXT if unknown else "cgconform", flat), "a plain string")


def invalid_value(schema: Any, resolve: Resolve) -> Value | None:
    """A value the schema forbids, and the constraint it breaks; None when the schema
    constrains nothing a single text value could break."""
    flat = _flat(schema, resolve)
    kinds = _types(flat)
    if kinds & {"integer", "number"}:
        return Value("geen-getal", "not a number")
    if "boolean" in kinds:
        return Value("misschien", "not a boolean")
    enum = flat.get("enum")
    if isinstance(enum, list) and enum:
        return Value("cgconform-ongeldige-waarde", "not one of its enum values")
    pattern = flat.get("pattern")
    if isinstance(pattern, str):
        for candidate in ("!!cgconform!!", "x", "0" * 300):
            try:
                if not re.search(pattern, candidate):
                    return Value(candidate, f"does not match its pattern {pattern}")
            except re.error:
                break
    max_length = flat.get("maxLength")
    if isinstance(max_length, int):
        return Value("x" * (max_length + 1), f"longer than its maxLength {max_length}")
    min_length = flat.get("minLength")
    if isinstance(min_length, int) and min_length > 1:
        return Value("x" * (min_length - 1), f"shorter than its minLength {min_length}")
    fmt = flat.get("format")
    if fmt in ("uuid", "date", "date-time", "email", "uri"):
        return Value(f"geen-{fmt}", f"not a {fmt}")
    return None


def body_from_schema(schema: Any, resolve: Resolve, depth: int = 0) -> Any:
    """A JSON value for the schema: examples where the document gives them, else the required
    members built from their schemas (readOnly ones left out). Raises CannotBuild."""
    flat = _flat(schema, resolve)
    if depth > 8:
        raise CannotBuild("the schema nests too deep to build a body from")
    if "example" in flat:
        return flat["example"]
    for key in ("default", "const"):
        if key in flat:
            return flat[key]
    enum = flat.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for combiner in ("oneOf", "anyOf"):
        options = flat.get(combiner)
        if isinstance(options, list) and options:
            return body_from_schema(options[0], resolve, depth + 1)
    kinds = _types(flat)
    if "object" in kinds or isinstance(flat.get("properties"), Mapping):
        properties = flat.get("properties") or {}
        required = [r for r in flat.get("required") or [] if isinstance(r, str)]
        body = {}
        for name in required:
            prop = _flat(properties.get(name, {}), resolve)
            if prop.get("readOnly") is True:
                continue
            body[name] = body_from_schema(prop, resolve, depth + 1)
        return body
    if "array" in kinds:
        low = flat.get("minItems")
        count = low if isinstance(low, int) and low > 0 else 0
        return [body_from_schema(flat.get("items", {}), resolve, depth + 1) for _ in range(count)]
    if kinds & {"integer", "number"}:
        return _number_in_bounds(flat, 1)
    if "boolean" in kinds:
        return True
    if "null" in kinds and len(kinds) == 1:
        return None
    return valid_value(flat, resolve).text


def broken_bodies(body: Any, schema: Any, resolve: Resolve) -> list[tuple[Any, str]]:
    """Copies of a valid JSON object body that each break one constraint of its schema: a
    required member left out, a member of the wrong type, a pattern or enum broken."""
    flat = _flat(schema, resolve)
    if not isinstance(body, dict):
        return []
    properties = flat.get("properties") or {}
    broken: list[tuple[Any, str]] = []
    required = [r for r in flat.get("required") or [] if isinstance(r, str) and r in body]
    if required:
        without = {k: v for k, v in body.items() if k != required[0]}
        broken.append((without, f"required member {required[0]!r} left out"))
    for name in body:
        prop = _flat(properties.get(name, {}), resolve)
        kinds = _types(prop)
        if kinds and kinds <= {"integer", "number"}:
            broken.append(({**body, name: "geen-getal"}, f"{name!r} is a string, not a number"))
            break
        if kinds and kinds <= {"string"} and prop.get("format") != "binary":
            broken.append(({**body, name: 12345}, f"{name!r} is a number, not a string"))
            break
    for name in body:
        prop = _flat(properties.get(name, {}), resolve)
        bad = invalid_value(prop, resolve) if _types(prop) <= {"string"} else None
        if bad is not None and (prop.get("pattern") or prop.get("enum")):
            broken.append(({**body, name: bad.text}, f"{name!r} {bad.how}"))
            break
    return broken
