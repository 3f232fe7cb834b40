"""The reference FSC Peer end to end on 127.0.0.1 with real mTLS: Contracts negotiated over its
Manager, tokens used at its Inway, requests through its Outway, the transaction log, the test
hooks, and a few seeded defects."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import yaml

from cgconform.fixtures.defect_names import UnknownDefect
from cgconform.fixtures.fsc.config import PeerConfig
from cgconform.fixtures.fsc.defects import (
    DEFECTS,
    SCENARIOS,
    check_defects,
    defects_for,
)
from cgconform.fixtures.fsc.echo import SERVICE_NAME, echo_server
from cgconform.fixtures.fsc.peer import ReferencePeer, serve_peer
from cgconform.http.mock_server import MockServer, Received, Reply
from cgconform.http.pki import TestPki as Pki  # not collected as a test class
from cgconform.suites.fsc.harness.contracts import (
    connection_grant,
    contract_content,
    signature_payload,
    uuid7,
)
from cgconform.suites.fsc.harness.hashes import content_hash, grant_hash
from cgconform.suites.fsc.harness.jose import Signer, split_compact
from cgconform.suites.fsc.harness.pki import (
    PEER_A_ID,
    PEER_B_ID,
    PEER_C_ID,
    SUT2_ID,
    SUT_ID,
    init_pki,
)

GROUP = "cgconform-test-group"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return init_pki(tmp_path_factory.mktemp("fsc-pki"))


@pytest.fixture(scope="module")
def echo() -> Iterator[MockServer]:
    with echo_server() as server:
        yield server


@pytest.fixture(scope="module")
def peer_a_manager(pki: Pki) -> Iterator[MockServer]:
    """Peer A's Manager as the harness plays it (also the address given for Peers B and C):
    its JWKS, and 201 to every signature propagated to it."""
    identity = pki["peer-a"]
    signer = Signer.from_files(identity.key, identity.chain)

    def handle(request: Received) -> Reply:
        if request.path.endswith("/jwks.json"):
            return Reply.json(200, {"keys": [signer.jwk()]})
        if request.path.endswith("/peer"):
            return Reply.json(200, {"peer": {"id": PEER_A_ID, "name": identity.organization}})
        return Reply.json(201 if request.method in ("POST", "PUT") else 200, {})

    server = MockServer(
        handle,
        cert_chain=(str(identity.chain), str(identity.key)),
        client_ca=str(pki.trust_anchor),
        name="peer-a-manager",
    )
    with server:
        yield server


def _tls(pki: Pki, name: str) -> dict[str, Any]:
    return {"cert": pki[name].requests_cert, "verify": str(pki.trust_anchor), "timeout": 10}


def _submit(
    pki: Pki,
    manager_url: str,
    signer_name: str,
    content: dict[str, Any],
    address: str,
    *,
    sign_only: bool = False,
) -> None:
    """`signer_name` submits `content` with its accept signature to a Manager (POST), or only
    sends that signature (PUT .../accept)."""
    identity = pki[signer_name]
    signer = Signer.from_files(identity.key, identity.chain)
    digest = content_hash(content)
    signature = signer.sign(signature_payload(digest, "accept"))
    response = requests.request(
        "PUT" if sign_only else "POST",
        f"{manager_url}/v1/contracts/{quote(digest, safe='')}/accept"
        if sign_only
        else f"{manager_url}/v1/contracts",
        json={"contract_content": content, "signature": signature},
        headers={"Fsc-Manager-Address": address},
        **_tls(pki, signer_name),
    )
    assert response.status_code == 201, response.text


def _wait_valid(peer: ReferencePeer, content: dict[str, Any], timeout: float = 5.0) -> None:
    digest = content_hash(content)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stored = peer.store.get(digest)
        if stored is not None and stored.is_valid():
            return
        time.sleep(0.05)
    raise AssertionError(f"{peer.identity.name} has no valid Contract {digest}")


def _token(pki: Pki, peer: ReferencePeer, client: str, grant: str) -> str:
    response = requests.post(
        f"{peer.manager_url}/v1/token",
        data={
            "grant_type": "client_credentials",
            "scope": grant,
            "client_id": pki[client].serial_number,
        },
        **_tls(pki, client),
    )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert isinstance(token, str)
    return token


@dataclass
class Provider:
    """A started reference Peer (sut) offering the echo Service, with a valid Contract that
    lets Peer A connect."""

    peer: ReferencePeer
    grant: str
    pki: Pki

    def token(self) -> str:
        return _token(self.pki, self.peer, "peer-a", self.grant)

    def call(
        self, path: str = "/hello", *, client: str = "peer-a", **headers: str
    ) -> requests.Response:
        """A request to the Inway as Peer A's Outway (headers: `_` for `-` in names)."""
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        return requests.get(f"{self.peer.inway_url}{path}", headers=sent, **_tls(self.pki, client))

    def valid_call(self, path: str = "/hello?x=1") -> requests.Response:
        return self.call(path, Fsc_Authorization=self.token(), Fsc_Transaction_Id=uuid7())


