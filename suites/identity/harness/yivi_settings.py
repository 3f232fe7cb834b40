"""The ``[yivi]`` table of target.toml for ``yivi-requestor``: how cgconform authenticates as a
requestor at the irma server (``urls.yivi``), what its session requests ask for, and what the
target says about reaching the ending statuses (TIMEOUT, DONE).

docs/identity-notes.md, "Yivi requestor", has the table with every key; in short::

    [urls]
    yivi = "http://127.0.0.1:8088"              # the irma server (its /session endpoints)

    [yivi]
    requestor_token = "env:YIVI_TOKEN"          # token requestor authentication, or:
    requestor = "cgconform"                     # JWT requestor authentication: the name (iss)
    requestor_key = "file:keys/requestor.pem"   #   with an RS256 private key, or
    requestor_hmac_key = "env:YIVI_HMAC"        #   an HS256 key (base64, as the server has it)
    disclose = ["irma-demo.MijnOverheid.root.BSN"]
    session_timeout = 5                         # TIMEOUT: a session with this client timeout
    completion_hook = "http://127.0.0.1:8088/test-wallet/complete"   # DONE: a test wallet
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from cgconform.model.target import ConfigError, SecretRef, Target, secret_ref

TABLE = "yivi"
URL_NAME = "yivi"
DEFAULT_DISCLOSE = ("irma-demo.MijnOverheid.root.BSN",)
DEFAULT_MESSAGE = "cgconform: conformance test of the requestor API; nothing is agreed to here"
DEFAULT_TIMEOUT_GRACE_S = 30.0
DEFAULT_STATUSEVENTS_WAIT_S = 5.0
_KEYS = {
    "requestor_token",
    "requestor",
    "requestor_key",
    "requestor_hmac_key",
    "disclose",
    "message",
    "issue",
    "session_timeout",
    "timeout_grace",
    "completion_hook",
    "jwt_issuer",
    "statusevents_wait",
}
# An attribute type identifier: scheme.issuer.credential.attribute
# (e.g. pbdf.gemeente.personalData.bsn)
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){3}$")
_CREDENTIAL = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){2}$")

# A condiscon: a conjunction of disjunctions of conjunctions of attribute requests.
Condiscon = list[list[list[Any]]]


@dataclass(frozen=True)
class YiviSettings:
    base: str
    token: SecretRef | None = None
    requestor: str | None = None
    jwt_key: RSAKey | None = None
    hmac_key: bytes | None = None
    disclose: Condiscon = field(default_factory=lambda: [[[a]] for a in DEFAULT_DISCLOSE])
    message: str = DEFAULT_MESSAGE
    issue: tuple[Mapping[str, Any], ...] = ()  # credential requests of an issuance request
    session_timeout_s: int | None = None
    timeout_grace_s: float = DEFAULT_TIMEOUT_GRACE_S
    completion_hook: str | None = None
    jwt_issuer: str | None = None
    statusevents_wait_s: float = DEFAULT_STATUSEVENTS_WAIT_S

    @property
    def jwt_auth(self) -> bool:
        return self.requestor is not None and (
            self.jwt_key is not None or self.hmac_key is not None
        )

    @property
    def jwt_algorithm(self) -> str:
        return "RS256" if self.jwt_key is not None else "HS256"


def _where(key: str) -> str:
    return f"[{TABLE}] {key}"


def _ref(table: Mapping[str, Any], key: str, target: Target) -> SecretRef | None:
    value = table.get(key)
    return None if value is None else secret_ref(value, _where(key), target.base_dir)


def _seconds(table: Mapping[str, Any], key: str, default: float | None, low: float) -> float | None:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
        raise ConfigError(f"{_where(key)}: a number of seconds of at least {low:g}, got {value!r}")
    return float(value)


def _condiscon(value: Any) -> Condiscon:
    """`["a.b.c.d", ...]` (each its own outer conjunction) or a full condiscon."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = [[[v]] for v in value]
    ok = (
        isinstance(value, list)
        and value
        and all(
            isinstance(dis, list)
            and dis
            and all(isinstance(con, list) and all(_is_attribute(a) for a in con) for con in dis)
            for dis in value
        )
    )
    if not ok:
        raise ConfigError(
            f"{_where('disclose')}: attribute type identifiers (scheme.issuer.credential."
            'attribute), e.g. ["irma-demo.MijnOverheid.root.BSN"], or a condiscon '
            '[[["a.b.c.d"], ["e.f.g.h"]]] as in a disclosure request'
        )
    return value  # type: ignore[no-any-return]


def _is_attribute(item: Any) -> bool:
    if isinstance(item, str):
        return bool(_ATTRIBUTE.match(item))
    return isinstance(item, Mapping) and bool(_ATTRIBUTE.match(str(item.get("type", ""))))


