"""The relying party of one run: discovery and keys fetched once, the listeners at the
redirect_uris, and the flows the checks judge (each run once and shared, failures included).

A flow that cannot be run says why as an outcome the checks re-raise: no ``[oidc]`` table or
no login script is ``not_tested``; a login script that does not fit the pages, a discovery
document without endpoints, or a provider that refuses cgconform's own correct requests is
``inconclusive``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.http.mock_server import MockServer, Received, Reply
from cgconform.model.outcomes import Failure, Inconclusive, NotTested, Outcome
from cgconform.run.context import RunContext
from cgconform.suites.identity.harness.oidc_client import (
    AuthorizationRequest,
    Discovery,
    Jwt,
    JwtProblem,
    KeySet,
    TokenClient,
    TokenResponse,
    authorization_request,
    decode_unverified,
    fetch_discovery,
    fetch_jwks,
    verify_jws,
)
from cgconform.suites.identity.harness.oidc_login import (
    AuthorizationOutcome,
    LoginDriver,
    LoginProblem,
    client_origin,
)
from cgconform.suites.identity.harness.oidc_settings import (
    ClientSettings,
    OidcSettings,
    load_oidc_settings,
)

T = TypeVar("T")
Evidence = Mapping[str, Any]

_CALLBACK_PAGE = (
    b"<!DOCTYPE html><html><head><title>cgconform</title></head><body>"
    b"<p>cgconform received the authorization response.</p></body></html>"
)


@dataclass(frozen=True)
class CodeFlow:
    """The happy path of one client: authorization code with PKCE S256, redeemed with the
    client's own authentication."""

    client: ClientSettings
    request: AuthorizationRequest
    authorization: AuthorizationOutcome
    tokens: TokenResponse
    received_at: float  # time.time() when the token response arrived

    @property
    def evidence(self) -> list[Evidence]:
        return [*self.authorization.evidence[-2:], self.tokens.evidence()]


@dataclass(frozen=True)
class IdToken:
    """The ID token of a happy path: its claims (read even when the signature fails) and
    whether the signature verified against the provider's JWKS."""

    flow: CodeFlow
    jwt: Jwt
    signature_problem: str | None

    @property
    def claims(self) -> Mapping[str, Any]:
        return self.jwt.claims

    @property
    def header(self) -> Mapping[str, Any]:
        return self.jwt.header

    def shown(self) -> dict[str, Any]:
        """Header and claims as evidence (the token itself is a secret)."""
        return {"id_token": {"header": dict(self.header), "claims": dict(self.claims)}}


