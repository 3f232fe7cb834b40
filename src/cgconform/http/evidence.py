"""What one HTTP exchange leaves behind: redacted evidence plus the raw response.

An :class:`Exchange` is what a check gets back from :class:`cgconform.http.client.HttpClient`. Its
``request``, ``response`` and ``reproduce`` are already redacted and may go into a report
(:meth:`Exchange.to_evidence` is exactly one evidence item of DESIGN.md §6). The raw,
unredacted response (``status``, ``headers``, ``body``, ``text``, ``json()``) is for the
check's own use and is never written anywhere.
"""

from __future__ import annotations

import codecs
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from requests.structures import CaseInsensitiveDict

from cgconform.http.json_depth import MAX_JSON_DEPTH, load_json, too_deep
from cgconform.http.redaction import Redactor

__all__ = [  # what this module offers, with the JSON readers it shares
    "MAX_JSON_DEPTH",
    "Exchange",
    "NotJson",
    "RawResponse",
    "RecordedRequest",
    "RecordedResponse",
    "TruncatedBody",
    "charset",
    "curl_command",
    "excerpt",
    "load_json",
    "printable",
    "shown_headers",
    "too_deep",
]

EXCERPT_CHARS = 2000
"""Longest body excerpt in evidence, in characters (before the truncation mark)."""

TRUNCATED_MARK = "…[truncated]"

HEADER_VALUE_CHARS = 1000
"""Longest header value in evidence, in characters (before the truncation mark)."""

# How much of a body is looked at to make an excerpt: enough that redaction shrinking the
# text (long secrets -> short placeholders) still leaves a full excerpt.
_SCAN_CHARS = 16 * EXCERPT_CHARS

# Control characters other than \n and \t, and invisible format characters (bidi overrides,
# zero-width characters) that could hide or disguise text in a report.
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_CHARSET = re.compile(r"charset\s*=\s*\"?([^\";\s]+)", re.IGNORECASE)

# Headers a curl line leaves to curl itself.
_CURL_SKIPS = frozenset({"content-length", "host", "connection", "accept-encoding"})


def charset(content_type: str | None, default: str = "utf-8") -> str:
    """The charset named in a Content-Type value, if Python knows it, else `default`."""
    m = _CHARSET.search(content_type or "")
    if m:
        try:
            return codecs.lookup(m[1]).name
        except LookupError:
            pass
    return default


def printable(s: str) -> str:
    """`s` without control characters (except newline and tab) and invisible format chars."""
    return _UNPRINTABLE.sub("", s)


def excerpt(
    data: bytes | str,
    redactor: Redactor,
    *,
    encoding: str = "utf-8",
    cut: bool = False,
    limit: int = EXCERPT_CHARS,
) -> str:
    """A redacted, printable excerpt of at most `limit` characters of a body.

    `cut` says the body itself is already incomplete (e.g. capped); the excerpt then ends
    with :data:`TRUNCATED_MARK`, as it does when it is shorter than the body.
    """
    if isinstance(data, bytes):
        # At most 4 bytes per character in UTF-8.
        window = data[: 4 * _SCAN_CHARS]
        cut = cut or len(window) < len(data)
        text = window.decode(encoding, errors="replace")
    else:
        text = data
    if len(text) > _SCAN_CHARS:
        text, cut = text[:_SCAN_CHARS], True
    shown = redactor.text(printable(text), cut=cut)
    if len(shown) > limit:
        shown, cut = shown[:limit], True
    return shown + TRUNCATED_MARK if cut else shown


def shown_headers(headers: Mapping[str, str], limit: int = HEADER_VALUE_CHARS) -> dict[str, str]:
    """Headers as evidence may show them: printable, each value at most `limit` characters."""
    return {
        printable(name)[:limit]: printable(value)[:limit] + TRUNCATED_MARK
        if len(value) > limit
        else printable(value)
        for name, value in headers.items()
    }


