"""How a scenario judges an answer: accepted, rejected (with the error the texts give), and
what a finding says (what was sent, what came back, what the standard asks)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Failure, Warning

# docs/fsc-notes.md N5: the prose and the yaml name the "not part of the Contract" error
# differently; every spelling is accepted.
NOT_PART_OF_CONTRACT = (
    "ERROR_CODE_PEER_NOT_PART_OF_CONTRACT",
    "ERROR_CODE_SUBMITTING_PEER_NOT_PART_OF_CONTRACT",
    "ERROR_CODE_RECEIVING_PEER_NOT_PART_OF_CONTRACT",
)


def body(exchange: Exchange) -> Any:
    try:
        return exchange.json()
    except ValueError:
        return None


def listing(exchange: Exchange, key: str) -> list[dict[str, Any]]:
    """The objects of a list answer (``{"contracts": [...], "pagination": ...}``): what is
    there and is an object; nothing for any other shape."""
    data = body(exchange)
    items = data.get(key) if isinstance(data, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def error_code(exchange: Exchange) -> str | None:
    """The code an error answer gives: header Fsc-Error-Code, else the body's `code`."""
    header = exchange.headers.get("Fsc-Error-Code")
    if header:
        return header.strip()
    data = body(exchange)
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return str(data["code"])
    return None


def line(exchange: Exchange) -> str:
    """`PUT https://.../accept → 422 (Fsc-Error-Code: X)`"""
    code = error_code(exchange)
    suffix = f" (Fsc-Error-Code: {code})" if code else ""
    return f"{exchange.request.method} {exchange.request.url} → {exchange.status}{suffix}"


def _snippet(exchange: Exchange) -> str:
    text = exchange.text.strip().replace("\n", " ")
    return text[:300] + ("…" if len(text) > 300 else "")


def expect_created(exchange: Exchange, what: str, asks: str) -> None:
    """201 passes; another 2xx is a warning (the yaml gives 201); anything else fails."""
    if exchange.status == 201:
        return
    evidence = [exchange.to_evidence()]
    if 200 <= exchange.status < 300:
        raise Warning(
            f"{what} was accepted, but with HTTP {exchange.status} where manager.yaml gives "
            f"201: {line(exchange)}",
            evidence=evidence,
        )
    raise Failure(
        f"{what} was not accepted: {line(exchange)} {_snippet(exchange)}. {asks}",
        evidence=evidence,
    )


def expect_rejected(
    exchange: Exchange,
    what: str,
    asks: str,
    *,
    status: int | Sequence[int] = 422,
    codes: Iterable[str] = (),
    domain: str | None = "ERROR_DOMAIN_MANAGER",
) -> None:
    """A 4xx passes; the status, code and error object the texts give are checked too, and a
    difference there is a warning (N5). 2xx (accepted) and 5xx fail."""
    _client_error_or_fail(
        exchange,
        f"{what} was accepted",
        f"{what} gave a server error instead of a rejection",
        asks,
    )
    wanted_status = (status,) if isinstance(status, int) else tuple(status)
    notes = []
    if exchange.status not in wanted_status:
        notes.append(
            f"HTTP {exchange.status} where the texts give {'/'.join(map(str, wanted_status))}"
        )
    wanted = tuple(codes)
    code = error_code(exchange)
    if wanted and code not in wanted:
        notes.append(f"error code {code or '(none)'} where the texts give {' or '.join(wanted)}")
    if domain is not None:
        notes.extend(_error_object_problems(exchange, domain))
    _warn_about(notes, f"{what} was rejected ({line(exchange)}), as the scenario asks", exchange)


def _error_object_problems(exchange: Exchange, domain: str) -> list[str]:
    data = body(exchange)
    if not isinstance(data, dict):
        return ["the body is not the error object {message, domain, code} of manager.yaml"]
    problems = [
        f"the error object lacks `{k}`" for k in ("message", "domain", "code") if k not in data
    ]
    if "domain" in data and data["domain"] != domain:
        problems.append(f"domain {data['domain']!r} where the texts give {domain}")
    if not exchange.headers.get("Fsc-Error-Code"):
        problems.append("no Fsc-Error-Code header")
    return problems


def expect_oauth_error(exchange: Exchange, what: str, asks: str, *, errors: Iterable[str]) -> None:
    """RFC 6749 §5.2: 400 with {"error": ...}; 2xx and 5xx fail, another error a warning."""
    _client_error_or_fail(
        exchange,
        f"{what}: a token was issued",
        f"{what}: server error instead of an OAuth error response",
        asks,
    )
    data = body(exchange)
    error = data.get("error") if isinstance(data, dict) else None
    wanted = tuple(errors)
    notes = []
    if exchange.status != 400:
        notes.append(f"HTTP {exchange.status} where RFC 6749 §5.2 gives 400")
    if error not in wanted:
        notes.append(f"error {error!r} where {' or '.join(wanted)} fits (RFC 6749 §5.2)")
    _warn_about(notes, f"{what}: refused ({line(exchange)}), as the scenario asks", exchange)


def _client_error_or_fail(exchange: Exchange, accepted: str, server_error: str, asks: str) -> None:
    """Failure unless the answer is a 4xx: a 2xx means the fault was accepted, a 5xx that the
    SUT broke instead of refusing."""
    evidence = [exchange.to_evidence()]
    if exchange.status < 400:
        raise Failure(f"{accepted}: {line(exchange)}. {asks}", evidence=evidence)
    if exchange.status >= 500:
        raise Failure(
            f"{server_error}: {line(exchange)} {_snippet(exchange)}. {asks}", evidence=evidence
        )


def _warn_about(notes: list[str], head: str, exchange: Exchange) -> None:
    """A refusal as the scenario asks, with what differs from the texts: a warning (N5)."""
    if notes:
        raise Warning(f"{head}, but: " + "; ".join(notes), evidence=[exchange.to_evidence()])


def require(condition: bool, message: str, exchanges: Sequence[Exchange] = ()) -> None:
    if not condition:
        raise Failure(message, evidence=[e.to_evidence() for e in exchanges])
