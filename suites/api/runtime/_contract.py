"""Does a response match what the document declares for its operation (status code, media
type, body schema)? Compiled validation against the whole document (jsonschema-rs)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from cgconform.http.evidence import Exchange
from cgconform.suites.api.runtime._api import TEMPLATE, ApiUnderTest


def _operation_pointer(api: ApiUnderTest, exchange: Exchange) -> tuple[str, str] | None:
    path = urlsplit(exchange.request.url).path
    base = urlsplit(api.base_url).path.rstrip("/")
    relative = path[len(base) :] if path.startswith(base) else path
    method = exchange.request.method.lower()
    for template, op_method, _ in api.operations():
        if op_method != method:
            continue
        pattern = (
            "^"
            + TEMPLATE.sub("[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
            + "$"
        )
        if re.match(pattern, relative):
            escaped = template.replace("~", "~0").replace("/", "~1")
            return template, f"/paths/{escaped}/{method}"
    return None


def response_problems(api: ApiUnderTest, exchange: Exchange) -> list[str]:
    found = _operation_pointer(api, exchange)
    if found is None:
        return [
            f"{exchange.request.method} {urlsplit(exchange.request.url).path} is not in "
            "the document"
        ]
    template, op_ptr = found
    operation: Any = api.document["paths"][template][op_ptr.rsplit("/", 1)[1]]
    responses = operation.get("responses") or {}
    code = str(exchange.status)
    key = (
        code
        if code in responses
        else (
            f"{code[0]}XX"
            if f"{code[0]}XX" in responses
            else ("default" if "default" in responses else None)
        )
    )
    if key is None:
        return [f"status {code} is not declared for {op_ptr}"]
    response = api.resolve(responses[key])
    content = response.get("content") or {}
    media = (exchange.headers.get("Content-Type") or "").split(";")[0].strip()
    if not content:
        return []
    if media not in content:
        return [f"Content-Type {media or '(none)'} is not declared ({', '.join(content)})"]
    if "schema" not in content[media] or not media.endswith("json"):
        return []
    try:
        body = exchange.json()
    except ValueError:
        return ["the body is not JSON"]
    escaped_media = media.replace("~", "~0").replace("/", "~1")
    schema_ptr = f"{op_ptr}/responses/{key}/content/{escaped_media}/schema"
    if "$ref" in responses[key]:
        ref = responses[key]["$ref"]
        schema_ptr = f"{ref[1:]}/content/{escaped_media}/schema"
    return api.validators.errors(schema_ptr, body, "writeOnly")
