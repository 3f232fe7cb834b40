"""A run's exchanges on file (`--record`), and answers from that file (`cgconform replay`).

The file is YAML, one document shaped like a VCR.py / schemathesis cassette: a few keys about
the run, then an ``interactions`` list in the order the requests were sent::

    cassette_version: 1
    recorded_with: cgconform 0.1.0
    recorded_at: '2026-11-20T10:00:00Z'
    run: {...}                      # what the run layer adds: seed, profiles, target, ...
    interactions:
    - id: 1
      check: suites/api/runtime/headers.py::...   # the check that sent it (null: none)
      request:
        method: GET
        uri: http://127.0.0.1:8000/v1/items?page=2
        headers: {User-Agent: [cgconform/0.1.0], X-Api-Key: ['${API_KEY}']}
        body: null | {encoding: utf-8, string: '...'} | {base64_string: '...'}
      response:                     # or `error: "..."` (and `timeout: true`): no response
        status: {code: 200, message: OK}
        headers: {Content-Type: [application/json]}
        body: {encoding: utf-8, string: '...'}
        truncated: true             # only when the body was cut at the size cap
      elapsed: 0.012

Kept per exchange: method, URL, request headers and body, status, response headers, the
body as read (decoded from its Content-Encoding, at most the size cap; text in its declared
charset, or base64 when it is not text), whether it was cut, the time it took, and the
error when there was no response. Everything is redacted as evidence is
(:mod:`cgconform.http.redaction`): credentials are placeholders such as ``${API_KEY}``,
sensitive headers and secret-named values are masked, BSN-shaped numbers are ``*********``;
whole bodies are kept, not excerpts. Not kept: TLS details (certificates, versions), the
HTTP version, connection reuse.

:class:`Player` answers a request from a loaded cassette by method, URL and body, in the
order they were recorded; masked values (header values, placeholders) are not compared.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any

import yaml

from cgconform import __version__
from cgconform.http.redaction import BSN_MASK, MASK, Redactor

__all__ = [
    "CASSETTE_VERSION",
    "Cassette",
    "CassetteError",
    "CassetteWriter",
    "Interaction",
    "Player",
    "body_field",
    "body_from_field",
]

CASSETTE_VERSION = 1

# A placeholder of a credential given by reference: ${NAME} or <contents of PATH>.
_PLACEHOLDER = re.compile(r"\$\{[^}\s]*\}|<contents of [^>]*>")
# Request headers that say nothing about what was asked (they differ between versions).
_VOLATILE = frozenset({"user-agent", "content-length", "connection", "accept-encoding"})


class CassetteError(ValueError):
    """A cassette that cannot be read: the message is one line."""


# -- bodies ----------------------------------------------------------------------------------


def body_field(
    data: bytes | str | None, encoding: str, redactor: Redactor
) -> dict[str, str] | None:
    """A body as a cassette keeps it: redacted text in its charset, else redacted base64.

    A JSON body stays JSON: when masking would break it (a secret-named number), its parsed
    value is redacted and written again instead.
    """
    if data is None:
        return None
    raw = data.encode(encoding, errors="replace") if isinstance(data, str) else data
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        shown = redactor.text(raw.decode("latin-1")).encode("latin-1", errors="replace")
        return {"base64_string": base64.b64encode(shown).decode("ascii")}
    redacted = redactor.text(text)
    if redacted != text:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        else:
            try:
                json.loads(redacted)
            except ValueError:
                redacted = json.dumps(redactor.value(parsed), ensure_ascii=False)
    return {"encoding": encoding, "string": redacted}


def body_from_field(body: Any) -> bytes:
    """The bytes of a cassette body (empty for none)."""
    if not isinstance(body, Mapping):
        return b""
    if "base64_string" in body:
        return base64.b64decode(str(body["base64_string"]))
    text = str(body.get("string") or "")
    encoding = str(body.get("encoding") or "utf-8")
    try:
        return text.encode(encoding, errors="replace")
    except LookupError:
        return text.encode("utf-8")


def _headers_field(headers: Mapping[str, str]) -> dict[str, list[str]]:
    return {name: [value] for name, value in headers.items()}


def _masked(text: str, placeholders: frozenset[str] = frozenset()) -> str:
    """`text` with every masked value (placeholder, mask) as `*`: what matching compares."""
    for placeholder in sorted(placeholders | {MASK, BSN_MASK}, key=len, reverse=True):
        text = text.replace(placeholder, "*")
    return _PLACEHOLDER.sub("*", text)


# -- writing ---------------------------------------------------------------------------------


class CassetteWriter:
    """Appends each exchange to a cassette file as it happens (thread-safe), so that a run cut
    short still leaves every exchange it made on file."""

    def __init__(self, path: Path, run: Mapping[str, Any]) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._count = 0
        head = {
            "cassette_version": CASSETTE_VERSION,
            "recorded_with": f"cgconform {__version__}",
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "run": dict(run),
        }
        try:
            self._file: IO[str] | None = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise CassetteError(f"cannot write cassette {path}: {exc.strerror or exc}") from None
        self._file.write(_dump(head) + "interactions:\n")
        self._file.flush()

    def add(
        self,
        *,
        check: str | None,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: dict[str, str] | None,
        status: int | None = None,
        response_headers: Mapping[str, str] | None = None,
        response_body: dict[str, str] | None = None,
        truncated: bool = False,
        elapsed_s: float | None = None,
        error: str | None = None,
        timeout: bool = False,
    ) -> None:
        """One exchange, already redacted; `status` None: no response, `error` says why."""
        with self._lock:
            if self._file is None:
                return
            self._count += 1
            item: dict[str, Any] = {
                "id": self._count,
                "check": check,
                "request": {
                    "method": method,
                    "uri": url,
                    "headers": _headers_field(request_headers),
                    "body": request_body,
                },
            }
            if status is not None:
                response: dict[str, Any] = {
                    "status": {"code": status, "message": _reason(status)},
                    "headers": _headers_field(response_headers or {}),
                    "body": response_body,
                }
                if truncated:
                    response["truncated"] = True
                item["response"] = response
            if error is not None:
                item["error"] = error
                if timeout:
                    item["timeout"] = True
            if elapsed_s is not None:
                item["elapsed"] = round(elapsed_s, 3)
            self._file.write(_dump([item]))
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _literal_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Multi-line text as a literal block, so a body reads (and diffs) line by line."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(str, _literal_str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    """One recorded exchange, as read back."""

    index: int
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int | None
    response_headers: list[tuple[str, str]]
    body: bytes
    truncated: bool
    elapsed_s: float
    error: str | None
    timeout: bool
    check: str | None = None  # the check that sent it


@dataclass(frozen=True)
class Cassette:
    path: Path
    run: Mapping[str, Any]
    recorded_with: str
    recorded_at: str
    interactions: list[Interaction]

    @classmethod
    def load(cls, path: Path) -> Cassette:
        """Read a cassette; a CassetteError says in one line what is wrong with it."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CassetteError(f"cassette not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CassetteError(f"cannot read cassette {path}: {exc}") from None
        try:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            where = getattr(exc, "problem_mark", None)
            line = f" (line {where.line + 1})" if where is not None else ""
            raise CassetteError(f"{path}: not a readable YAML cassette{line}") from None
        if not isinstance(data, Mapping) or "interactions" not in data:
            raise CassetteError(f"{path}: not a cassette (no `interactions` list)")
        items = data["interactions"] or []
        if not isinstance(items, list):
            raise CassetteError(f"{path}: `interactions` must be a list")
        interactions = [_interaction(path, i, item) for i, item in enumerate(items)]
        run = data.get("run")
        return cls(
            path=path,
            run=run if isinstance(run, Mapping) else {},
            recorded_with=str(data.get("recorded_with", "")),
            recorded_at=str(data.get("recorded_at", "")),
            interactions=interactions,
        )


