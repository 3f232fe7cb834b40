"""Session requests as session-requests.md defines them: disclosure, attribute-based signature
and issuance requests (their ``@context``), extended requests (extra parameters around
``request``), and signed session requests (a JWT with ``sub`` and the request field of its
session type, RS256 or HS256, ``Content-Type: text/plain``)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey


@dataclass(frozen=True)
class SessionType:
    name: str  # "disclosing", "signing", "issuing": the sessionPtr's irmaqr and the result's type
    context: str  # the request's @context
    jwt_sub: str  # sub of a signed session request
    jwt_field: str  # the claim holding the (extended) request
    result_subs: tuple[str, ...]  # sub values of a result JWT (the docs', then irmago's)


DISCLOSING = SessionType(
    "disclosing",
    "https://irma.app/ld/request/disclosure/v2",
    "verification_request",
    "sprequest",
    # api-irma-server.md names verification_result; irmago writes the type + "_result"
    ("verification_result", "disclosing_result"),
)
SIGNING = SessionType(
    "signing",
    "https://irma.app/ld/request/signature/v2",
    "signature_request",
    "absrequest",
    ("signing_result",),
)
ISSUING = SessionType(
    "issuing",
    "https://irma.app/ld/request/issuance/v2",
    "issue_request",
    "iprequest",
    ("issuing_result",),
)
TYPES = {t.name: t for t in (DISCLOSING, SIGNING, ISSUING)}
STATUSES = ("INITIALIZED", "PAIRING", "CONNECTED", "CANCELLED", "DONE", "TIMEOUT")
ENDING_STATUSES = ("CANCELLED", "DONE", "TIMEOUT")


def disclosure_request(disclose: Any) -> dict[str, Any]:
    return {"@context": DISCLOSING.context, "disclose": disclose}


def signature_request(disclose: Any, message: str | None) -> dict[str, Any]:
    request: dict[str, Any] = {"@context": SIGNING.context, "disclose": disclose}
    if message is not None:
        request["message"] = message
    return request


def issuance_request(credentials: Any) -> dict[str, Any]:
    return {"@context": ISSUING.context, "credentials": [dict(c) for c in credentials]}


def extended(request: Mapping[str, Any], **parameters: Any) -> dict[str, Any]:
    """An extended session request: extra parameters (validity, timeout, ...) around it."""
    return {**parameters, "request": dict(request)}


def signed_request(
    kind: SessionType,
    request: Mapping[str, Any],
    *,
    requestor: str,
    key: RSAKey | OctKey,
    algorithm: str,
    now: float | None = None,
) -> str:
    """A JWT session request: ``{iat, iss, sub, <field>: extended request}``. No ``kid``: the
    irma server takes a kid for the requestor's name, and finds the key by ``iss`` without it."""
    body = request if "request" in request else extended(request)
    claims = {
        "iat": int(time.time() if now is None else now),
        "iss": requestor,
        "sub": kind.jwt_sub,
        kind.jwt_field: dict(body),
    }
    return jwt.encode({"typ": "JWT", "alg": algorithm}, claims, key, algorithms=[algorithm])


def type_of(request: Mapping[str, Any]) -> SessionType:
    inner = request.get("request", request)
    context = inner.get("@context") if isinstance(inner, Mapping) else None
    for kind in TYPES.values():
        if kind.context == context:
            return kind
    raise ValueError(f"not a session request: @context {context!r}")
