"""The one HTTP layer every suite uses (DESIGN.md §7).

:class:`HttpClient` sends each request through a
:class:`~cgconform.http.budget.RateLimiter` and a :class:`~cgconform.http.budget.Budget`,
bounds the whole exchange by a wall-clock deadline and the body by a size cap, never follows
redirects unless asked, redacts what it records and keeps it in a
:class:`~cgconform.http.journal.Journal`. Network
trouble becomes :class:`~cgconform.model.outcomes.TargetUnreachable` with a one-line reason; a
spent budget becomes :class:`~cgconform.model.outcomes.BudgetExhausted`.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import requote_uri

from cgconform import __version__
from cgconform.http.budget import Budget, CircuitBreaker, RateLimiter
from cgconform.http.cassette import CassetteWriter, Player, body_field, body_from_field
from cgconform.http.deadline import ACTIVE_DEADLINE, Deadline, DeadlineAdapter
from cgconform.http.errors import NETWORK_ERRORS, USAGE_ERRORS, describe, is_timeout
from cgconform.http.evidence import (
    Exchange,
    RawResponse,
    RecordedRequest,
    RecordedResponse,
    charset,
    curl_command,
    excerpt,
    shown_headers,
)
from cgconform.http.journal import Journal
from cgconform.http.redaction import Redactor
from cgconform.model.outcomes import BudgetExhausted, NotTested, TargetUnreachable

__all__ = ["HttpClient"]

_CHUNK_BYTES = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _other_origin(old_url: str, new_url: str) -> bool:
    """Whether a redirect leaves the origin (an upgrade from http to https stays)."""
    old, new = urlsplit(old_url), urlsplit(new_url)
    default_ports = {"http": 80, "https": 443}
    old_port = old.port or default_ports.get(old.scheme)
    new_port = new.port or default_ports.get(new.scheme)
    if old.hostname != new.hostname:
        return True
    if (old.scheme, new.scheme) == ("http", "https"):
        return not (old_port == 80 and new_port == 443)
    return (old.scheme, old_port) != (new.scheme, new_port)


# -- the client ---------------------------------------------------------------------------


class HttpClient:
    """Sends requests for the checks: budget, rate limit, deadline, size cap, redaction,
    evidence, mTLS.

    `default_headers` (e.g. the resolved Authorization) go with every request unless a check
    asks for ``authenticated=False``, which leaves out those of them that are sensitive
    headers or hold a known secret (the client certificate is still presented: it belongs
    to the connection). Cookies set by the target are never stored or sent back. Proxies
    are used only when given (the environment's proxy settings and .netrc are ignored).
    """

    def __init__(
        self,
        *,
        budget: Budget,
        rate_limiter: RateLimiter,
        redactor: Redactor,
        timeout_s: float = 10.0,
        max_response_bytes: int = 5_000_000,
        default_headers: Mapping[str, str] | None = None,
        client_cert: tuple[str, str] | None = None,
        verify: bool | str = True,
        journal: Journal | None = None,
        user_agent: str = f"cgconform/{__version__}",
        proxies: Mapping[str, str] | None = None,
        breaker: CircuitBreaker | None = None,
        recorder: CassetteWriter | None = None,
        player: Player | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, not {timeout_s}")
        if max_response_bytes < 0:
            raise ValueError(f"max_response_bytes must be >= 0, not {max_response_bytes}")
        for what, path in [
            ("client certificate", client_cert[0] if client_cert else None),
            ("client key", client_cert[1] if client_cert else None),
            ("CA bundle", verify if isinstance(verify, str) else None),
        ]:
            if path is not None and not os.path.exists(path):
                raise ValueError(f"the {what} file {path} does not exist")
        self.budget = budget
        self.breaker = breaker if breaker is not None else CircuitBreaker()
        self.rate_limiter = rate_limiter
        self.redactor = redactor
        self.timeout_s = timeout_s
        self.max_response_bytes = max_response_bytes
        self.default_headers = dict(default_headers or {})
        self.client_cert = client_cert
        self.verify = verify
        self.journal = journal
        self.user_agent = user_agent
        self.recorder = recorder  # every exchange also goes to this cassette
        self.player = player  # answers come from this cassette, never from the network

        session = requests.Session()
        session.trust_env = False
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        session.headers["User-Agent"] = user_agent
        self._proxies = dict(proxies or {})
        self.max_redirects = 10
        adapter = DeadlineAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._session = session

    def close(self) -> None:
        self._session.close()

    def with_identity(
        self,
        client_cert: tuple[str, str] | None,
        *,
        verify: bool | str | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> HttpClient:
        """A client that presents another TLS client certificate (or none), sharing this
        one's budget, rate limit, journal and redaction: for suites that play several
        parties. Default headers are not carried over unless given."""
        return HttpClient(
            budget=self.budget,
            rate_limiter=self.rate_limiter,
            redactor=self.redactor,
            timeout_s=self.timeout_s,
            max_response_bytes=self.max_response_bytes,
            default_headers=default_headers,
            client_cert=client_cert,
            verify=self.verify if verify is None else verify,
            journal=self.journal,
            user_agent=self.user_agent,
            proxies=self._proxies,
            breaker=self.breaker,
            recorder=self.recorder,
            player=self.player,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- shortcuts -------------------------------------------------------------------------

    def get(self, url: str, **kwargs: Any) -> Exchange:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Exchange:
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Exchange:
        return self.request("OPTIONS", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Exchange:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Exchange:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Exchange:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Exchange:
        return self.request("DELETE", url, **kwargs)

    # -- the request -----------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str | None] | None = None,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json: Any = None,
        data: bytes | str | Mapping[str, Any] | None = None,
        allow_redirects: bool = False,
        authenticated: bool = True,
    ) -> Exchange:
        """Send one request and return the exchange.

        A header given as None is not sent (e.g. ``headers={"User-Agent": None}``). With
        `allow_redirects`, each redirect is a request of its own (budget, rate limit,
        journal); credentials are not sent on to another host. The last exchange is returned.

        Raises BudgetExhausted (the request was not sent) and TargetUnreachable (no complete
        response: connection refused, DNS, TLS, timeout, the deadline passed).
        """
        prepared = self._session.prepare_request(
            requests.Request(
                method.upper(),
                url,
                headers=self._headers(headers, authenticated=authenticated),
                params=params,
                json=json,
                data=data,
            )
        )
        exchange = self._send(prepared)
        redirects = 0
        while allow_redirects and exchange.status in _REDIRECTS and "Location" in exchange.headers:
            redirects += 1
            if redirects > self.max_redirects:
                message = f"{exchange.request.method} {exchange.request.url}: too many redirects"
                raise TargetUnreachable(message, evidence=[exchange.to_evidence()])
            prepared = self._redirected(prepared, exchange)
            exchange = self._send(prepared)
        return exchange

    def _send(self, prepared: requests.PreparedRequest) -> Exchange:
        """Send one prepared request: budget, rate limit, deadline, capture, journal."""
        recorded, reproduce = self._record_request(prepared)
        try:
            self.breaker.check()
        except TargetUnreachable as exc:
            message = f"{recorded.method} {recorded.url}: not sent: {exc.message}"
            raise type(exc)(message) from None
        try:
            self.budget.reserve()
        except BudgetExhausted as exc:
            raise BudgetExhausted(f"{exc.message}: {recorded.method} {recorded.url}") from None
        self.rate_limiter.wait()
        if self.player is not None:
            return self._replayed(prepared, recorded, reproduce)

        adapter = self._session.get_adapter(prepared.url or "")
        deadline = Deadline(self.timeout_s)
        token = ACTIVE_DEADLINE.set(deadline)
        body = bytearray()
        started = time.monotonic()
        deadline.start()
        try:
            try:
                response = adapter.send(
                    prepared,
                    stream=True,
                    timeout=(self.timeout_s, self.timeout_s),
                    verify=self.verify,
                    cert=self.client_cert,
                    proxies=self._proxies,
                )
            except USAGE_ERRORS:
                raise
            except Exception as exc:
                if not deadline.fired and not isinstance(exc, NETWORK_ERRORS):
                    raise
                cause = self._cause(exc, deadline)
                self._unreachable(
                    prepared, recorded, reproduce, cause, exc, deadline_fired=deadline.fired
                )
            try:
                truncated = self._read_body(response, body)
                if deadline.fired:  # the shut-down socket read as the end of the body
                    raise TimeoutError("the deadline passed while the body was read")
            except Exception as exc:
                response.close()
                if not deadline.fired and not isinstance(exc, NETWORK_ERRORS):
                    raise
                cause = self._cause(exc, deadline)
                cause += f" (status {response.status_code}, {len(body)} bytes of the body received)"
                elapsed = time.monotonic() - started
                partial = self._record_response(
                    response.status_code, response.headers, bytes(body), elapsed, True
                )
                self._unreachable(
                    prepared,
                    recorded,
                    reproduce,
                    cause,
                    exc,
                    partial,
                    deadline_fired=deadline.fired,
                )
        finally:
            deadline.cancel()
            ACTIVE_DEADLINE.reset(token)
        elapsed = time.monotonic() - started
        self.breaker.answered()

        raw = RawResponse(
            status=response.status_code,
            headers=CaseInsensitiveDict(response.headers),
            body=bytes(body),
            elapsed_s=elapsed,
            truncated=truncated,
            url=response.url,
        )
        return self._answered(prepared, recorded, reproduce, raw)

    def _answered(
        self,
        prepared: requests.PreparedRequest,
        recorded: RecordedRequest,
        reproduce: str,
        raw: RawResponse,
    ) -> Exchange:
        """The exchange of a complete response: journaled, and recorded to the cassette."""
        exchange = Exchange(
            request=recorded,
            response=self._record_response(
                raw.status, raw.headers, raw.body, raw.elapsed_s, raw.truncated
            ),
            reproduce=reproduce,
            raw=raw,
        )
        if self.journal is not None:
            self.journal.record(exchange)
        if self.recorder is not None:
            self.recorder.add(
                **self._cassette_request(prepared, recorded),
                status=raw.status,
                response_headers=self.redactor.headers(raw.headers),
                response_body=body_field(
                    raw.body, charset(raw.headers.get("Content-Type")), self.redactor
                ),
                truncated=raw.truncated,
                elapsed_s=raw.elapsed_s,
            )
        return exchange

    def _cassette_request(
        self, prepared: requests.PreparedRequest, recorded: RecordedRequest
    ) -> dict[str, Any]:
        """The request as a cassette keeps it (and as replay matches it): redacted."""
        encoding = charset(prepared.headers.get("Content-Type"))
        return {
            "check": self.journal.current if self.journal is not None else None,
            "method": recorded.method,
            "url": recorded.url,
            "request_headers": recorded.headers,
            "request_body": body_field(prepared.body, encoding, self.redactor),
        }

    def _replayed(
        self, prepared: requests.PreparedRequest, recorded: RecordedRequest, reproduce: str
    ) -> Exchange:
        """The answer the cassette has for this request; NotTested when it has none."""
        assert self.player is not None
        shown = self._cassette_request(prepared, recorded)
        found = self.player.answer(
            recorded.method,
            recorded.url,
            body_from_field(shown["request_body"]),
            recorded.headers,
            self.redactor,
            check=shown.get("check"),
        )
        if found is None:
            raise NotTested(f"not in the recording: {recorded.method} {recorded.url}")
        if found.status is None:
            error = ConnectionError(found.error or "no response")
            cause = (found.error or "no response").removeprefix(
                f"{recorded.method} {recorded.url}: "
            )
            self._unreachable(
                prepared, recorded, reproduce, cause, error, deadline_fired=found.timeout
            )
        self.breaker.answered()
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for name, value in found.response_headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        raw = RawResponse(
            status=found.status,
            headers=headers,
            body=found.body,
            elapsed_s=found.elapsed_s,
            truncated=found.truncated,
            url=prepared.url or recorded.url,
        )
        return self._answered(prepared, recorded, reproduce, raw)

    def _redirected(
        self, prepared: requests.PreparedRequest, exchange: Exchange
    ) -> requests.PreparedRequest:
        """The request that follows a redirect, the way browsers and `requests` do it."""
        following = prepared.copy()
        old_url = prepared.url or ""
        new_url = urljoin(exchange.url, requote_uri(exchange.headers["Location"]))
        following.url = new_url
        if exchange.status not in (307, 308):
            see_other = exchange.status == 303 and following.method != "HEAD"
            if see_other or (exchange.status in (301, 302) and following.method == "POST"):
                following.method = "GET"
            following.body = None
            for name in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                following.headers.pop(name, None)
        if _other_origin(old_url, new_url):
            for name in list(following.headers):
                if self.redactor.is_sensitive_header(name):
                    del following.headers[name]
        return following

    def _headers(
        self, headers: Mapping[str, str | None] | None, *, authenticated: bool
    ) -> dict[str, str | None]:
        merged: dict[str, str | None] = {
            name: value
            for name, value in self.default_headers.items()
            if authenticated
            or not (self.redactor.is_sensitive_header(name) or self.redactor.contains_secret(value))
        }
        lowered = {name.lower(): name for name in merged}
        for name, value in (headers or {}).items():
            merged.pop(lowered.get(name.lower(), name), None)
            merged[name] = value
        return merged

    def _record_request(self, prepared: requests.PreparedRequest) -> tuple[RecordedRequest, str]:
        body = prepared.body
        body_excerpt = None
        reproduce_body: str | None = None
        body_complete = True
        if body is not None:
            raw = body if isinstance(body, bytes) else str(body).encode("utf-8")
            encoding = charset(prepared.headers.get("Content-Type"))
            body_excerpt = excerpt(raw, self.redactor, encoding=encoding)
            body_complete = not body_excerpt.endswith("[truncated]")
            reproduce_body = body_excerpt
        recorded = RecordedRequest(
            method=prepared.method or "GET",
            url=self.redactor.url(prepared.url or ""),
            headers=self.redactor.headers(
                {
                    name: value.decode("latin-1") if isinstance(value, bytes) else value
                    for name, value in prepared.headers.items()
                }
            ),
            body_excerpt=body_excerpt,
        )
        reproduce = curl_command(
            recorded,
            body=reproduce_body,
            body_complete=body_complete,
            client_cert=self.client_cert,
            verify=self.verify,
            timeout_s=self.timeout_s,
        )
        return recorded, reproduce

    def _record_response(
        self,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        elapsed: float,
        truncated: bool,
    ) -> RecordedResponse:
        encoding = charset(headers.get("Content-Type"))
        return RecordedResponse(
            status=status,
            headers=shown_headers(self.redactor.headers(headers)),
            body_excerpt=excerpt(body, self.redactor, encoding=encoding, cut=truncated),
            elapsed_s=elapsed,
            truncated=truncated,
        )

    def _read_body(self, response: requests.Response, body: bytearray) -> bool:
        """Read at most `max_response_bytes` of the (decoded) body into `body`.

        True when the body was longer (truncated).
        """
        cap = self.max_response_bytes
        raw = response.raw
        while len(body) <= cap:
            chunk = raw.read(min(_CHUNK_BYTES, cap + 1 - len(body)), decode_content=True)
            if not chunk:
                break
            body += chunk
        truncated = len(body) > cap
        if truncated:
            del body[cap:]
            response.close()  # drop the connection instead of reading the rest
        else:
            raw.release_conn()
        return truncated

    def _cause(self, exc: BaseException, deadline: Deadline) -> str:
        if deadline.fired:
            return f"no complete response within the {self.timeout_s:g} s deadline"
        return self.redactor.text(describe(exc, self.timeout_s))

    def _unreachable(
        self,
        prepared: requests.PreparedRequest,
        recorded: RecordedRequest,
        reproduce: str,
        cause: str,
        exc: BaseException,
        response: RecordedResponse | None = None,
        *,
        deadline_fired: bool = False,
    ) -> NoReturn:
        if deadline_fired or is_timeout(exc):
            self.breaker.timed_out()
        message = f"{recorded.method} {recorded.url}: {cause}"
        exchange = Exchange(recorded, response, reproduce, error=message)
        if self.journal is not None:
            self.journal.record(exchange)
        if self.recorder is not None:
            self.recorder.add(
                **self._cassette_request(prepared, recorded),
                error=message,
                timeout=deadline_fired or is_timeout(exc),
                elapsed_s=response.elapsed_s if response is not None else None,
            )
        raise TargetUnreachable(message, evidence=[exchange.to_evidence()]) from exc