class NotJson(ValueError):
    """The body is not JSON (or nested too deep to read); `detail` says why, briefly."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


class TruncatedBody(ValueError):
    """The body was cut at the client's size cap: what needs all of it cannot be judged.

    A ValueError, so that code reading "JSON or not" treats it as not readable; checks that
    judge the body catch it first and say the response was not judged, and why.
    """

    def __init__(self, exchange: Exchange) -> None:
        self.reason = (
            f"the response body is longer than the {len(exchange.body)} bytes read "
            "(max_response_bytes); it was cut, so it was not judged"
        )
        super().__init__(f"{exchange.request.method} {exchange.request.url}: {self.reason}")


@dataclass(frozen=True)
class RecordedRequest:
    """A request as it may be shown: redacted."""

    method: str
    url: str
    headers: Mapping[str, str]
    body_excerpt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
        }
        if self.body_excerpt is not None:
            shown["body_excerpt"] = self.body_excerpt
        return shown


@dataclass(frozen=True)
class RecordedResponse:
    """A response as it may be shown: redacted, body cut to an excerpt."""

    status: int
    headers: Mapping[str, str]
    body_excerpt: str
    elapsed_s: float
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": dict(self.headers),
            "body_excerpt": self.body_excerpt,
            "elapsed_s": round(self.elapsed_s, 3),
        }


@dataclass(frozen=True)
class RawResponse:
    """The unredacted response, kept in memory for the check only."""

    status: int
    headers: CaseInsensitiveDict[str]
    body: bytes
    elapsed_s: float
    truncated: bool
    url: str


@dataclass(frozen=True)
class Exchange:
    """One request and its response: redacted evidence plus the raw response.

    When the target did not answer, ``response`` and ``raw`` are None and ``error`` says why.
    """

    request: RecordedRequest
    response: RecordedResponse | None
    reproduce: str
    error: str | None = None
    raw: RawResponse | None = field(default=None, repr=False, compare=False)

    # -- evidence --------------------------------------------------------------------------

    def to_evidence(self) -> dict[str, Any]:
        """The DESIGN.md §6 evidence item: request, response (or error) and a curl line."""
        evidence: dict[str, Any] = {"request": self.request.to_dict()}
        if self.response is not None:
            evidence["response"] = self.response.to_dict()
        if self.error is not None:
            evidence["error"] = self.error
        evidence["reproduce"] = self.reproduce
        return evidence

    def detached(self) -> Exchange:
        """This exchange without the raw response (what a journal keeps)."""
        return replace(self, raw=None)

    # -- the raw response, for the check ---------------------------------------------------

    def _raw(self) -> RawResponse:
        if self.raw is None:
            what = self.error or "the raw response is not kept for journaled exchanges"
            raise RuntimeError(f"{self.request.method} {self.request.url}: no response ({what})")
        return self.raw

    @property
    def status(self) -> int:
        return self._raw().status

    @property
    def headers(self) -> CaseInsensitiveDict[str]:
        """Response headers, case-insensitive."""
        return self._raw().headers

    @property
    def body(self) -> bytes:
        """The response body, at most the client's `max_response_bytes`."""
        return self._raw().body

    @property
    def elapsed_s(self) -> float:
        return self._raw().elapsed_s

    @property
    def truncated(self) -> bool:
        """Whether the body was cut at the client's `max_response_bytes`."""
        return self._raw().truncated

    @property
    def url(self) -> str:
        """The URL of the response (after redirects, when they were followed); unredacted."""
        return self._raw().url

    @property
    def encoding(self) -> str:
        return charset(self.headers.get("Content-Type"))

    @property
    def text(self) -> str:
        """The body decoded with its declared charset (UTF-8 by default)."""
        return self.body.decode(self.encoding, errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; a clear ValueError when it is not JSON (nested more than
        :data:`MAX_JSON_DEPTH` deep counts as not JSON), :class:`TruncatedBody` (a
        ValueError too) when the body was cut at the size cap."""
        raw = self._raw()
        if raw.truncated:
            raise TruncatedBody(self)
        try:
            return load_json(raw.body)
        except ValueError as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            content_type = printable(raw.headers.get("Content-Type", "none"))[:100]
            raise NotJson(
                f"{self.request.method} {self.request.url}: the response body is not JSON "
                f"(status {raw.status}, Content-Type {content_type}): {detail}",
                detail,
            ) from None


def curl_command(
    request: RecordedRequest,
    *,
    body: str | None = None,
    body_complete: bool = True,
    client_cert: tuple[str, str] | None = None,
    verify: bool | str = True,
    allow_redirects: bool = False,
    timeout_s: float | None = None,
) -> str:
    """A shell line that repeats a (redacted) request with curl.

    Secrets show as their placeholders, e.g. ``-H 'Authorization: Bearer ${API_TOKEN}'``.
    `body` is the redacted request body; when it is incomplete the line says so.
    """
    args = ["curl", "-sS"]
    if request.method == "HEAD":
        args.append("-I")
    else:
        args += ["-i", "-X", request.method]
    if verify is False:
        args.append("-k")
    elif isinstance(verify, str):
        args += ["--cacert", verify]
    if client_cert is not None:
        args += ["--cert", client_cert[0], "--key", client_cert[1]]
    if allow_redirects:
        args.append("-L")
    if timeout_s is not None:
        args += ["--max-time", f"{timeout_s:g}"]
    for name, value in request.headers.items():
        if name.lower() == "accept-encoding":
            args.append("--compressed")
        elif name.lower() not in _CURL_SKIPS:
            args += ["-H", f"{name}: {value}"]
    note = ""
    if body is not None and body_complete:
        # curl reads a file for a value starting with @; --data-raw does not.
        args += ["--data-raw" if body.startswith("@") else "--data-binary", body]
    elif body is not None:
        args += ["--data-binary", "@request-body"]
        note = "  # the request body is too long to show here"
    if any(c in request.url for c in "[]{}"):
        args.append("-g")  # no URL globbing: placeholders contain braces
    args.append(request.url)
    return " ".join(shlex.quote(arg) for arg in args) + note
