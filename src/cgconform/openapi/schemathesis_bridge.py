"""What schemathesis needs from cgconform's HTTP layer: an exchange as its `Response`, so its
state machine can follow links in answers that cgconform sent and recorded."""

from __future__ import annotations

from typing import Any

from cgconform.http.evidence import Exchange


def as_schemathesis_response(exchange: Exchange) -> Any:
    """The exchange in the shape schemathesis reads link values (body, headers) from."""
    import requests
    from schemathesis.core.transport import Response

    headers: dict[str, list[str]] = {}
    for name, value in exchange.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    prepared = requests.Request(exchange.request.method, exchange.request.url).prepare()
    return Response(
        status_code=exchange.status,
        headers=headers,
        content=exchange.body,
        request=prepared,
        elapsed=exchange.elapsed_s,
        verify=True,
    )