class RelyingParty:
    """What the oidc checks share in one run (the session fixture ``oidc``)."""

    def __init__(self, context: RunContext) -> None:
        self.context = context
        self.settings: OidcSettings = load_oidc_settings(context.target)
        self._cache: dict[Any, Any] = {}
        self._listeners: dict[str, MockServer] = {}

    @property
    def http(self) -> HttpClient:
        return self.context.http

    def close(self) -> None:
        for server in self._listeners.values():
            server.stop()
        self._listeners.clear()

    # -- shared results -----------------------------------------------------------------

    def _once(self, key: Any, make: Callable[[], T]) -> T:
        """`make()` once per run; an outcome it raised is raised again for every caller."""
        if key not in self._cache:
            try:
                self._cache[key] = ("ok", make())
            except Outcome as exc:
                self._cache[key] = ("raised", exc)
        kind, value = self._cache[key]
        if kind == "raised":
            raise type(value)(value.message, evidence=value.evidence)
        result: T = value
        return result

    def discovery(self) -> Discovery:
        return self._once("discovery", lambda: fetch_discovery(self.http, self.settings.issuer))

    def metadata(self) -> Mapping[str, Any]:
        """The discovery document, or Inconclusive when there is none to go by."""
        found = self.discovery()
        if found.metadata is None:
            raise Inconclusive(
                f"no discovery document to go by ({found.problem})", evidence=found.evidence
            )
        return found.metadata

    def keys(self) -> KeySet:
        return self._once(
            "jwks", lambda: fetch_jwks(self.http, self.discovery().endpoint("jwks_uri"))
        )

    # -- clients and flows --------------------------------------------------------------

    def client(self) -> ClientSettings:
        """The configured client, or not_tested when target.toml registers none."""
        if self.settings.client is None:
            raise NotTested(
                "no [oidc] table in target.toml: cgconform needs a client registered at the "
                "provider (client_id, client_key or client_secret, redirect_uri) and a login "
                "script ([[oidc.login]]) to run flows"
            )
        return self.settings.client

    def token_client(self, client: ClientSettings) -> TokenClient:
        algs = self.metadata().get("token_endpoint_auth_signing_alg_values_supported")
        return TokenClient(
            http=self.http,
            client=client,
            token_endpoint=self.discovery().endpoint("token_endpoint"),
            redactor=self.context.redactor,
            assertion_algs=[a for a in algs if isinstance(a, str)]
            if isinstance(algs, list)
            else None,
        )

    def new_request(
        self,
        client: ClientSettings,
        *,
        pkce: str | None = "S256",
        redirect_uri: str | None = None,
        response_type: str = "code",
    ) -> AuthorizationRequest:
        request = authorization_request(
            self.settings,
            client,
            pkce=pkce,
            redirect_uri=redirect_uri,
            response_type=response_type,
        )
        if request.code_verifier is not None:
            self.context.redactor.add_secret(request.code_verifier, "<code_verifier>")
        return request

    def authorize(self, request: AuthorizationRequest) -> AuthorizationOutcome:
        """Send the request through the provider's login; LoginProblem as an outcome."""
        endpoint = self.discovery().endpoint("authorization_endpoint")
        driver = LoginDriver(
            http=self.http,
            redactor=self.context.redactor,
            steps=self.settings.login,
            client_origin=client_origin(request.redirect_uri),
            deliver=self._deliverer(request.client),
        )
        try:
            return driver.authorize(request.url(endpoint))
        except LoginProblem as problem:
            if not self.settings.login:
                raise NotTested(problem.message, evidence=problem.evidence[-3:]) from None
            raise Inconclusive(
                f"the headless login did not complete: {problem.message}",
                evidence=problem.evidence[-3:],
            ) from None

    def fresh_code(
        self, client: ClientSettings, *, pkce: str | None = "S256", redirect_uri: str | None = None
    ) -> tuple[AuthorizationRequest, AuthorizationOutcome]:
        request = self.new_request(client, pkce=pkce, redirect_uri=redirect_uri)
        return request, self.authorize(request)

    def usable_code(
        self, client: ClientSettings, purpose: str
    ) -> tuple[AuthorizationRequest, AuthorizationOutcome, str]:
        """A fresh code of a correct request (S256), or Inconclusive saying why there is none."""
        request, outcome = self.fresh_code(client)
        code = outcome.code
        if outcome.delivered_to is None or not code:
            raise Inconclusive(
                f"{purpose}: cgconform's correct authorization request (PKCE S256) got no code: "
                f"{outcome.describe()}",
                evidence=list(outcome.evidence[-3:]),
            )
        return request, outcome, code

    def happy(self, client: ClientSettings | None = None) -> CodeFlow:
        chosen = client or self.client()
        return self._once(("happy", chosen.client_id), lambda: self._happy(chosen))

    def _happy(self, client: ClientSettings) -> CodeFlow:
        request, outcome, code = self.usable_code(client, "the code flow")
        tokens = self.token_client(client).redeem(
            code, code_verifier=request.code_verifier, redirect_uri=request.redirect_uri
        )
        if not tokens.ok:
            raise Inconclusive(
                f"the token endpoint refused cgconform's correct token request as "
                f"{client.client_id} ({client.auth_method}): {tokens.describe()}; check the "
                "client's registration (its jwks, token_endpoint_auth_method, redirect_uris)",
                evidence=[*outcome.evidence[-2:], tokens.evidence()],
            )
        return CodeFlow(client, request, outcome, tokens, time.time())

    def id_token(self, client: ClientSettings | None = None) -> IdToken:
        """The ID token of a client's happy path. No ID token, or one that is not a JWS, is a
        `fail` of every ID token check (OpenID Connect Core §3.1.3.3); an encrypted one is
        `inconclusive` (cgconform has no key to read it)."""
        flow = self.happy(client)
        return self._once(("id_token", flow.client.client_id), lambda: self._id_token(flow))

    def _id_token(self, flow: CodeFlow) -> IdToken:
        token = flow.tokens.token("id_token")
        if token is None:
            raise MissingIdToken(
                f"the token response has no id_token ({flow.tokens.describe()})",
                evidence=flow.evidence,
            )
        try:
            jwt = decode_unverified(token)
        except JwtProblem as exc:
            kind = EncryptedIdToken if token.count(".") == 4 else UnreadableIdToken
            raise kind(f"the id_token cannot be read: {exc}", evidence=flow.evidence) from None
        problem = None
        try:
            verify_jws(token, self.keys())
        except JwtProblem as exc:
            problem = str(exc)
        return IdToken(flow, jwt, problem)

    # -- the listener at the redirect_uri ----------------------------------------------

    def _deliverer(
        self, client: ClientSettings
    ) -> Callable[[str, str, list[tuple[str, str]] | None], Exchange | None]:
        def deliver(method: str, url: str, form: list[tuple[str, str]] | None) -> Exchange | None:
            if not client.listens:
                return None
            self._listener(url)
            if method == "POST":
                return self.http.post(
                    url,
                    data=urlencode(form or []),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    authenticated=False,
                )
            return self.http.get(url, authenticated=False)

        return deliver

    def _listener(self, url: str) -> MockServer:
        origin = client_origin(url)
        if origin not in self._listeners:
            parts = urlsplit(url)
            try:
                server = MockServer(
                    _answer,
                    host=parts.hostname or "127.0.0.1",
                    port=parts.port or 80,
                    name="redirect_uri",
                )
            except OSError as exc:
                raise Inconclusive(
                    f"cgconform cannot listen at the redirect_uri's {origin}: {exc} (another "
                    "program on that port? choose a free port and register it)"
                ) from None
            self._listeners[origin] = server.start()
        return self._listeners[origin]


def one_character_off(uri: str) -> str:
    """`uri` with the last character of its path changed (or one added to an empty path)."""
    parts = urlsplit(uri)
    path = parts.path
    if path and path[-1].isalnum():
        path = path[:-1] + ("y" if path[-1] == "x" else "x")
    else:
        path = path + "x"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _answer(received: Received) -> Reply:
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, _CALLBACK_PAGE)


class MissingIdToken(Failure):
    """The token response of the happy path carries no ID token."""


class UnreadableIdToken(Failure):
    """The ID token is not a compact JWS."""


class EncryptedIdToken(Inconclusive):
    """The ID token is encrypted to a key cgconform does not have."""