def _joined(headers: Any) -> list[tuple[str, str]]:
    if not isinstance(headers, Mapping):
        return []
    pairs = []
    for name, values in headers.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((str(name), str(value)))
    return pairs


def _interaction(path: Path, index: int, item: Any) -> Interaction:
    where = f"{path}: interaction {index + 1}"
    if not isinstance(item, Mapping) or not isinstance(item.get("request"), Mapping):
        raise CassetteError(f"{where}: needs a `request` mapping")
    request = item["request"]
    if not request.get("method") or not request.get("uri"):
        raise CassetteError(f"{where}: the request needs `method` and `uri`")
    response = item.get("response")
    status: int | None = None
    if isinstance(response, Mapping):
        code = response.get("status")
        code = code.get("code") if isinstance(code, Mapping) else code
        try:
            status = int(str(code))
        except (TypeError, ValueError):
            raise CassetteError(f"{where}: the response status is not a number") from None
    elif item.get("error") is None:
        raise CassetteError(f"{where}: needs a `response` or an `error`")
    response = response if isinstance(response, Mapping) else {}
    return Interaction(
        index=index,
        method=str(request["method"]).upper(),
        url=str(request["uri"]),
        request_headers=dict(_joined(request.get("headers"))),
        request_body=body_from_field(request.get("body")),
        status=status,
        response_headers=_joined(response.get("headers")),
        body=body_from_field(response.get("body")),
        truncated=bool(response.get("truncated", False)),
        elapsed_s=float(item.get("elapsed") or 0.0),
        error=None if item.get("error") is None else str(item["error"]),
        timeout=bool(item.get("timeout", False)),
        check=None if item.get("check") is None else str(item["check"]),
    )


