"""Evidence items of report.json as the HTML page shows them: HTTP requests and responses
as messages (start line, header lines, body), the curl command that reproduces them, errors and
places in a document."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cgconform.report.html_text import (
    LIMIT_REPRODUCE,
    LIMIT_SHORT,
    LIMIT_TEXT,
    MAX_HEADERS,
    Text,
    format_seconds,
    is_count,
    is_number,
    shorten,
    stringify,
)


@dataclass(frozen=True)
class HttpMessage:
    """A request or response as an HTTP message: a start line, header lines, a body."""

    start: Text
    headers: list[Text]
    more_headers: int
    body: Text


@dataclass(frozen=True)
class EvidenceView:
    request: HttpMessage | None = None
    response: HttpMessage | None = None
    reproduce: Text | None = None
    error: Text | None = None
    location: Text | None = None
    pointer: Text | None = None
    value: Text | None = None
    note: Text | None = None


def evidence_view(item: Mapping[str, Any]) -> EvidenceView:
    """One evidence item of a result (a mapping from report.json) as the page shows it."""
    request = item.get("request")
    response = item.get("response")
    document = item.get("document")
    location = pointer = value = None
    if isinstance(document, Mapping):
        where = stringify(document.get("source"))
        line, column = document.get("line"), document.get("column")
        if is_count(line):
            where += f":{line}" + (f":{column}" if is_count(column) else "")
        location = shorten(where, LIMIT_SHORT)
        pointer = shorten(document.get("pointer"), LIMIT_SHORT)
        if document.get("value_excerpt"):
            value = shorten(document.get("value_excerpt"), LIMIT_TEXT, multiline=True)
    return EvidenceView(
        request=_request(request) if isinstance(request, Mapping) else None,
        response=_response(response) if isinstance(response, Mapping) else None,
        reproduce=(
            shorten(item["reproduce"], LIMIT_REPRODUCE, multiline=True)
            if item.get("reproduce")
            else None
        ),
        error=shorten(item["error"], LIMIT_TEXT, multiline=True) if item.get("error") else None,
        location=location,
        pointer=pointer,
        value=value,
        note=shorten(item["note"], LIMIT_TEXT, multiline=True) if item.get("note") else None,
    )


def _request(request: Mapping[str, Any]) -> HttpMessage:
    start = f"{stringify(request.get('method'))} {stringify(request.get('url'))}"
    return _message(start, request)


def _response(response: Mapping[str, Any]) -> HttpMessage:
    start = f"HTTP {stringify(response.get('status'))}"
    elapsed = response.get("elapsed_s")
    if is_number(elapsed):
        start += f"  ({format_seconds(elapsed)})"
    return _message(start, response)


def _message(start: str, message: Mapping[str, Any]) -> HttpMessage:
    lines = list(_header_lines(message.get("headers")))
    return HttpMessage(
        start=shorten(start, LIMIT_TEXT),
        headers=[shorten(line, LIMIT_TEXT) for line in lines[:MAX_HEADERS]],
        more_headers=max(0, len(lines) - MAX_HEADERS),
        body=shorten(message.get("body_excerpt"), LIMIT_TEXT, multiline=True),
    )


def _header_lines(headers: Any) -> Iterable[str]:
    if not isinstance(headers, Mapping):
        return
    for name, value in headers.items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            yield f"{stringify(name)}: {stringify(one)}"
