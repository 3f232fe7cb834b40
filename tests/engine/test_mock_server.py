"""The servers suites run while they play other parties (cgconform.http.mock_server), and the
HTTP layer's other identities (HttpClient.with_identity)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from cgconform.http.budget import Budget, RateLimiter
from cgconform.http.client import HttpClient
from cgconform.http.mock_server import MockServer, Received, Reply, free_port
from cgconform.http.pki import IdentitySpec, TestPki, create_pki
from cgconform.http.redaction import Redactor
from cgconform.model.outcomes import TargetUnreachable


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return create_pki(
        tmp_path_factory.mktemp("pki"),
        [
            IdentitySpec("server", "Org S", "00000001"),
            IdentitySpec("client", "Org C", "00000002"),
            IdentitySpec("stranger", "Org X", "00000003", trusted=False),
        ],
    )


def _client(pki: TestPki, name: str | None) -> HttpClient:
    base = HttpClient(
        budget=Budget(10),
        rate_limiter=RateLimiter(None),
        redactor=Redactor({}),
        verify=str(pki.trust_anchor),
    )
    return base if name is None else base.with_identity(pki[name].requests_cert)


def test_records_requests_and_the_client_certificate(pki: TestPki) -> None:
    seen: list[Received] = []

    def handler(request: Received) -> Reply:
        seen.append(request)
        return Reply.json(201, {"echo": request.json()}, {"X-Test": "1"})

    server = pki["server"]
    with MockServer(
        handler, cert_chain=(str(server.chain), str(server.key)), client_ca=str(pki.trust_anchor)
    ) as mock:
        client = _client(pki, "client")
        exchange = client.post(f"{mock.url}/v1/x?a=1", json={"k": "v"}, headers={"H": "h"})
        assert exchange.status == 201 and exchange.json() == {"echo": {"k": "v"}}
        assert exchange.headers["X-Test"] == "1"
        assert mock.received == seen and len(seen) == 1
        got = seen[0]
        assert (got.method, got.path, got.query, got.header("h")) == (
            "POST",
            "/v1/x",
            [("a", "1")],
            "h",
        )
        assert got.client_cert_der is not None
        # the other identity shares the budget of the client it came from
        assert client.budget.sent == 1


def test_untrusted_or_missing_client_certificate_is_refused(pki: TestPki) -> None:
    server = pki["server"]
    with MockServer(
        lambda r: Reply(200),
        cert_chain=(str(server.chain), str(server.key)),
        client_ca=str(pki.trust_anchor),
    ) as mock:
        for name in ("stranger", None):
            with pytest.raises(TargetUnreachable):
                _client(pki, name).get(mock.url)
        assert mock.received == [] and mock.errors  # recorded, not printed


def test_a_failing_handler_answers_500(pki: TestPki) -> None:
    def broken(_: Received) -> Reply:
        raise RuntimeError("bug")

    with MockServer(broken) as mock:
        response = requests.get(mock.url, timeout=5)
        assert response.status_code == 500
        assert mock.errors == ["RuntimeError: bug"]


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with (
        MockServer(lambda r: Reply(200)) as mock,
        pytest.raises(OSError, match=r"cannot listen on 127\.0\.0\.1"),
    ):
        MockServer(lambda r: Reply(200), port=mock.port)
    assert free_port() > 0