def _issue(value: Any) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    for item in items:
        ok = (
            isinstance(item, Mapping)
            and _CREDENTIAL.match(str(item.get("credential", "")))
            and isinstance(item.get("attributes"), Mapping)
            and all(isinstance(v, str) for v in item["attributes"].values())
            and set(item) <= {"credential", "attributes", "validity"}
        )
        if not ok:
            raise ConfigError(
                f"{_where('issue')}: credential requests as in an issuance request, e.g. "
                '{ credential = "irma-demo.MijnOverheid.ageLower", attributes = { over18 = '
                '"yes" } }'
            )
    return tuple(dict(i) for i in items)


def _hmac_key(ref: SecretRef) -> bytes:
    text = ref.resolve().strip()
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(
            f"{_where('requestor_hmac_key')}: the key as the irma server's requestors "
            "configuration has it: base64"
        ) from None
    if len(key) < 32:
        raise ConfigError(f"{_where('requestor_hmac_key')}: {len(key)} bytes; HS256 needs 32")
    return key


def _rsa_key(ref: SecretRef) -> RSAKey:
    try:
        key = RSAKey.import_key(ref.resolve())
    except (JoseError, ValueError, TypeError):
        raise ConfigError(
            f"{_where('requestor_key')}: not an unencrypted RSA private key (PEM); the irma "
            "server verifies RS256 requestor JWTs with its public key"
        ) from None
    if not key.is_private:
        raise ConfigError(f"{_where('requestor_key')}: a public key; the private key signs")
    return key


def _url(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise ConfigError(f"{_where(key)}: an http(s) URL, got {value!r}")
    return value


def load_yivi_settings(target: Target) -> YiviSettings:
    """The validated [yivi] table and urls.yivi; ConfigError says what to fix."""
    base = target.urls.get(URL_NAME)
    if base is None or urlsplit(base).scheme not in ("http", "https"):
        raise ConfigError(
            "the yivi-requestor profile needs the irma server's URL: [urls] yivi = "
            '"https://irma.example.nl" (where its /session endpoints are)'
        )
    table = target.suite_settings.get(TABLE, {})
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"[{TABLE}]: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))})"
        )
    token = _ref(table, "requestor_token", target)
    key_ref = _ref(table, "requestor_key", target)
    hmac_ref = _ref(table, "requestor_hmac_key", target)
    requestor = table.get("requestor")
    if requestor is not None and (not isinstance(requestor, str) or not requestor):
        raise ConfigError(f"{_where('requestor')}: the requestor's name, a non-empty string")
    if key_ref is not None and hmac_ref is not None:
        raise ConfigError(f"[{TABLE}]: give requestor_key (RS256) or requestor_hmac_key, not both")
    if (key_ref or hmac_ref) and requestor is None:
        raise ConfigError(
            f"{_where('requestor')}: missing; a requestor JWT names its requestor in iss"
        )
    if requestor is not None and not (key_ref or hmac_ref):
        raise ConfigError(
            f"[{TABLE}]: requestor {requestor!r} needs requestor_key or requestor_hmac_key"
        )
    authenticates = bool(target.statement.get("requestor_authentication", True))
    if authenticates and token is None and requestor is None:
        raise ConfigError(
            f"[{TABLE}]: how does cgconform authenticate as a requestor? Give requestor_token "
            '= "env:NAME" (token authentication) or requestor with requestor_key / '
            "requestor_hmac_key (JWT); for an irma server that runs with no_auth, state "
            "[statement] requestor_authentication = false"
        )
    message = table.get("message", DEFAULT_MESSAGE)
    if not isinstance(message, str) or not message:
        raise ConfigError(f"{_where('message')}: the message to sign, a non-empty string")
    wait = _seconds(table, "statusevents_wait", DEFAULT_STATUSEVENTS_WAIT_S, 1)
    grace = _seconds(table, "timeout_grace", DEFAULT_TIMEOUT_GRACE_S, 0)
    timeout = _seconds(table, "session_timeout", None, 1)
    jwt_issuer = table.get("jwt_issuer")
    if jwt_issuer is not None and not isinstance(jwt_issuer, str):
        raise ConfigError(f"{_where('jwt_issuer')}: the irma server's JWT issuer name")
    return YiviSettings(
        base=base.rstrip("/"),
        token=token,
        requestor=requestor,
        jwt_key=_rsa_key(key_ref) if key_ref is not None else None,
        hmac_key=_hmac_key(hmac_ref) if hmac_ref is not None else None,
        disclose=_condiscon(table.get("disclose", list(DEFAULT_DISCLOSE))),
        message=message,
        issue=_issue(table.get("issue")),
        session_timeout_s=int(timeout) if timeout is not None else None,
        timeout_grace_s=grace if grace is not None else DEFAULT_TIMEOUT_GRACE_S,
        completion_hook=_url(table.get("completion_hook"), "completion_hook"),
        jwt_issuer=jwt_issuer,
        statusevents_wait_s=wait if wait is not None else DEFAULT_STATUSEVENTS_WAIT_S,
    )


def attribute_ids(condiscon: Sequence[Sequence[Sequence[Any]]]) -> list[str]:
    """Every attribute type a condiscon names, in order."""
    found: list[str] = []
    for dis in condiscon:
        for con in dis:
            for item in con:
                found.append(item if isinstance(item, str) else str(item.get("type")))
    return found
