"""What api-irma-server.md says the requestor endpoints answer, as functions that list what is
wrong with an answer (empty: nothing). The checks turn the lists into verdicts; the wording
quotes the docs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from cgconform.http.evidence import Exchange
from cgconform.suites.identity.harness.yivi_requests import STATUSES, SessionType
from cgconform.suites.identity.harness.yivi_settings import attribute_ids

_VERSION = re.compile(r"^\d+\.\d+$")
_ERROR_TYPE = re.compile(r"^[A-Z][A-Z0-9_]*$")
PROOF_STATUSES = (
    "VALID",
    "INVALID",
    "INVALID_TIMESTAMP",
    "UNMATCHED_REQUEST",
    "MISSING_ATTRIBUTES",
    "EXPIRED",
)


def json_of(exchange: Exchange) -> Any:
    try:
        return exchange.json()
    except ValueError:
        return None


def client_token(package: dict[str, Any]) -> str | None:
    """The final part of the sessionPtr's `u`."""
    ptr = package.get("sessionPtr")
    u = ptr.get("u") if isinstance(ptr, dict) else None
    if not isinstance(u, str):
        return None
    last = urlsplit(u).path.rstrip("/").rsplit("/", 1)[-1]
    return last or None


def token_problems(package: dict[str, Any]) -> list[str]:
    token = package.get("token")
    if not isinstance(token, str) or not token.strip():
        return [f"token is {token!r}, not the session's requestor token (a string)"]
    return []


def session_ptr_problems(package: dict[str, Any], kind: SessionType) -> list[str]:
    ptr = package.get("sessionPtr")
    if not isinstance(ptr, dict):
        return [
            f"sessionPtr is {type(ptr).__name__ if ptr is not None else 'missing'}, not an "
            "object with u and irmaqr"
        ]
    problems = []
    u = ptr.get("u")
    parts = urlsplit(u) if isinstance(u, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(f"sessionPtr.u is {u!r}, not the URL of the IRMA session (http(s))")
    elif client_token(package) is None:
        problems.append(f"sessionPtr.u {u!r} has no final path part (the clientToken)")
    if "irmaqr" not in ptr:
        problems.append(f"sessionPtr has no irmaqr (the session type, {kind.name!r})")
    elif ptr["irmaqr"] != kind.name:
        problems.append(
            f"sessionPtr.irmaqr is {ptr['irmaqr']!r} for a {kind.name} session request "
            f"(@context {kind.context})"
        )
    return problems


def frontend_request_problems(package: dict[str, Any]) -> list[str]:
    front = package.get("frontendRequest")
    if not isinstance(front, dict):
        return [
            "frontendRequest is missing: frontends need its authorization for the /irma "
            "frontend endpoints"
        ]
    problems = []
    if not isinstance(front.get("authorization"), str) or not front["authorization"]:
        problems.append(f"frontendRequest.authorization is {front.get('authorization')!r}")
    versions = [front.get(n) for n in ("minProtocolVersion", "maxProtocolVersion")]
    for name, value in zip(("minProtocolVersion", "maxProtocolVersion"), versions, strict=True):
        if not isinstance(value, str) or not _VERSION.match(value):
            problems.append(f'frontendRequest.{name} is {value!r}, not a version like "1.1"')
    if all(isinstance(v, str) and _VERSION.match(v) for v in versions):
        low, high = (tuple(int(p) for p in str(v).split(".")) for v in versions)
        if low > high:
            problems.append(
                f"frontendRequest: minProtocolVersion {versions[0]} is above "
                f"maxProtocolVersion {versions[1]}"
            )
    return problems


def error_problems(exchange: Exchange) -> tuple[list[str], list[str]]:
    """(failures, warnings) of a non-2xx answer against irma.RemoteError."""
    data = json_of(exchange)
    if not isinstance(data, dict):
        text = exchange.text.strip()[:120]
        return [f"the body is not an irma.RemoteError JSON object: {text!r}"], []
    failures: list[str] = []
    warnings: list[str] = []
    error = data.get("error")
    if not isinstance(error, str) or not _ERROR_TYPE.match(error):
        failures.append(f'error is {error!r}, not an error Type (e.g. "SESSION_UNKNOWN")')
    status = data.get("status")
    if "status" not in data:
        warnings.append("no status (the HTTP error code, which the docs' example carries)")
    elif status != exchange.status:
        failures.append(f"status is {status!r} in an HTTP {exchange.status} answer")
    if "description" not in data:
        warnings.append("no description (the English description the docs' example carries)")
    elif not isinstance(data["description"], str):
        failures.append(f"description is {data['description']!r}, not a text")
    return failures, warnings


def result_problems(data: Any, token: str, kind: SessionType, status: str | None) -> list[str]:
    """A session result: token, status (`status` when given) and type, as the docs list them."""
    if not isinstance(data, dict):
        return [f"the result is {type(data).__name__}, not a session result object"]
    problems = []
    if data.get("token") != token:
        problems.append("token is not the session's requestor token")
    if data.get("status") not in STATUSES:
        problems.append(f"status is {data.get('status')!r}, not a session status")
    elif status is not None and data["status"] != status:
        problems.append(f"status is {data['status']!r} where the session is {status}")
    if data.get("type") != kind.name:
        problems.append(f"type is {data.get('type')!r} for a {kind.name} session")
    if "proofStatus" in data and data["proofStatus"] not in ("", None, *PROOF_STATUSES):
        problems.append(f"proofStatus is {data['proofStatus']!r}, not an irma.ProofStatus")
    return problems


def disclosed_problems(
    data: dict[str, Any], condiscon: Sequence[Sequence[Sequence[Any]]]
) -> list[str]:
    """A DONE disclosure result: proofStatus VALID, disclosed mirroring the request."""
    problems = []
    if data.get("proofStatus") != "VALID":
        problems.append(f'proofStatus is {data.get("proofStatus")!r}, not "VALID"')
    disclosed = data.get("disclosed")
    if not isinstance(disclosed, list) or len(disclosed) != len(condiscon):
        count = len(disclosed) if isinstance(disclosed, list) else disclosed
        return [
            *problems,
            f"disclosed has {count!r} items where the request has "
            f"{len(condiscon)} outer conjunctions (the i-th item satisfies the i-th one)",
        ]
    for i, (got, asked) in enumerate(zip(disclosed, condiscon, strict=True)):
        if not isinstance(got, list):
            problems.append(f"disclosed[{i}] is not a list of attributes")
            continue
        ids = [a.get("id") for a in got if isinstance(a, dict)]
        options = [sorted(attribute_ids([[con]])) for con in asked]
        if sorted(str(x) for x in ids) not in options:
            problems.append(
                f"disclosed[{i}] has attributes {ids}, which is none of the inner conjunctions "
                f"asked for: {options}"
            )
        for attribute in got:
            if isinstance(attribute, dict) and attribute.get("status") not in (
                "PRESENT",
                "EXTRA",
                "NULL",
                None,
            ):
                problems.append(
                    f"disclosed[{i}] {attribute.get('id')}: status {attribute.get('status')!r}"
                )
    return problems
