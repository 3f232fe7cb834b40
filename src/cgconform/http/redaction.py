"""Keep secrets and personal data out of evidence (DESIGN.md §6).

A :class:`Redactor` knows the run's secret values (resolved credentials, tokens a check
obtained) and the placeholder each one is shown as, e.g. ``${API_TOKEN}``. It masks:

- every known secret, also in its percent-encoded and JSON-escaped forms;
- values of sensitive headers (``Authorization``, ``Cookie``, API keys, ...);
- values of query parameters and JSON-ish members whose names look secret (``token=...``,
  ``"client_secret": "..."``);
- PEM private key blocks (also when the end marker was cut off);
- 9-digit numbers that pass the BSN eleven-test (burgerservicenummer: personal data).

Everything here errs on the side of masking too much: evidence is for people to read, the
check itself works on the raw response.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit, urlunsplit

MASK = "[REDACTED]"
"""What a masked secret value without a known placeholder is shown as."""

BSN_MASK = "*********"
"""What a BSN-shaped number is shown as."""

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "fsc-authorization",
    }
)
"""Header names (lower case) whose values are always masked."""

SECRET_NAMES = (
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "subject_token",
    "api_key",
    "apikey",
    "key",
    "private_key",
    "secret",
    "client_secret",
    "client_assertion",
    "password",
    "passwd",
    "code",
)
"""Parameter / member names whose values are masked (`_` also matches `-`, any case)."""

# Authorization schemes that may stay visible in front of a masked credential.
_AUTH_SCHEMES = frozenset(
    {"basic", "bearer", "digest", "dpop", "negotiate", "ntlm", "hoba", "mutual", "gnap"}
)

_NAMES_RE = "|".join(
    re.escape(name).replace("_", "[-_]") for name in sorted(SECRET_NAMES, key=len, reverse=True)
)
# `token=value` in query strings, form bodies, cookies and free text.
_QUERY_PAIR = re.compile(
    rf"(?<![\w.-])(?P<name>{_NAMES_RE})=(?P<value>[^&#\s\"'<>\\]*)", re.IGNORECASE
)
# `"token": "value"` (or a number) in JSON and JSON-like text.
_JSON_PAIR = re.compile(
    rf"(?<![\w-])(?P<q>[\"']?)(?P<name>{_NAMES_RE})(?P=q)(?P<sep>\s*:\s*)"
    r"(?P<value>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|-?\d[\d.eE+-]*)",
    re.IGNORECASE,
)
_PEM_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
# Nine digits not part of a longer number; after a percent-escape such as `%20` too.
_NINE_DIGITS = re.compile(r"(?:(?<!\d)|(?<=%[0-9A-Fa-f]\d))\d{9}(?!\d)")
_PERCENT_ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")
_TRAILING_PARTIAL = re.compile(r"(?:\d+|%[0-9A-Fa-f]?)$")
_SECRET_NAME = re.compile(rf"(?:{_NAMES_RE})", re.IGNORECASE)
# Characters left readable when a redacted URL component is percent-encoded again.
_URL_SAFE = "${}[]*!'()~:@,;=+-._"


def _masked_pem(m: re.Match[str]) -> str:
    kind = m["kind"]
    return f"-----BEGIN {kind}PRIVATE KEY-----{MASK}-----END {kind}PRIVATE KEY-----"


def is_bsn(s: str) -> bool:
    """Whether `s` is nine digits passing the BSN eleven-test (and not all zeros).

    The test: ``sum(d[i] * (9 - i) for i in 0..7) - d[8]`` is divisible by 11.
    """
    if len(s) != 9 or not s.isdecimal() or set(s) == {"0"}:
        return False
    digits = [int(c) for c in s]
    total = sum(d * (9 - i) for i, d in enumerate(digits[:8])) - digits[8]
    return total % 11 == 0


# An error code constant (`"code": "ERROR_CODE_ACCESS_TOKEN_MISSING"`, FSC and others) is not
# a credential: OAuth authorization codes are random strings, never SHOUTING_SNAKE_CASE.
_ERROR_CODE_VALUE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


def _is_error_code(name: str, value: str) -> bool:
    return name.lower() == "code" and _ERROR_CODE_VALUE.match(value) is not None


def looks_secret(name: str) -> bool:
    """Whether a parameter or member name (``token``, ``client-secret``, ...) looks secret."""
    return _SECRET_NAME.fullmatch(name.strip()) is not None


def secret_forms(secret: str) -> set[str]:
    """The forms a secret value may take on the wire or in an echoed body.

    The value itself, percent-encoded (as `requests` and browsers encode it in paths, query
    strings and form bodies) and JSON-escaped.
    """
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret, safe=""),
        quote(secret, safe="!#$%&'()*+,/:;=?@[]~"),  # what requests does to a raw URL
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    return {form for form in forms if form}


def _form_pattern(form: str) -> str:
    """A regex for one form; the hex digits of percent-escapes match in either case."""
    parts = _PERCENT_ESCAPE.split(form)
    return "".join(
        f"%(?i:{part[1:]})" if _PERCENT_ESCAPE.fullmatch(part) else re.escape(part)
        for part in parts
    )


class _SecretTable:
    """An immutable compiled lookup of secret forms -> placeholder."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self.secrets = dict(secrets)
        by_form: dict[str, str] = {}
        # Shorter secrets first, so a longer secret's placeholder wins for a shared form.
        for secret, placeholder in sorted(self.secrets.items(), key=lambda kv: len(kv[0])):
            for form in secret_forms(secret):
                by_form[form] = placeholder
        self.forms = sorted(by_form, key=len, reverse=True)
        self.placeholders = [by_form[form] for form in self.forms]
        self.pattern: re.Pattern[str] | None = None
        if self.forms:
            self.pattern = re.compile(
                "|".join(f"(?P<s{i}>{_form_pattern(form)})" for i, form in enumerate(self.forms))
            )
        # Forms as they may appear at the end of a cut text (hex escapes in either case).
        lower_hex = {_PERCENT_ESCAPE.sub(lambda m: m[0].lower(), f) for f in self.forms}
        self.tail_forms = sorted(set(self.forms) | lower_hex, key=len, reverse=True)

    def replace(self, s: str) -> str:
        if self.pattern is None:
            return s
        placeholders = self.placeholders
        return self.pattern.sub(lambda m: placeholders[int((m.lastgroup or "s0")[1:])], s)


