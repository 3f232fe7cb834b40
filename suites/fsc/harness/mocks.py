"""The Peers the harness plays on the network (docs/fsc-notes.md §2): a mock Manager per
harness Peer, Peer A's mock Inway, and the mock Service behind the SUT's Inway.

Handlers never raise (cgconform.http.mock_server turns a bug into a 500 and records it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509

from cgconform.http.mock_server import Received, Reply
from cgconform.suites.fsc.harness.contracts import uuid7
from cgconform.suites.fsc.harness.hashes import same_hash
from cgconform.suites.fsc.harness.jose import (
    JoseProblem,
    Signer,
    cert_thumbprint,
    public_key_thumbprint,
    subject_serial_number,
    verify_compact,
)


def _client_peer(request: Received) -> tuple[str | None, x509.Certificate | None]:
    if not request.client_cert_der:
        return None, None
    cert = x509.load_der_x509_certificate(request.client_cert_der)
    return subject_serial_number(cert), cert


@dataclass
class IssuableGrant:
    """A Grant of one of Peer A's fixture Contracts for which its mock Manager issues tokens."""

    grant_hashes: tuple[str, ...]  # every reading
    data: Mapping[str, Any]
    aud: str  # where the Outway must send the request
    gid: str | None = None  # another Group ID in its tokens (the Outway must refuse them)


@dataclass
class MockManagerState:
    peer_id: str
    peer_name: str
    group_id: str
    signers: tuple[Signer, ...]  # [0] signs tokens; all are in the JWKS
    address: str = ""
    grants: list[IssuableGrant] = field(default_factory=list)
    received: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    token_lifetime_s: int = 300
    # content hash -> how many more signature deliveries to refuse (503), and when each came
    refuse: dict[str, int] = field(default_factory=dict)
    deliveries: dict[str, list[float]] = field(default_factory=dict)
    # Called (in a thread) with the content and Fsc-Manager-Address of a Contract offered to
    # this Peer: the harness signs the ones its Outway scenarios can use (docs/fsc-notes.md N23)
    on_offer: Callable[[dict[str, Any], str], None] | None = None
    signed: set[str] = field(default_factory=set)  # content hashes this Peer signed back
    lock: threading.Lock = field(default_factory=threading.Lock)


def _hash_of(content: Any) -> str | None:
    from cgconform.suites.fsc.harness.hashes import HashError, content_hash

    if not isinstance(content, dict):
        return None
    try:
        return content_hash(content)
    except (HashError, KeyError, TypeError):
        return None


def _error(status: int, code: str, message: str) -> Reply:
    return Reply.json(
        status,
        {"message": message, "domain": "ERROR_DOMAIN_MANAGER", "code": code},
        {"Fsc-Error-Code": code},
    )


def _oauth_error(error: str, description: str) -> Reply:
    return Reply.json(400, {"error": error, "error_description": description})


def mock_manager(state: MockManagerState) -> Callable[[Received], Reply]:
    """A harness Peer's Manager: JWKS, peer info, accepts Contracts and signatures, issues
    tokens for its own fixture Grants."""

    def handle(request: Received) -> Reply:
        path = request.path.rstrip("/")
        if request.method == "GET" and path == "/v1/.well-known/jwks.json":
            return Reply.json(200, {"keys": [s.jwk() for s in state.signers]})
        if request.method == "GET" and path == "/v1/peer":
            return Reply.json(
                200,
                {
                    "peer_id": state.peer_id,
                    "peer_name": state.peer_name,
                    "fsc_version": "1.0.0",
                    "enabled_extensions": {},
                },
            )
        if request.method in ("POST", "PUT") and path.startswith("/v1/contracts"):
            try:
                body = request.json()
            except ValueError:
                body = {}
            content = body.get("contract_content") if isinstance(body, dict) else None
            with state.lock:
                state.received.append(
                    (request.method, path, body if isinstance(body, dict) else {})
                )
                digest = _hash_of(content)
                if digest is not None:
                    state.deliveries.setdefault(digest, []).append(time.monotonic())
                    if state.refuse.get(digest, 0) > 0:
                        state.refuse[digest] -= 1
                        return _error(503, "ERROR_CODE_UNAVAILABLE", "try again later (test)")
            # A Contract offered (POST) or signed and passed on (PUT .../accept) by the SUT
            offered = path == "/v1/contracts" or path.endswith("/accept")
            if offered and state.on_offer is not None and isinstance(content, dict):
                threading.Thread(
                    target=state.on_offer,
                    args=(content, request.header("Fsc-Manager-Address") or ""),
                    daemon=True,
                ).start()
            return Reply(201)
        if request.method == "PUT" and path == "/v1/announce":
            return Reply(200)
        if request.method == "GET" and path in (
            "/v1/contracts",
            "/v1/logs",
            "/v1/peers",
            "/v1/services",
        ):
            key = {"/v1/contracts": "contracts", "/v1/logs": "records", "/v1/peers": "peers"}.get(
                path, "services"
            )
            return Reply.json(200, {key: [], "pagination": {"next_cursor": ""}})
        if request.method == "POST" and path == "/v1/token":
            return _token(state, request)
        return _error(404, "ERROR_CODE_NOT_FOUND", f"{request.method} {request.path} is not served")

    return handle


