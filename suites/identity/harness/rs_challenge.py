"""``WWW-Authenticate`` challenges (RFC 9110 §11.6.1, RFC 6750 §3), read as a resource server
wrote them: scheme, token68 or auth-params. Lenient: what cannot be parsed is kept as the raw
text of its challenge rather than dropped, so a finding can quote it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cgconform.http.evidence import Exchange

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]+=+")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Challenge:
    scheme: str
    params: dict[str, str] = field(default_factory=dict)
    token68: str | None = None

    @property
    def is_bearer(self) -> bool:
        return self.scheme.lower() == "bearer"

    @property
    def error(self) -> str | None:
        return self.params.get("error")


def _skip(value: str, pos: int, chars: str = " \t") -> int:
    while pos < len(value) and value[pos] in chars:
        pos += 1
    return pos


def parse_challenges(value: str) -> list[Challenge]:
    """Every challenge in a WWW-Authenticate value (several fields joined by commas)."""
    found: list[Challenge] = []
    pos, end = 0, len(value)
    while pos < end:
        pos = _skip(value, pos, " \t,")
        scheme = _TOKEN.match(value, pos)
        if scheme is None:
            break
        pos = _skip(value, scheme.end())
        params: dict[str, str] = {}
        token68: str | None = None
        t68 = _TOKEN68.match(value, pos)
        if t68 is not None:
            after = _skip(value, t68.end())
            if after >= end or value[after] == ",":
                token68, pos = t68.group(), after
        if token68 is None:
            pos = _read_params(value, pos, params)
        found.append(Challenge(scheme.group(), params, token68))
    return found


def _read_params(value: str, pos: int, params: dict[str, str]) -> int:
    """Read `name=value` pairs into `params`; where the next challenge starts."""
    end = len(value)
    while pos < end:
        start = pos
        pos = _skip(value, pos, " \t,")
        name = _TOKEN.match(value, pos)
        if name is None:
            return pos
        after_name = _skip(value, name.end())
        if after_name >= end or value[after_name] != "=":
            return start  # a new challenge starts here
        pos = _skip(value, after_name + 1)
        quoted = _QUOTED.match(value, pos)
        if quoted is not None:
            params[name.group().lower()] = _ESCAPE.sub(r"\1", quoted.group(1))
            pos = quoted.end()
        else:
            plain = _TOKEN.match(value, pos)
            params[name.group().lower()] = plain.group() if plain else ""
            pos = plain.end() if plain else pos
        pos = _skip(value, pos)
        if pos < end and value[pos] != ",":  # unexpected text: skip to the next comma
            comma = value.find(",", pos)
            pos = end if comma < 0 else comma
    return pos


def challenges_of(exchange: Exchange) -> list[Challenge]:
    value = exchange.headers.get("WWW-Authenticate")
    return parse_challenges(value) if value else []


def bearer_challenge(exchange: Exchange) -> Challenge | None:
    return next((c for c in challenges_of(exchange) if c.is_bearer), None)
