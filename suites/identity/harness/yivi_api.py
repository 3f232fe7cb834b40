"""cgconform as a requestor of an irma server: the calls of api-irma-server.md's requestor
endpoints (``POST /session`` with each kind of requestor authentication, status, statusevents,
``DELETE``, result, result-jwt, publickey), through the run's HTTP layer.

Requestor tokens of the sessions cgconform starts are registered as secrets: evidence shows
``/session/${yivi_session_1}/status``, never the token that would fetch a session's result.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from joserfc.jwk import OctKey, RSAKey

from cgconform.http.budget import CircuitBreaker
from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.http.redaction import Redactor
from cgconform.model.outcomes import Outcome
from cgconform.suites.identity.harness.rs_tokens import unsigned
from cgconform.suites.identity.harness.yivi_requests import (
    DISCLOSING,
    STATUSES,
    SessionType,
    signed_request,
    type_of,
)
from cgconform.suites.identity.harness.yivi_settings import YiviSettings
from cgconform.suites.identity.harness.yivi_sse import Stream, parse_events

# How cgconform authenticates a POST /session.
TOKEN, JWT, NONE = "token", "jwt", "none"
WRONG_TOKEN, JWT_OTHER_KEY, JWT_UNSIGNED = "wrong-token", "jwt-other-key", "jwt-unsigned"
AUTH_WORDS = {
    TOKEN: "with the requestor token in the Authorization header",
    JWT: "as a signed session request (JWT)",
    NONE: "without requestor authentication (no Authorization header, plain JSON)",
    WRONG_TOKEN: "with a wrong requestor token in the Authorization header",
    JWT_OTHER_KEY: "as a session request JWT signed by a key the server does not know",
    JWT_UNSIGNED: "as an unsigned session request JWT (alg none)",
}
TOKEN_CHARS = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Started:
    """The answer to a POST /session."""

    exchange: Exchange
    kind: SessionType
    auth: str

    @property
    def ok(self) -> bool:
        return 200 <= self.exchange.status < 300 and isinstance(self.package.get("token"), str)

    @property
    def package(self) -> dict[str, Any]:
        try:
            data = self.exchange.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @property
    def token(self) -> str:
        return str(self.package.get("token", ""))

    @property
    def line(self) -> str:
        return f"POST {self.exchange.request.url} → {self.exchange.status}"


@dataclass
class RequestorApi:
    http: HttpClient
    redactor: Redactor
    settings: YiviSettings
    started: list[str] = field(default_factory=list)  # requestor tokens of our sessions

    @property
    def base(self) -> str:
        return self.settings.base

    def default_auth(self) -> str:
        if self.settings.token is not None:
            return TOKEN
        return JWT if self.settings.jwt_auth else NONE

    def session_url(self, token: str, tail: str = "") -> str:
        return f"{self.base}/session/{token}{tail}"

    # -- POST /session ----------------------------------------------------------------------

    def start(self, request: dict[str, Any], auth: str | None = None) -> Started:
        """POST /session with `request` (plain or extended), authenticated as `auth`."""
        auth = auth or self.default_auth()
        try:
            kind = type_of(request)
        except ValueError:  # not a session request (sent on purpose, to be refused)
            kind = DISCLOSING
        if auth in (TOKEN, NONE, WRONG_TOKEN):
            headers: dict[str, str | None] = {"Content-Type": "application/json"}
            if auth == TOKEN and self.settings.token is not None:
                headers["Authorization"] = self.settings.token.resolve()
            elif auth == WRONG_TOKEN:
                headers["Authorization"] = "cgconform-" + secrets.token_urlsafe(18)
            exchange = self.http.request(
                "POST", f"{self.base}/session", headers=headers, json=request, authenticated=False
            )
        else:
            exchange = self.http.request(
                "POST",
                f"{self.base}/session",
                headers={"Content-Type": "text/plain"},
                data=self._jwt(kind, request, auth).encode("ascii"),
                authenticated=False,
            )
        started = Started(exchange, kind, auth)
        if started.ok:
            self._remember(started.token)
        return started

    def _jwt(self, kind: SessionType, request: dict[str, Any], auth: str) -> str:
        s = self.settings
        requestor = s.requestor or "cgconform"
        if auth == JWT_UNSIGNED:
            body = request if "request" in request else {"request": request}
            claims = {"iat": int(time.time()), "iss": requestor, "sub": kind.jwt_sub}
            return unsigned("unsigned", {"typ": "JWT"}, {**claims, kind.jwt_field: body}).value
        key: RSAKey | OctKey
        if auth == JWT_OTHER_KEY:
            if s.hmac_key is not None:
                key = OctKey.generate_key(256, private=True)
            else:
                key = RSAKey.generate_key(2048, private=True)
        elif s.jwt_key is not None:
            key = s.jwt_key
        elif s.hmac_key is not None:
            key = OctKey.import_key(s.hmac_key)
        else:
            raise ValueError("no requestor key: JWT authentication is not configured")
        return signed_request(
            kind, request, requestor=requestor, key=key, algorithm=s.jwt_algorithm
        )

    def _remember(self, token: str) -> None:
        if token and token not in self.started:
            self.started.append(token)
            self.redactor.add_secret(token, f"${{yivi_session_{len(self.started)}}}")

    # -- the session's endpoints ------------------------------------------------------------

    def status(self, token: str) -> Exchange:
        return self.http.get(self.session_url(token, "/status"), authenticated=False)

    def delete(self, token: str) -> Exchange:
        return self.http.delete(self.session_url(token), authenticated=False)

    def result(self, token: str) -> Exchange:
        return self.http.get(self.session_url(token, "/result"), authenticated=False)

    def result_jwt(self, token: str) -> Exchange:
        return self.http.get(self.session_url(token, "/result-jwt"), authenticated=False)

    def publickey(self) -> Exchange:
        return self.http.get(f"{self.base}/publickey", authenticated=False)

    def unknown_token(self, like: str | None = None) -> str:
        """A well-formed requestor token no session has (same length and alphabet as `like`,
        20 alphanumerics otherwise: what irmago's tokens are)."""
        length = len(like) if like and like.isalnum() else 20
        return "".join(secrets.choice(TOKEN_CHARS) for _ in range(length))

    def wait_for_status(
        self, token: str, wanted: tuple[str, ...], seconds: float, every: float = 0.5
    ) -> tuple[str | None, list[Exchange]]:
        """Poll the status until it is one of `wanted` or `seconds` passed: (last, exchanges)."""
        deadline = time.monotonic() + seconds
        seen: list[Exchange] = []
        while True:
            exchange = self.status(token)
            seen.append(exchange)
            value = status_value(exchange)
            if value in wanted or time.monotonic() >= deadline:
                return value, seen
            time.sleep(min(every, max(0.0, deadline - time.monotonic())))

    # -- GET statusevents -------------------------------------------------------------------

    def listen(self, token: str, meanwhile: Callable[[], None], seconds: float) -> Stream:
        """Subscribe to the session's statusevents, call `meanwhile` once the subscription had
        a second to settle, and read what arrives until the server ends the stream or
        `seconds` pass (then the stream is cut off: its events so far still count).

        The run's HTTP client reads a body to its end; the stream is read by a client of its
        own with `seconds` as its deadline (same budget, journal and redaction; its own
        circuit breaker, so that a stream cut off at the deadline is not taken for a target
        that stopped answering)."""
        client = HttpClient(
            budget=self.http.budget,
            rate_limiter=self.http.rate_limiter,
            redactor=self.redactor,
            timeout_s=seconds,
            max_response_bytes=256_000,
            default_headers=self.http.default_headers,
            client_cert=self.http.client_cert,
            verify=self.http.verify,
            journal=self.http.journal,
            user_agent=self.http.user_agent,
            breaker=CircuitBreaker(),
            recorder=self.http.recorder,
            player=self.http.player,
        )
        box: dict[str, Any] = {}

        def read() -> None:
            try:
                box["exchange"] = client.get(
                    self.session_url(token, "/statusevents"),
                    headers={"Accept": "text/event-stream", "Cache-Control": "no-cache"},
                    authenticated=False,
                )
            except Outcome as exc:
                box["outcome"] = exc

        reader = threading.Thread(target=read, name="cgconform-statusevents", daemon=True)
        try:
            reader.start()
            time.sleep(1.0)
            meanwhile()
            reader.join(seconds + 5)
        finally:
            client.close()
        return _stream(box)


def status_value(exchange: Exchange, *, strict: bool = False) -> str | None:
    """The status a status answer gives: a JSON string (`strict`), or also a bare status word
    (to follow a session's lifecycle on a server whose format is judged elsewhere)."""
    if not 200 <= exchange.status < 300:
        return None
    try:
        value = exchange.json()
    except ValueError:
        text = exchange.text.strip()
        return text if not strict and text in STATUSES else None
    return value if isinstance(value, str) else None


def _stream(box: dict[str, Any]) -> Stream:
    exchange: Exchange | None = box.get("exchange")
    if exchange is not None:
        content_type = exchange.headers.get("Content-Type", "")
        return Stream(
            exchange.status, content_type, exchange.text, True, parse_events(exchange.text)
        )
    outcome: Outcome | None = box.get("outcome")
    if outcome is None:
        return Stream(None, "", "", False, error="the statusevents request did not end")
    response = (outcome.evidence[0].get("response") if outcome.evidence else None) or {}
    headers = {str(k).lower(): str(v) for k, v in dict(response.get("headers") or {}).items()}
    text = str(response.get("body_excerpt") or "")
    if text.endswith("…[truncated]"):
        text = text[: -len("…[truncated]")]
    status = response.get("status")
    return Stream(
        status if isinstance(status, int) else None,
        headers.get("content-type", ""),
        text,
        False,
        parse_events(text),
        error=outcome.message,
    )