def _token(state: MockManagerState, request: Received) -> Reply:
    form = request.form()
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant_type must be client_credentials")
    peer_id, cert = _client_peer(request)
    if cert is None or form.get("client_id") != peer_id:
        return _oauth_error("invalid_client", "client_id does not match the client certificate")
    scope = form.get("scope", "")
    with state.lock:
        match = next(
            (g for g in state.grants if any(same_hash(scope, h) for h in g.grant_hashes)), None
        )
    if match is None:
        return _oauth_error("invalid_grant", "no valid Contract with this Grant hash")
    data = match.data
    outway = data.get("outway") or {}
    if outway.get("peer_id") != peer_id or outway.get(
        "public_key_thumbprint"
    ) != public_key_thumbprint(cert):
        return _oauth_error("invalid_grant", "the Grant is not for this Outway certificate")
    now = int(time.time())
    service = data.get("service") or {}
    claims: dict[str, Any] = {
        "gth": scope,
        "gid": match.gid or state.group_id,
        "sub": peer_id,
        "iss": state.peer_id,
        "svc": service.get("name"),
        "aud": match.aud,
        "iat": now,
        "nbf": now - 5,
        "exp": now + state.token_lifetime_s,
        "cnf": {"x5t#S256": cert_thumbprint(request.client_cert_der or b"")},
        "add": {},
    }
    delegator = (data.get("delegator") or {}).get("peer_id")
    if delegator:
        claims["act"] = {"sub": delegator}
        claims["cdi"] = delegator  # FSC Logging reads `cdi` (docs/fsc-notes.md N9)
    service_delegator = (service.get("delegator") or {}).get("peer_id")
    if service_delegator:
        claims["pdi"] = service_delegator
    if "properties" in data:
        claims["prp"] = data["properties"]
    token = state.signers[0].sign(claims, header={"typ": "JWT"})
    return Reply.json(200, {"access_token": token, "token_type": "bearer"})


@dataclass
class Endpoint:
    """A mock Inway or Service: answers 200 with what it received; `on_request` (set by a
    check) runs when a request arrives, before the answer (to look at the SUT meanwhile)."""

    name: str
    token_signer: Signer | None = None  # Inway: tokens must be signed by this key
    on_request: Callable[[Received], None] | None = None
    observations: list[Any] = field(default_factory=list)
    # Set by a check: its answer instead of the echo when it returns one (an error of the
    # Service or Inway that must reach the client unaltered)
    reply: Callable[[Received], Reply | None] | None = None

    def handle(self, request: Received) -> Reply:
        hook = self.on_request
        if hook is not None:
            try:
                hook(request)
            except Exception as exc:  # a check's probe must not break the exchange
                self.observations.append(f"probe failed: {type(exc).__name__}: {exc}")
        if self.token_signer is not None:
            problem = self._token_problem(request)
            if problem:
                code = "ERROR_CODE_ACCESS_TOKEN_INVALID"
                return Reply.json(
                    401,
                    {"message": problem, "domain": "ERROR_DOMAIN_INWAY", "code": code},
                    {"Fsc-Error-Code": code, "WWW-Authenticate": "Bearer"},
                )
        try:
            custom = self.reply(request) if self.reply is not None else None
        except Exception as exc:  # a check's answer must not break the exchange
            self.observations.append(f"reply failed: {type(exc).__name__}: {exc}")
            custom = None
        if custom is not None:
            return custom
        return Reply.json(
            200,
            {
                "served_by": self.name,
                "method": request.method,
                "path": request.path,
                "transaction_id": request.header("Fsc-Transaction-Id"),
            },
        )

    def _token_problem(self, request: Received) -> str | None:
        token = (request.header("Fsc-Authorization") or "").removeprefix("Bearer ").strip()
        if not token:
            return "no access token in Fsc-Authorization"
        assert self.token_signer is not None
        try:
            claims = verify_compact(token, self.token_signer.certificate)
        except JoseProblem as exc:
            return f"access token: {exc}"
        bound = (claims.get("cnf") or {}).get("x5t#S256")
        if request.client_cert_der is None or bound != cert_thumbprint(request.client_cert_der):
            return "the access token is bound to another certificate"
        return None


def transaction_id() -> str:
    return uuid7()