@contextmanager
def provider(
    pki: Pki,
    echo: MockServer,
    peer_a_manager: MockServer,
    *defects: str,
    token_lifetime_s: int = 60,
    service_url: str | None = None,
) -> Iterator[Provider]:
    config = PeerConfig(
        pki,
        identity="sut",
        services={SERVICE_NAME: service_url or echo.url},
        defects=frozenset(defects),
        token_lifetime_s=token_lifetime_s,
    )
    with serve_peer(config) as peer:
        content = contract_content(
            group_id=GROUP,
            grants=[
                connection_grant(
                    service_peer=SUT_ID,
                    service_name=SERVICE_NAME,
                    outway_peer=PEER_A_ID,
                    outway_thumbprint=pki["peer-a"].spki_sha256,
                )
            ],
        )
        _submit(pki, peer.manager_url, "peer-a", content, peer_a_manager.url)
        _wait_valid(peer, content)
        yield Provider(peer, grant_hash(content, 0), pki)


@pytest.fixture(scope="module")
def sut(pki: Pki, echo: MockServer, peer_a_manager: MockServer) -> Iterator[Provider]:
    with provider(pki, echo, peer_a_manager) as started:
        yield started


def _error(response: requests.Response, status: int, code: str, domain: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers.get("Fsc-Error-Code") == code
    assert response.json() == {
        "message": response.json()["message"],
        "domain": domain,
        "code": code,
    }


def _echoed(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, dict)
    return body


# -- Inway ---------------------------------------------------------------------------------


def test_inway_proxies_a_valid_request_to_the_service(sut: Provider, echo: MockServer) -> None:
    token = sut.token()
    transaction_id = uuid7()
    mark = echo.mark()
    response = sut.call(
        "/hello/world?x=1", Fsc_Authorization=token, Fsc_Transaction_Id=transaction_id
    )
    seen = _echoed(response)
    assert (seen["method"], seen["path"], seen["query"]) == ("GET", "/hello/world", [["x", "1"]])
    assert seen["headers"]["fsc-authorization"] == token
    assert seen["headers"]["fsc-transaction-id"] == transaction_id
    assert len(echo.requests_since(mark)) == 1
    _, claims = split_compact(token)
    [record] = [r for r in sut.peer.store.log_records if r["transaction_id"] == transaction_id]
    assert record == {
        "transaction_id": transaction_id,
        "direction": "DIRECTION_INCOMING",
        "grant_hash": claims["gth"],
        "source": {"type": "SOURCE_TYPE_SOURCE", "outway_peer_id": PEER_A_ID},
        "destination": {"type": "DESTINATION_TYPE_DESTINATION", "service_peer_id": SUT_ID},
        "service_name": SERVICE_NAME,
        "created_at": record["created_at"],
    }
    assert abs(record["created_at"] - time.time()) < 60


def test_inway_accepts_a_bearer_token(sut: Provider) -> None:
    token = sut.token()
    response = sut.call(Fsc_Authorization=f"Bearer {token}", Fsc_Transaction_Id=uuid7())
    assert _echoed(response)["headers"]["fsc-authorization"] == f"Bearer {token}"


def test_inway_denies_a_request_without_token(sut: Provider, echo: MockServer) -> None:
    mark = echo.mark()
    response = sut.call(Fsc_Transaction_Id=uuid7())
    _error(response, 401, "ERROR_CODE_ACCESS_TOKEN_MISSING", "ERROR_DOMAIN_INWAY")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert echo.requests_since(mark) == []


def test_inway_denies_a_token_bound_to_another_certificate(sut: Provider) -> None:
    response = sut.call(client="peer-b", Fsc_Authorization=sut.token(), Fsc_Transaction_Id=uuid7())
    _error(response, 401, "ERROR_CODE_ACCESS_TOKEN_INVALID", "ERROR_DOMAIN_INWAY")


def test_inway_denies_a_token_it_did_not_issue(sut: Provider, pki: Pki) -> None:
    _, claims = split_compact(sut.token())
    other = pki["peer-a"]
    forged = Signer.from_files(other.key, other.chain).sign(claims)
    response = sut.call(Fsc_Authorization=forged, Fsc_Transaction_Id=uuid7())
    _error(response, 401, "ERROR_CODE_ACCESS_TOKEN_INVALID", "ERROR_DOMAIN_INWAY")


def test_inway_refuses_an_untrusted_certificate(sut: Provider) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        sut.call(client="intruder", Fsc_Authorization=sut.token(), Fsc_Transaction_Id=uuid7())


def test_inway_checks_the_transaction_id(sut: Provider, echo: MockServer) -> None:
    mark = echo.mark()
    missing = sut.call(Fsc_Authorization=sut.token())
    _error(missing, 400, "MISSING_LOG_RECORD_ID", "ERROR_DOMAIN_INWAY")
    invalid = sut.call(Fsc_Authorization=sut.token(), Fsc_Transaction_Id="not-a-uuid")
    _error(invalid, 400, "INVALID_LOG_RECORD_ID", "ERROR_DOMAIN_INWAY")
    assert echo.requests_since(mark) == []


def test_inway_with_a_broken_log_does_not_call_the_service(sut: Provider, echo: MockServer) -> None:
    token = sut.token()
    assert requests.post(f"{sut.peer.admin_url}/break-log", timeout=10).status_code == 204
    try:
        mark = echo.mark()
        response = sut.call(Fsc_Authorization=token, Fsc_Transaction_Id=uuid7())
        _error(response, 500, "TRANSACTION_LOG_WRITE_ERROR", "ERROR_DOMAIN_INWAY")
        assert echo.requests_since(mark) == []
    finally:
        assert requests.post(f"{sut.peer.admin_url}/restore-log", timeout=10).status_code == 204
    _echoed(sut.call(Fsc_Authorization=token, Fsc_Transaction_Id=uuid7()))


def test_inway_answers_502_when_the_service_is_unreachable(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer
) -> None:
    with provider(pki, echo, peer_a_manager, service_url="http://127.0.0.1:9") as started:
        response = started.valid_call()
    _error(response, 502, "ERROR_CODE_SERVICE_UNREACHABLE", "ERROR_DOMAIN_INWAY")


# -- Outway --------------------------------------------------------------------------------


def _delegated_grant(provider: Provider, manager: MockServer) -> str:
    """A valid Contract: Peer A connects on behalf of Peer B (DelegatedServiceConnectionGrant)
    to the echo Service the provider offers on behalf of Peer C; each harness Peer signs."""
    pki = provider.pki
    content = contract_content(
        group_id=GROUP,
        grants=[
            connection_grant(
                service_peer=SUT_ID,
                service_name=SERVICE_NAME,
                service_delegator=PEER_C_ID,
                outway_peer=PEER_A_ID,
                outway_thumbprint=pki["peer-a"].spki_sha256,
                delegator=PEER_B_ID,
            )
        ],
    )
    _submit(pki, provider.peer.manager_url, "peer-a", content, manager.url)
    for name in ("peer-b", "peer-c"):
        _submit(pki, provider.peer.manager_url, name, content, manager.url, sign_only=True)
    _wait_valid(provider.peer, content)
    return grant_hash(content, 0)


def test_inway_logs_the_delegators_unless_defective(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer, sut: Provider
) -> None:
    defects = ("inway-no-source-delegator", "inway-no-destination-delegator")
    with provider(pki, echo, peer_a_manager, *defects) as defective:
        for started, delegated in ((sut, True), (defective, False)):
            grant = _delegated_grant(started, peer_a_manager)
            token = _token(pki, started.peer, "peer-a", grant)
            transaction_id = uuid7()
            _echoed(started.call(Fsc_Authorization=token, Fsc_Transaction_Id=transaction_id))
            [record] = [
                r for r in started.peer.store.log_records if r["transaction_id"] == transaction_id
            ]
            source = {"type": "SOURCE_TYPE_SOURCE", "outway_peer_id": PEER_A_ID}
            destination = {"type": "DESTINATION_TYPE_DESTINATION", "service_peer_id": SUT_ID}
            if delegated:
                source |= {"type": "SOURCE_TYPE_DELEGATED_SOURCE", "delegator_peer_id": PEER_B_ID}
                destination |= {
                    "type": "DESTINATION_TYPE_DELEGATED_DESTINATION",
                    "delegator_peer_id": PEER_C_ID,
                }
            assert (record["source"], record["destination"]) == (source, destination)


def test_inway_logs_before_proxying_unless_defective(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer
) -> None:
    """At the moment the Service receives the request, the record is there (N17)."""
    stores: dict[str, ReferencePeer] = {}
    seen: list[bool] = []

    def probe(request: Received) -> Reply:
        peer = stores[request.path.strip("/")]
        tid = request.header("Fsc-Transaction-Id")
        seen.append(any(r["transaction_id"] == tid for r in peer.store.log_records))
        return Reply.json(200, {})

    service = MockServer(probe, name="probe-service")
    with (
        service,
        provider(pki, echo, peer_a_manager, service_url=service.url) as strict,
        provider(
            pki, echo, peer_a_manager, "inway-logs-after-proxy", service_url=service.url
        ) as late,
    ):
        stores.update(strict=strict.peer, late=late.peer)
        assert strict.valid_call("/strict").status_code == 200
        assert late.valid_call("/late").status_code == 200
        assert len(late.peer.store.log_records) == 1  # written, but afterwards
    assert seen == [True, False]


@contextmanager
def consumer_of(provider: Provider, *defects: str) -> Iterator[tuple[ReferencePeer, str]]:
    """A second reference Peer (sut-2) with a valid Contract to use the provider's echo Service;
    yields it and the Grant hash. The Contract is submitted by sut-2 (signed by it) to the
    provider's Manager, which accepts and propagates its signature to sut-2's Manager."""
    pki = provider.pki
    config = PeerConfig(pki, identity="sut-2", defects=frozenset(defects))
    with serve_peer(config) as peer:
        content = contract_content(
            group_id=GROUP,
            grants=[
                connection_grant(
                    service_peer=SUT_ID,
                    service_name=SERVICE_NAME,
                    outway_peer=SUT2_ID,
                    outway_thumbprint=pki["sut-2"].spki_sha256,
                )
            ],
        )
        _submit(pki, provider.peer.manager_url, "sut-2", content, peer.manager_url)
        _wait_valid(provider.peer, content)
        _wait_valid(peer, content)
        yield peer, grant_hash(content, 0)


@pytest.fixture(scope="module")
def consumer(sut: Provider) -> Iterator[tuple[ReferencePeer, str]]:
    with consumer_of(sut) as started:
        yield started


def _via(peer: ReferencePeer, grant: str | None, path: str = "/x") -> requests.Response:
    headers = {"Fsc-Grant-Hash": grant} if grant is not None else {}
    return requests.get(f"{peer.outway_url}{path}", headers=headers, timeout=10)


def test_outway_sends_a_request_through_the_inway_to_the_service(
    consumer: tuple[ReferencePeer, str], sut: Provider, echo: MockServer
) -> None:
    peer, grant = consumer
    mark = echo.mark()
    response = requests.post(
        f"{peer.outway_url}/some/path?q=a+b",
        headers={"Fsc-Grant-Hash": grant, "X-Client": "1"},
        data=b"payload",
        timeout=10,
    )
    seen = _echoed(response)
    assert (seen["method"], seen["path"], seen["query"]) == ("POST", "/some/path", [["q", "a b"]])
    assert seen["body"] == "payload"
    assert seen["headers"]["x-client"] == "1"
    assert "fsc-grant-hash" not in seen["headers"]
    transaction_id = response.headers["Fsc-Transaction-Id"]
    assert seen["headers"]["fsc-transaction-id"] == transaction_id
    _, claims = split_compact(seen["headers"]["fsc-authorization"])
    assert claims["sub"] == SUT2_ID
    assert len(echo.requests_since(mark)) == 1
    [outgoing] = [r for r in peer.store.log_records if r["transaction_id"] == transaction_id]
    assert outgoing["direction"] == "DIRECTION_OUTGOING"
    assert outgoing["source"] == {"type": "SOURCE_TYPE_SOURCE", "outway_peer_id": SUT2_ID}
    assert outgoing["destination"] == {
        "type": "DESTINATION_TYPE_DESTINATION",
        "service_peer_id": SUT_ID,
    }
    incoming = [r for r in sut.peer.store.log_records if r["transaction_id"] == transaction_id]
    assert [r["direction"] for r in incoming] == ["DIRECTION_INCOMING"]


def test_outway_logs_the_delegators_unless_defective(
    sut: Provider, peer_a_manager: MockServer
) -> None:
    """sut-2 connects on behalf of Peer B to the echo Service sut offers on behalf of Peer C."""
    pki = sut.pki
    defects = ("outway-no-source-delegator", "outway-no-destination-delegator")
    with consumer_of(sut) as (strict, _), consumer_of(sut, *defects) as (lenient, _):
        for peer, delegated in ((strict, True), (lenient, False)):
            content = contract_content(
                group_id=GROUP,
                grants=[
                    connection_grant(
                        service_peer=SUT_ID,
                        service_name=SERVICE_NAME,
                        service_delegator=PEER_C_ID,
                        outway_peer=SUT2_ID,
                        outway_thumbprint=pki["sut-2"].spki_sha256,
                        delegator=PEER_B_ID,
                    )
                ],
            )
            _submit(pki, sut.peer.manager_url, "sut-2", content, peer.manager_url)
            for name in ("peer-b", "peer-c"):
                for manager_url in (sut.peer.manager_url, peer.manager_url):
                    _submit(pki, manager_url, name, content, peer_a_manager.url, sign_only=True)
            _wait_valid(peer, content)
            response = _via(peer, grant_hash(content, 0))
            assert response.status_code == 200, response.text
            transaction_id = response.headers["Fsc-Transaction-Id"]
            [record] = [r for r in peer.store.log_records if r["transaction_id"] == transaction_id]
            source = {"type": "SOURCE_TYPE_SOURCE", "outway_peer_id": SUT2_ID}
            destination = {"type": "DESTINATION_TYPE_DESTINATION", "service_peer_id": SUT_ID}
            if delegated:
                source |= {"type": "SOURCE_TYPE_DELEGATED_SOURCE", "delegator_peer_id": PEER_B_ID}
                destination |= {
                    "type": "DESTINATION_TYPE_DELEGATED_DESTINATION",
                    "delegator_peer_id": PEER_C_ID,
                }
            assert (record["source"], record["destination"]) == (source, destination)


def test_outway_refuses_what_it_cannot_get_a_token_for(
    consumer: tuple[ReferencePeer, str], sut: Provider
) -> None:
    peer, _ = consumer
    mark = sut.peer.servers["inway"].mark()
    missing = _via(peer, None)
    _error(missing, 400, "ERROR_CODE_GRANT_HASH_MISSING", "ERROR_DOMAIN_OUTWAY")
    unknown = _via(peer, "$1$3$AAAA")
    _error(unknown, 403, "ERROR_CODE_GRANT_NOT_FOUND", "ERROR_DOMAIN_OUTWAY")
    # peer-a's Grant, on a Contract sut-2 is not on (and does not know)
    _error(_via(peer, sut.grant), 403, "ERROR_CODE_GRANT_NOT_FOUND", "ERROR_DOMAIN_OUTWAY")
    assert sut.peer.servers["inway"].requests_since(mark) == []


def test_outway_answers_connect_with_405(consumer: tuple[ReferencePeer, str]) -> None:
    peer, _ = consumer
    server = peer.servers["outway"]
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    try:
        connection.request("CONNECT", "127.0.0.1:443")
        response = connection.getresponse()
        assert response.status == 405
        assert response.getheader("Fsc-Error-Code") == "ERROR_CODE_METHOD_UNSUPPORTED"
    finally:
        connection.close()


def test_outway_with_a_broken_log_sends_nothing(
    consumer: tuple[ReferencePeer, str], sut: Provider
) -> None:
    peer, grant = consumer
    mark = sut.peer.servers["inway"].mark()
    assert requests.post(f"{peer.admin_url}/break-log", timeout=10).status_code == 204
    try:
        response = _via(peer, grant)
        _error(response, 500, "TRANSACTION_LOG_WRITE_ERROR", "ERROR_DOMAIN_OUTWAY")
    finally:
        requests.post(f"{peer.admin_url}/restore-log", timeout=10)
    assert sut.peer.servers["inway"].requests_since(mark) == []


# -- defects -------------------------------------------------------------------------------


def test_every_inway_and_outway_defect_names_a_scenario_of_the_catalogue(pki: Pki) -> None:
    known = set()
    for name in ("FSC-TestSuite-2026-01-13.yaml", "Digikoppeling-REST-2.0.yaml"):
        catalogue = Path(__file__).parents[2] / "profiles/standards" / name
        known |= {entry["id"] for entry in yaml.safe_load(catalogue.read_text())["requirements"]}
    assert set(SCENARIOS) == {n for n in DEFECTS if n.startswith(("inway-", "outway-"))}
    assert set(SCENARIOS.values()) <= known
    assert defects_for("Inway-TransactionLog-1") == [
        "inway-logs-after-proxy",
        "inway-no-log-record",
    ]
    with pytest.raises(UnknownDefect):
        check_defects(["inway-does-not-exist"])
    with pytest.raises(UnknownDefect):
        ReferencePeer(PeerConfig(pki, defects=frozenset({"nonsense"})))


def test_defect_inway_accepts_missing_token_and_untrusted_certificate(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer
) -> None:
    defects = ("inway-accepts-missing-token", "inway-accepts-untrusted-certificate")
    with provider(pki, echo, peer_a_manager, *defects) as started:
        _echoed(started.call(Fsc_Transaction_Id=uuid7()))
        token = started.token()
        _echoed(
            started.call(client="intruder", Fsc_Authorization=token, Fsc_Transaction_Id=uuid7())
        )


def test_defect_inway_strips_token_and_drops_transaction_id(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer
) -> None:
    defects = ("inway-strips-token", "inway-drops-transaction-id", "inway-no-log-record")
    with provider(pki, echo, peer_a_manager, *defects) as started:
        seen = _echoed(started.valid_call())
        assert "fsc-authorization" not in seen["headers"]
        assert "fsc-transaction-id" not in seen["headers"]
        assert started.peer.store.log_records == []


def test_defect_inway_ignores_log_failure(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer
) -> None:
    with provider(pki, echo, peer_a_manager, "inway-ignores-log-failure") as started:
        started.peer.store.log_broken = True
        _echoed(started.valid_call())


def test_inway_denies_an_expired_token_unless_defective(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer
) -> None:
    with (
        provider(pki, echo, peer_a_manager, token_lifetime_s=1) as strict,
        provider(
            pki, echo, peer_a_manager, "inway-accepts-expired-token", token_lifetime_s=1
        ) as lenient,
    ):
        tokens = (strict.token(), lenient.token())
        time.sleep(1.2)
        expired = strict.call(Fsc_Authorization=tokens[0], Fsc_Transaction_Id=uuid7())
        _error(expired, 401, "ERROR_CODE_ACCESS_TOKEN_EXPIRED", "ERROR_DOMAIN_INWAY")
        _echoed(lenient.call(Fsc_Authorization=tokens[1], Fsc_Transaction_Id=uuid7()))


def test_defects_of_the_outway(pki: Pki, echo: MockServer, peer_a_manager: MockServer) -> None:
    defects = ("outway-alters-path", "outway-no-transaction-id", "outway-forwards-without-grant")
    with (
        provider(pki, echo, peer_a_manager) as started,
        consumer_of(started, *defects) as (peer, grant),
    ):
        response = _via(peer, grant, "/a")
        # the conformant Inway refuses the request for its missing Transaction ID; it got /x/a
        _error(response, 400, "MISSING_LOG_RECORD_ID", "ERROR_DOMAIN_INWAY")
        # a Grant it has no Contract for: sent, without token, to the Inway it knows
        _error(
            _via(peer, "$1$3$AAAA"), 401, "ERROR_CODE_ACCESS_TOKEN_MISSING", "ERROR_DOMAIN_INWAY"
        )
        received = started.peer.servers["inway"].received
        assert [r.path for r in received] == ["/x/a", "/x/x"]
        assert "fsc-authorization" not in received[1].headers


def test_outway_reports_an_unreachable_inway_unless_defective(
    pki: Pki, echo: MockServer, peer_a_manager: MockServer
) -> None:
    with (
        provider(pki, echo, peer_a_manager) as started,
        consumer_of(started) as (strict, strict_grant),
        consumer_of(started, "outway-hides-inway-failure") as (lenient, lenient_grant),
    ):
        started.peer.servers["inway"].stop()
        response = _via(strict, strict_grant)
        _error(response, 502, "ERROR_CODE_SERVICE_UNREACHABLE", "ERROR_DOMAIN_OUTWAY")
        assert _via(lenient, lenient_grant).status_code == 200
