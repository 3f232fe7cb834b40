"""Does a response match what the document declares for its operation (status code, media
type, body schema)? Compiled validation against the whole document (jsonschema-rs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from cgconform.http.evidence import Exchange, NotJson, TruncatedBody
from cgconform.model.outcomes import Inconclusive
from cgconform.suites.api.runtime._api import (
    ApiUnderTest,
    Operation,
    match_template,
    relative_path,
)


def operation_of(api: ApiUnderTest, exchange: Exchange) -> Operation | None:
    """The document's operation an exchange was sent to (by method and path template)."""
    relative = relative_path(api, exchange.request.url)
    method = exchange.request.method.lower()
    return next(
        (
            op
            for op in api.ops
            if op.method == method and match_template(op.path, relative) is not None
        ),
        None,
    )


def response_problems(api: ApiUnderTest, exchange: Exchange) -> list[str]:
    """What in a response breaks the document; TruncatedBody when the body that would have to
    be validated was cut at the size cap."""
    try:
        return _response_problems(api, exchange)
    except NotJson as exc:
        return [f"the body is not JSON ({exc.detail})"]


def _response_problems(api: ApiUnderTest, exchange: Exchange) -> list[str]:
    op = operation_of(api, exchange)
    if op is None:
        return [
            f"{exchange.request.method} {urlsplit(exchange.request.url).path} is not in "
            "the document"
        ]
    escaped = op.path.replace("~", "~0").replace("/", "~1")
    op_ptr = f"/paths/{escaped}/{op.method}"
    responses = api.resolve(op.spec.get("responses")) or {}
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
    body = exchange.json()  # TruncatedBody propagates: a cut body is not judged
    escaped_media = media.replace("~", "~0").replace("/", "~1")
    schema_ptr = f"{op_ptr}/responses/{key}/content/{escaped_media}/schema"
    if "$ref" in responses[key]:
        ref = responses[key]["$ref"]
        schema_ptr = f"{ref[1:]}/content/{escaped_media}/schema"
    return api.validators.errors(schema_ptr, body, "writeOnly")


T = TypeVar("T")


def judge_bodies(
    items: Sequence[T], exchange_of: Callable[[T], Exchange], judge: Callable[[Exchange], list[str]]
) -> tuple[list[tuple[T, list[str]]], list[T]]:
    """(item, problems) for every item whose exchange `judge` finds problems in, and the items
    whose body was cut at the size cap, which `judge` could not read whole (not judged)."""
    wrong: list[tuple[T, list[str]]] = []
    cut: list[T] = []
    for item in items:
        try:
            problems = judge(exchange_of(item))
        except TruncatedBody:
            cut.append(item)
            continue
        if problems:
            wrong.append((item, problems))
    return wrong, cut


def raise_if_cut(cut: Sequence[Exchange], total: int, what: str) -> None:
    """Inconclusive when some bodies could not be judged because they were cut: the check
    cannot say the rule holds for every response."""
    if cut:
        first = cut[0]
        raise Inconclusive(
            f"{len(cut)} of {total} {what} could not be judged, e.g. {first.request.method} "
            f"{first.request.url} → {first.status}: {TruncatedBody(first).reason}",
            evidence=[e.to_evidence() for e in cut[:5]],
        )