# -- answering -------------------------------------------------------------------------------


class Player:
    """Answers requests from a cassette, never from the network.

    A request matches an interaction with the same method, URL and body, masked values
    ignored; of several, the first not yet used, preferring one whose plain request headers
    and credential headers agree (the same URL asked with and without credentials). Each
    interaction answers once: a request the cassette has no unused answer for gets None.
    """

    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette
        self._lock = threading.Lock()
        self._used: set[int] = set()
        self._by_key: dict[tuple[str, str, bytes], list[Interaction]] = {}
        for interaction in cassette.interactions:
            key = self._key(interaction.method, interaction.url, interaction.request_body)
            self._by_key.setdefault(key, []).append(interaction)

    @staticmethod
    def _key(method: str, url: str, body: bytes) -> tuple[str, str, bytes]:
        shown = _masked(body.decode("latin-1")).encode("latin-1", errors="replace")
        return method.upper(), _masked(url), shown

    def answer(
        self,
        method: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        redactor: Redactor,
        check: str | None = None,
    ) -> Interaction | None:
        """The recorded answer to a (redacted) request, or None when there is none left. Of
        identical requests, the one the same check sent comes first: a resource read at the
        start and again later answers as it did at that moment, whatever order checks run in."""
        key = self._key(method, url, body)
        wanted = _signature(headers, redactor)
        with self._lock:
            unused = [i for i in self._by_key.get(key, []) if i.index not in self._used]
            if not unused:
                return None
            same = [i for i in unused if _signature(i.request_headers, redactor) == wanted]
            chosen = next((i for i in same if i.check == check), same[0] if same else unused[0])
            self._used.add(chosen.index)
            return chosen

    def unused(self) -> int:
        """How many recorded exchanges were not asked for."""
        with self._lock:
            return len(self.cassette.interactions) - len(self._used)


def _signature(headers: Mapping[str, str], redactor: Redactor) -> frozenset[tuple[str, str]]:
    """What of a request's headers matching compares: credential headers by name only."""
    placeholders = redactor.placeholders
    return frozenset(
        (name.lower(), "*" if redactor.is_sensitive_header(name) else _masked(value, placeholders))
        for name, value in headers.items()
        if name.lower() not in _VOLATILE
    )