class Redactor:
    """Masks the run's secrets and personal data in text, headers, URLs and JSON values.

    `secrets` maps each secret value to the placeholder it is shown as, e.g.
    ``{"s3cr3t-token": "${API_TOKEN}"}``. `sensitive_headers` adds header names whose values
    are always masked. Thread-safe: :meth:`add_secret` may be called while others redact.
    """

    def __init__(
        self,
        secrets: Mapping[str, str] | None = None,
        *,
        sensitive_headers: Iterable[str] = (),
    ) -> None:
        self._lock = threading.Lock()
        self._table = _SecretTable(self._checked(secrets or {}))
        self.sensitive_headers = SENSITIVE_HEADERS | {h.lower() for h in sensitive_headers}

    @staticmethod
    def _checked(secrets: Mapping[str, str]) -> dict[str, str]:
        table: dict[str, str] = {}
        for secret, placeholder in secrets.items():
            if not secret:
                continue
            # A placeholder must not reveal its own secret.
            table[secret] = placeholder if secret not in placeholder else MASK
        return table

    def add_secret(self, secret: str, placeholder: str = MASK) -> None:
        """Register a secret learnt during the run (e.g. an access token a check obtained)."""
        with self._lock:
            secrets = dict(self._table.secrets)
            secrets.update(self._checked({secret: placeholder}))
            self._table = _SecretTable(secrets)

    @property
    def placeholders(self) -> frozenset[str]:
        """Every text a masked value may be shown as."""
        return frozenset(self._table.secrets.values()) | {MASK, BSN_MASK}

    def contains_secret(self, s: str) -> bool:
        """Whether `s` holds one of the known secrets (in any of its forms)."""
        pattern = self._table.pattern
        return pattern is not None and pattern.search(s) is not None

    def is_sensitive_header(self, name: str) -> bool:
        return name.strip().lower() in self.sensitive_headers

    # -- text ------------------------------------------------------------------------------

    def text(self, s: str, *, cut: bool = False) -> str:
        """`s` with every secret, private key, secret-named value and BSN masked.

        Pass ``cut=True`` when `s` was cut off from a longer text: a secret or number split
        by the cut cannot be recognised, so a trailing piece that may belong to one is dropped.
        """
        table = self._table
        if cut:
            s = self._trim_partial_tail(s, table)
        s = table.replace(s)
        s = _PEM_PRIVATE_KEY.sub(_masked_pem, s)
        keep = self.placeholders
        s = _QUERY_PAIR.sub(lambda m: self._masked_pair(m, "=", m["value"], keep), s)
        s = _JSON_PAIR.sub(lambda m: self._masked_json_pair(m, keep), s)
        return _NINE_DIGITS.sub(lambda m: BSN_MASK if is_bsn(m[0]) else m[0], s)

    @staticmethod
    def _masked_pair(m: re.Match[str], sep: str, value: str, keep: frozenset[str]) -> str:
        if not value or value in keep or _is_error_code(m["name"], value):
            return m[0]
        return f"{m['name']}{sep}{MASK}"

    @staticmethod
    def _masked_json_pair(m: re.Match[str], keep: frozenset[str]) -> str:
        value = m["value"]
        quote_char = value[0] if value[0] in "\"'" else ""
        inner = value[1:-1] if quote_char else value
        if not inner or inner in keep or _is_error_code(m["name"], inner):
            return m[0]
        return f"{m['q']}{m['name']}{m['q']}{m['sep']}{quote_char}{MASK}{quote_char}"

    @staticmethod
    def _trim_partial_tail(s: str, table: _SecretTable) -> str:
        """Drop a trailing piece of `s` that may be the start of a secret or a BSN."""
        for _ in range(8):
            before = s
            longest = 0
            for form in table.tail_forms:
                for k in range(min(len(form) - 1, len(s)), longest, -1):
                    if s.endswith(form[:k]):
                        longest = k
                        break
            if longest:
                s = s[:-longest]
            s = _TRAILING_PARTIAL.sub("", s)
            if s == before:
                break
        return s

    # -- headers ---------------------------------------------------------------------------

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Headers as they may be shown: sensitive values masked, the others redacted."""
        shown: dict[str, str] = {}
        for name, value in headers.items():
            if self.is_sensitive_header(name):
                shown[self.text(name)] = self._sensitive_value(value)
            else:
                shown[self.text(name)] = self.text(value)
        return shown

    def _sensitive_value(self, value: str) -> str:
        """A sensitive header value: known secrets as placeholders, anything else masked.

        ``Bearer s3cr3t`` becomes ``Bearer ${API_TOKEN}`` when the token is a known secret,
        otherwise ``Bearer [REDACTED]``.
        """
        redacted = self.text(value)
        rest = redacted
        for placeholder in sorted(self.placeholders - {MASK, BSN_MASK}, key=len, reverse=True):
            rest = rest.replace(placeholder, "")
        scheme, _, _ = value.strip().partition(" ")
        only_scheme_left = rest.strip() == "" or (
            scheme.lower() in _AUTH_SCHEMES and rest.strip() == scheme
        )
        if redacted != value and only_scheme_left:
            return redacted
        if scheme.lower() in _AUTH_SCHEMES and value.strip() != scheme:
            return f"{scheme} {MASK}"
        return MASK if value else value

    # -- URLs ------------------------------------------------------------------------------

    def url(self, u: str) -> str:
        """A URL with secrets and BSNs masked, also where they were percent-encoded.

        Query values of secret-looking parameters and the password of the user info are
        masked; placeholders stay readable (e.g. ``?apikey=${API_KEY}``).
        """
        try:
            parts = urlsplit(u)
        except ValueError:
            return self.text(u)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user, has_password, _ = userinfo.partition(":")
            netloc = f"{user}:{MASK}@{host}" if has_password else f"{userinfo}@{host}"
        path = "/".join(self._component(seg, plus=False) for seg in parts.path.split("/"))
        query = "&".join(self._query_pair(pair) for pair in parts.query.split("&"))
        fragment = self._component(parts.fragment, plus=False)
        rebuilt = urlunsplit((parts.scheme, netloc, path, query, fragment))
        return self.text(rebuilt)

    def _component(self, component: str, *, plus: bool) -> str:
        decoded = unquote_plus(component) if plus else unquote(component)
        redacted = self.text(decoded)
        if redacted == decoded:
            return component
        return quote(redacted, safe=_URL_SAFE)

    def _query_pair(self, pair: str) -> str:
        name, has_value, value = pair.partition("=")
        if not has_value:
            return self._component(pair, plus=True)
        shown_name = self._component(name, plus=True)
        decoded = unquote_plus(value)
        if looks_secret(unquote_plus(name)) and decoded and decoded not in self.placeholders:
            redacted = self.text(decoded)
            return f"{shown_name}={redacted if redacted in self.placeholders else MASK}"
        return f"{shown_name}={self._component(value, plus=True)}"

    # -- JSON values -----------------------------------------------------------------------

    def value(self, obj: Any) -> Any:
        """A JSON-able structure with secrets masked: strings redacted, values of secret-named
        keys masked, BSN-shaped integers replaced by ``*********``."""
        if isinstance(obj, Mapping):
            shown: dict[Any, Any] = {}
            for key, item in obj.items():
                shown_key = self.text(key) if isinstance(key, str) else key
                if (
                    isinstance(key, str)
                    and looks_secret(key)
                    and item is not None
                    and not (isinstance(item, str) and _is_error_code(key, item))
                ):
                    redacted = self.text(item) if isinstance(item, str) else None
                    shown[shown_key] = redacted if redacted in self.placeholders else MASK
                else:
                    shown[shown_key] = self.value(item)
            return shown
        if isinstance(obj, list | tuple):
            return [self.value(item) for item in obj]
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, int) and not isinstance(obj, bool) and is_bsn(str(obj)):
            return BSN_MASK
        return obj
