"""The reference FSC Peer's Manager (fixtures/fsc/manager.py) does what FSC Core and FSC Logging
ask, over real mTLS: Contracts are validated, signatures verified (the certificate from the TLS
connection or from the submitting Peer's JWKS), auto-accepted and propagated, tokens carry the
claims and verify with the Manager's JWKS key; and seeded defects change what they claim to.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import requests

from cgconform.fixtures.fsc.config import PeerConfig
from cgconform.fixtures.fsc.manager import ManagerApp
from cgconform.fixtures.fsc.manager_defects import MANAGER_DEFECT_SCENARIOS, MANAGER_DEFECTS
from cgconform.fixtures.fsc.store import Store
from cgconform.http import pki as pkilib
from cgconform.http.mock_server import MockServer, Received, Reply
from cgconform.suites.fsc.harness.contracts import (
    connection_grant,
    contract_content,
    publication_grant,
    signature_payload,
)
from cgconform.suites.fsc.harness.hashes import content_hash, grant_hash
from cgconform.suites.fsc.harness.jose import (
    Signer,
    cert_thumbprint,
    certificates_from_jwk,
    der,
    split_compact,
    verify_compact,
)
from cgconform.suites.fsc.harness.pki import PEER_A_ID, PEER_B_ID, PEER_C_ID, SUT_ID, init_pki

SERVICE = "cgconform-echo"
INWAY = "https://127.0.0.1:12345"
Json = dict[str, Any]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> pkilib.TestPki:
    return init_pki(tmp_path_factory.mktemp("fsc-pki"))


@pytest.fixture(scope="module")
def peer_a_manager(pki: pkilib.TestPki) -> Iterator[MockServer]:
    """Harness Peer A's mock Manager: its JWKS (EC and RSA key), accepts propagated signatures."""
    # Peer B's key too: a JWKS naming another Peer's certificate (PEER_ID_SIGNATURE_MISMATCH)
    keys = [signer(pki[name]).jwk() for name in ("peer-a", "peer-a-rsa", "peer-b")]

    def handle(request: Received) -> Reply:
        if request.path == "/v1/.well-known/jwks.json":
            return Reply.json(200, {"keys": keys})
        if request.method == "PUT" and request.path.startswith("/v1/contracts/"):
            return Reply(201)
        return Reply.json(404, {"message": "not here"})

    server = MockServer(
        handle,
        cert_chain=(str(pki["peer-a"].chain), str(pki["peer-a"].key)),
        client_ca=str(pki.trust_anchor),
        name="peer-a-manager",
    )
    with server:
        yield server


@dataclass
class Running:
    app: ManagerApp
    server: MockServer
    pki: pkilib.TestPki
    harness_address: str  # Peer A's mock Manager: what every harness request names

    def call(
        self,
        method: str,
        path: str,
        *,
        peer: str = "peer-a",
        address: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = {"Fsc-Manager-Address": self.harness_address if address is None else address}
        return requests.request(
            method,
            f"{self.server.url}{path}",
            headers={k: v for k, v in headers.items() if v},
            cert=self.pki[peer].requests_cert,
            verify=str(self.pki.trust_anchor),
            timeout=5,
            **kwargs,
        )

    def submit(self, content: Json, *, peer: str = "peer-a", **kwargs: Any) -> requests.Response:
        signature = kwargs.pop("signature", None) or sign(self.pki[peer], content)
        body = {"contract_content": content, "signature": signature}
        return self.call("POST", "/v1/contracts", peer=peer, json=body, **kwargs)

    def place(
        self, kind: str, content: Json, *, peer: str, signature: str | None = None, **kw: Any
    ) -> requests.Response:
        url_hash = kw.pop("url_hash", None) or content_hash(content)
        body = {
            "contract_content": content,
            "signature": signature or sign(self.pki[peer], content, kind),
        }
        path = f"/v1/contracts/{quote(url_hash, safe='')}/{kind}"
        return self.call("PUT", path, peer=peer, json=body, **kw)

    def token(self, scope: str, *, peer: str = "peer-a", **form: str) -> requests.Response:
        data = {"grant_type": "client_credentials", "scope": scope, "client_id": PEER_A_ID}
        data.update(form)
        return self.call("POST", "/v1/token", peer=peer, data={k: v for k, v in data.items() if v})

    def contracts(self, peer: str = "peer-a", **params: str) -> list[Json]:
        reply = self.call("GET", "/v1/contracts", peer=peer, params=params)
        assert reply.status_code == 200, reply.text
        return list(reply.json()["contracts"])


@pytest.fixture(scope="module")
def start(pki: pkilib.TestPki, peer_a_manager: MockServer) -> Iterator[Callable[..., Running]]:
    """Start a reference Manager (with seeded defects); all stop together at the end (a
    MockServer takes half a second to stop)."""
    servers: list[MockServer] = []

    def start_manager(*defects: str, auto_accept: bool = True) -> Running:
        assert set(defects) <= set(MANAGER_DEFECTS)
        config = PeerConfig(
            pki=pki,
            services={SERVICE: "http://127.0.0.1:9"},
            defects=frozenset(defects),
            auto_accept=auto_accept,
        )
        app = ManagerApp(config, Store(), INWAY)
        sut = pki["sut"]
        server = MockServer(
            app.handle, cert_chain=(str(sut.chain), str(sut.key)), client_ca=str(pki.trust_anchor)
        ).start()
        servers.append(server)
        app.address = server.url
        return Running(app, server, pki, peer_a_manager.url)

    yield start_manager
    stopping = [threading.Thread(target=server.stop) for server in servers]
    for thread in stopping:
        thread.start()
    for thread in stopping:
        thread.join()


@pytest.fixture
def manager(start: Callable[..., Running]) -> Iterator[Running]:
    running = start()
    yield running
    assert not [e for e in running.app.errors if "Traceback" in e]


@functools.cache
def signer(identity: pkilib.Identity) -> Signer:
    return Signer.from_files(identity.key, identity.chain)


def sign(identity: pkilib.Identity, content: Json, kind: str = "accept", **kw: Any) -> str:
    return signer(identity).sign(signature_payload(content_hash(content), kind), **kw)


def connection(pki: pkilib.TestPki, **kw: Any) -> Json:
    grant = connection_grant(
        service_peer=SUT_ID,
        service_name=SERVICE,
        outway_peer=PEER_A_ID,
        outway_thumbprint=pki["peer-a"].spki_sha256,
        **kw,
    )
    return contract_content(group_id="cgconform-test-group", grants=[grant])


def error_code(reply: requests.Response) -> str:
    body = reply.json()
    assert body["domain"] == "ERROR_DOMAIN_MANAGER" and body["message"], body
    assert reply.headers["Fsc-Error-Code"] == body["code"]
    return str(body["code"])


def accept_all(running: Running, content: Json, *peers: str) -> None:
    for peer in peers:
        reply = running.place("accept", content, peer=peer)
        assert reply.status_code == 201, reply.text


# -- submitting Contracts ------------------------------------------------------------------------


def test_valid_contract_is_created_accepted_and_propagated(
    manager: Running, peer_a_manager: MockServer
) -> None:
    mark = peer_a_manager.mark()
    content = connection(manager.pki)
    reply = manager.submit(content)
    assert reply.status_code == 201, reply.text

    listed = manager.contracts(grant_hash=grant_hash(content, 0))
    assert [c["content"] for c in listed] == [content]
    accepts = listed[0]["signatures"]["accept"]
    assert set(accepts) == {PEER_A_ID, SUT_ID}
    jwks = manager.call("GET", "/v1/.well-known/jwks.json").json()
    sut_cert = certificates_from_jwk(jwks["keys"][0])[0]
    payload = verify_compact(accepts[SUT_ID], sut_cert)
    assert payload["contract_content_hash"] == content_hash(content)
    assert payload["type"] == "accept"

    deadline = time.time() + 3
    while time.time() < deadline and not peer_a_manager.requests_since(mark):
        time.sleep(0.05)
    propagated = peer_a_manager.requests_since(mark)
    assert [r.method for r in propagated] == ["PUT"]
    assert propagated[0].path == f"/v1/contracts/{quote(content_hash(content), safe='')}/accept"
    assert propagated[0].header("Fsc-Manager-Address") == manager.server.url
    assert propagated[0].json()["signature"] == accepts[SUT_ID]
    assert propagated[0].json()["contract_content"] == content


def test_resubmission_is_idempotent_and_an_iv_is_used_once(manager: Running) -> None:
    content = connection(manager.pki)
    assert manager.submit(content).status_code == 201
    assert manager.submit(content).status_code == 201
    other = {**content, "created_at": content["created_at"] - 1}
    reply = manager.submit(other)
    assert reply.status_code == 422 and "iv" in reply.json()["message"]


def test_rsa_signature_found_in_the_submitters_jwks_is_accepted(manager: Running) -> None:
    content = connection(manager.pki)
    signature = sign(manager.pki["peer-a-rsa"], content)
    assert split_compact(signature)[0]["alg"] == "RS256"
    reply = manager.submit(content, signature=signature)  # TLS as peer-a: the EC certificate
    assert reply.status_code == 201, reply.text
    assert len(manager.app.finder._cache) == 1


def test_contract_of_another_group_is_refused(manager: Running) -> None:
    content = {**connection(manager.pki), "group_id": "another-group"}
    reply = manager.submit(content)
    assert reply.status_code == 422
    assert error_code(reply) == "ERROR_CODE_INCORRECT_GROUP_ID"
    assert manager.app.store.contracts == {}


@pytest.mark.parametrize(
    "fault, status, code",
    [
        ("mixed-grants", 422, "ERROR_CODE_GRANT_COMBINATION_NOT_ALLOWED"),
        ("unknown-hash-algorithm", 422, "ERROR_CODE_UNKNOWN_HASH_ALGORITHM_HASH"),
        ("submitter-not-on-contract", 422, "ERROR_CODE_PEER_NOT_PART_OF_CONTRACT"),
        ("unknown-service", 422, "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED"),
        ("bad-thumbprint", 422, "ERROR_CODE_INCORRECT_PUBLIC_KEY_THUMBPRINT"),
        ("expired", 422, "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED"),
        ("PS256", 422, "ERROR_CODE_UNKNOWN_ALGORITHM_SIGNATURE"),
        ("not-a-jws", 422, "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED"),
        ("other-peer-signs", 422, "ERROR_CODE_PEER_ID_SIGNATURE_MISMATCH"),
        ("other-contract-hash", 422, "ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH"),
        ("reject-type", 422, "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED"),
        ("no-manager-address", 400, None),
        ("http-manager-address", 400, None),
    ],
)
def test_faulty_submission_is_refused(
    manager: Running, fault: str, status: int, code: str | None
) -> None:
    pki = manager.pki
    content = connection(pki)
    kw: dict[str, Any] = {}
    if fault == "mixed-grants":
        publication = publication_grant(
            directory_peer=SUT_ID, service_peer=PEER_A_ID, service_name="a-service"
        )
        content["grants"].append(publication)
    elif fault == "unknown-hash-algorithm":
        content["hash_algorithm"] = "HASH_ALGORITHM_SHA3_256"
        kw["signature"] = sign(pki["peer-a"], connection(pki))
    elif fault == "submitter-not-on-contract":
        kw["peer"] = "peer-c"
    elif fault == "unknown-service":
        content["grants"][0]["data"]["service"]["name"] = "not-offered"
    elif fault == "bad-thumbprint":
        content["grants"][0]["data"]["outway"]["public_key_thumbprint"] = "abc"
    elif fault == "expired":
        content["validity"]["not_after"] = int(time.time()) - 1
    elif fault == "PS256":
        kw["signature"] = sign(pki["peer-a-rsa"], content, algorithm="PS256")
    elif fault == "not-a-jws":
        kw["signature"] = "not.a.jws"
    elif fault == "other-peer-signs":
        kw["signature"] = sign(pki["peer-b"], content)
    elif fault == "other-contract-hash":
        kw["signature"] = sign(pki["peer-a"], connection(pki))
    elif fault == "reject-type":
        kw["signature"] = sign(pki["peer-a"], content, "reject")
    elif fault == "no-manager-address":
        kw["address"] = ""
    elif fault == "http-manager-address":
        kw["address"] = "http://127.0.0.1:18440"
    reply = manager.submit(content, **kw)
    assert reply.status_code == status, reply.text
    actual = error_code(reply)
    assert code is None or actual == code, reply.text
    assert manager.app.store.contracts == {}


# -- signatures on Contracts ---------------------------------------------------------------------


def delegated_connection(pki: pkilib.TestPki, properties: Json | None = None) -> Json:
    """A DelegatedServiceConnectionGrant (Delegator Peer B) to a Service the SUT offers on
    behalf of Peer C."""
    grant = connection_grant(
        service_peer=SUT_ID,
        service_name=SERVICE,
        outway_peer=PEER_A_ID,
        outway_thumbprint=pki["peer-a"].spki_sha256,
        delegator=PEER_B_ID,
        service_delegator=PEER_C_ID,
        properties=properties,
    )
    return contract_content(group_id="cgconform-test-group", grants=[grant])


def test_signatures_are_stored_under_their_type_and_peer(manager: Running) -> None:
    content = delegated_connection(manager.pki)
    assert manager.submit(content).status_code == 201
    accept_all(manager, content, "peer-b")
    reply = manager.place("reject", content, peer="peer-c")
    assert reply.status_code == 201, reply.text
    listed = manager.contracts(peer="peer-c")
    assert set(listed[0]["signatures"]["accept"]) == {PEER_A_ID, PEER_B_ID, SUT_ID}
    assert set(listed[0]["signatures"]["reject"]) == {PEER_C_ID}


def test_faulty_signatures_are_refused(manager: Running) -> None:
    pki = manager.pki
    content = delegated_connection(pki)
    assert manager.submit(content).status_code == 201
    wrong_url = manager.place(
        "accept", content, peer="peer-b", url_hash=content_hash(connection(pki))
    )
    assert error_code(wrong_url) == "ERROR_CODE_URL_PATH_CONTENT_HASH_MISMATCH"
    wrong_type = manager.place(
        "accept", content, peer="peer-b", signature=sign(pki["peer-b"], content, "revoke")
    )
    assert error_code(wrong_type) == "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED"
    assert "type" in wrong_type.json()["message"]
    wrong_hash = manager.place(
        "revoke", content, peer="peer-b", signature=sign(pki["peer-b"], connection(pki), "revoke")
    )
    assert error_code(wrong_hash) == "ERROR_CODE_SIGNATURE_CONTRACT_CONTENT_HASH_MISMATCH"
    outsider = manager.place("accept", connection(pki), peer="peer-c")
    assert error_code(outsider) == "ERROR_CODE_PEER_NOT_PART_OF_CONTRACT"
    not_jws = manager.place("reject", content, peer="peer-b", signature="x")
    assert error_code(not_jws) == "ERROR_CODE_SIGNATURE_VERIFICATION_FAILED"
    for reply in (wrong_url, wrong_type, wrong_hash, outsider, not_jws):
        assert reply.status_code == 422
    stored = manager.contracts()[0]["signatures"]
    assert set(stored["accept"]) == {PEER_A_ID, SUT_ID} and not stored["revoke"]


# -- access tokens -------------------------------------------------------------------------------


def token_claims(running: Running, reply: requests.Response) -> Json:
    assert reply.status_code == 200, reply.text
    assert reply.json()["token_type"] == "bearer"
    jwk = running.call("GET", "/v1/.well-known/jwks.json").json()["keys"][0]
    token = reply.json()["access_token"]
    assert split_compact(token)[0]["typ"] == "JWT"
    return verify_compact(token, certificates_from_jwk(jwk)[0])


def test_token_for_a_valid_contract_carries_the_claims(manager: Running) -> None:
    content = connection(manager.pki)
    assert manager.submit(content).status_code == 201
    scope = grant_hash(content, 0)
    claims = token_claims(manager, manager.token(scope))
    peer_a_cert = der(signer(manager.pki["peer-a"]).certificate)
    assert claims["gth"] == scope
    assert claims["gid"] == "cgconform-test-group"
    assert (claims["sub"], claims["iss"], claims["svc"]) == (PEER_A_ID, SUT_ID, SERVICE)
    assert claims["aud"] == INWAY
    assert claims["exp"] - claims["nbf"] == 60
    assert claims["cnf"] == {"x5t#S256": cert_thumbprint(peer_a_cert)}
    assert claims["add"] == {}
    assert not {"act", "cdi", "pdi", "prp"} & set(claims)
    assert manager.token(grant_hash(content, 0, reading="grant-type")).status_code == 200


def test_token_for_a_delegated_grant_names_the_delegators(manager: Running) -> None:
    content = delegated_connection(manager.pki, properties={"purpose": "test"})
    assert manager.submit(content).status_code == 201
    scope = grant_hash(content, 0)
    refused = manager.token(scope)  # not yet accepted by Peers B and C
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
    accept_all(manager, content, "peer-b", "peer-c")
    claims = token_claims(manager, manager.token(scope))
    assert claims["act"] == {"sub": PEER_B_ID} and claims["cdi"] == PEER_B_ID
    assert claims["pdi"] == PEER_C_ID
    assert claims["prp"] == {"purpose": "test"}
    assert manager.place("revoke", content, peer="peer-c").status_code == 201
    revoked = manager.token(scope)
    assert (revoked.status_code, revoked.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "change, error",
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"client_id": ""}, "invalid_request"),
        ({"client_id": PEER_B_ID}, "invalid_client"),
        ({"scope": "not-a-grant-hash"}, "invalid_scope"),
        ({"scope": "$1$3$unknown"}, "invalid_grant"),
        ({"peer": "peer-b", "client_id": PEER_B_ID}, "invalid_grant"),
    ],
)
def test_faulty_token_request_is_refused(
    manager: Running, change: dict[str, str], error: str
) -> None:
    content = connection(manager.pki)
    assert manager.submit(content).status_code == 201
    form = {"scope": grant_hash(content, 0), **change}
    reply = manager.token(**form)
    assert reply.status_code == 400
    assert reply.json()["error"] == error and reply.json()["error_description"]


# -- listings ------------------------------------------------------------------------------------


def test_contracts_are_listed_only_to_their_peers(manager: Running) -> None:
    content = connection(manager.pki)
    assert manager.submit(content).status_code == 201
    assert len(manager.contracts()) == 1
    assert manager.contracts(grant_type="GRANT_TYPE_SERVICE_PUBLICATION") == []
    assert manager.contracts(peer="peer-c") == []


def test_peer_info_announce_and_peers(manager: Running) -> None:
    info = manager.call("GET", "/v1/peer").json()
    assert info["peer_id"] == SUT_ID and info["fsc_version"] == "1.0.0"
    assert set(info["enabled_extensions"]) == {
        "EXTENSION_DELEGATION",
        "EXTENSION_TRANSACTION_LOGGING",
    }
    address = "https://127.0.0.1:18442"
    assert manager.call("PUT", "/v1/announce", peer="peer-c", address=address).status_code == 200
    peers = manager.call("GET", "/v1/peers").json()["peers"]
    assert peers == [{"id": PEER_C_ID, "name": "cgconform Peer C", "manager_address": address}]
    assert manager.call("PUT", "/v1/announce", peer="peer-c", address="").status_code == 400


def test_services_of_valid_publication_contracts_are_listed(manager: Running) -> None:
    plain = publication_grant(
        directory_peer=SUT_ID, service_peer=PEER_A_ID, service_name="a-service"
    )
    delegated = publication_grant(
        directory_peer=SUT_ID,
        service_peer=PEER_A_ID,
        service_name="b-service",
        delegator=PEER_C_ID,
        properties={"k": "v"},
    )
    for grant, peers in ((plain, ()), (delegated, ("peer-c",))):
        content = contract_content(group_id="cgconform-test-group", grants=[grant])
        assert manager.submit(content).status_code == 201
        accept_all(manager, content, *peers)
    services = manager.call("GET", "/v1/services").json()["services"]
    by_name = {s["data"]["name"]: s for s in services}
    assert by_name["a-service"]["type"] == "SERVICE_TYPE_SERVICE"
    assert by_name["a-service"]["data"]["peer"] == {
        "id": PEER_A_ID,
        "name": "cgconform Peer A",
        "manager_address": manager.harness_address,
    }
    assert "properties" not in by_name["a-service"]["data"]
    b = by_name["b-service"]
    assert b["type"] == b["data"]["type"] == "SERVICE_TYPE_DELEGATED_SERVICE"
    assert b["data"]["delegator"] == {"peer_id": PEER_C_ID, "peer_name": "cgconform Peer C"}
    assert b["data"]["properties"] == {"k": "v"}
    filtered = manager.call("GET", "/v1/services", params={"service_name": "B-SERV"}).json()
    assert [s["data"]["name"] for s in filtered["services"]] == ["b-service"]


def test_logs_are_given_to_the_peers_in_them(manager: Running) -> None:
    def record(n: int, outway: str) -> Json:
        return {
            "transaction_id": f"t{n}",
            "direction": "DIRECTION_INCOMING",
            "grant_hash": "$1$3$abc",
            "source": {"type": "SOURCE_TYPE_SOURCE", "outway_peer_id": outway},
            "destination": {"type": "DESTINATION_TYPE_DESTINATION", "service_peer_id": SUT_ID},
            "service_name": SERVICE,
            "created_at": 1000 + n,
        }

    for n, outway in enumerate((PEER_A_ID, PEER_B_ID, PEER_A_ID)):
        manager.app.store.write_log(record(n, outway))
    logs = manager.call("GET", "/v1/logs").json()
    assert [r["transaction_id"] for r in logs["records"]] == ["t2", "t0"]
    assert logs["pagination"] == {"next_cursor": ""}
    one = manager.call("GET", "/v1/logs", params={"transaction_ids": "t0,t1"}).json()
    assert [r["transaction_id"] for r in one["records"]] == ["t0"]


def test_unknown_paths_methods_and_bugs_are_error_objects(
    manager: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = manager.call("GET", "/v1/nothing")
    assert missing.status_code == 404 and error_code(missing)
    wrong = manager.call("DELETE", "/v1/contracts")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    garbage = manager.call("POST", "/v1/contracts", data=b"\xff{")
    assert garbage.status_code == 400 and error_code(garbage)

    def broken() -> list[Json]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(manager.app, "services", broken)
    reply = manager.call("GET", "/v1/services")
    assert reply.status_code == 500 and error_code(reply)
    manager.app.errors.clear()


# -- seeded defects ------------------------------------------------------------------------------


def test_every_defect_is_described_and_names_its_scenario() -> None:
    assert all(isinstance(v, str) and v for v in MANAGER_DEFECTS.values())
    assert MANAGER_DEFECT_SCENARIOS.keys() == MANAGER_DEFECTS.keys()
    # FSC Test Suite scenarios, or the Digikoppeling REST additions (fsc/...)
    assert all(s.startswith(("Manager-", "fsc/")) for s in MANAGER_DEFECT_SCENARIOS.values())


def test_defect_accept_wrong_group_id(start: Callable[..., Running]) -> None:
    running = start("accept-wrong-group-id")
    content = {**connection(running.pki), "group_id": "another-group"}
    assert running.submit(content).status_code == 201


def test_defect_reject_rsa_signatures(start: Callable[..., Running]) -> None:
    running = start("reject-rsa-signatures")
    content = connection(running.pki)
    rsa = running.submit(content, signature=sign(running.pki["peer-a-rsa"], content))
    assert error_code(rsa) == "ERROR_CODE_UNKNOWN_ALGORITHM_SIGNATURE"
    assert running.submit(content).status_code == 201  # ES256 still fine


def test_defect_accept_invalid_jws(start: Callable[..., Running]) -> None:
    running = start("accept-invalid-jws")
    content = delegated_connection(running.pki)
    assert running.submit(content).status_code == 201
    assert running.place("accept", content, peer="peer-b", signature="x").status_code == 201
    assert running.contracts()[0]["signatures"]["accept"][PEER_B_ID] == "x"
    # (the defect takes broken signatures on every signature endpoint)
    assert running.place("reject", content, peer="peer-b", signature="x").status_code == 201


def test_defect_drop_revoke_signature(start: Callable[..., Running]) -> None:
    running = start("drop-revoke-signature")
    content = connection(running.pki)
    assert running.submit(content).status_code == 201
    assert running.place("revoke", content, peer="peer-a").status_code == 201
    assert running.contracts()[0]["signatures"]["revoke"] == {}  # not listed, but it counts:
    assert running.token(grant_hash(content, 0)).json()["error"] == "invalid_grant"


def test_defect_token_no_client_id_check(start: Callable[..., Running]) -> None:
    running = start("token-no-client-id-check")
    content = connection(running.pki)
    assert running.submit(content).status_code == 201
    assert running.token(grant_hash(content, 0), client_id="").status_code == 200


def test_defect_token_bad_scope_500(start: Callable[..., Running]) -> None:
    running = start("token-bad-scope-500")
    assert running.token("not-a-grant-hash").status_code == 500


def test_defect_token_wrong_cnf(start: Callable[..., Running]) -> None:
    running = start("token-wrong-cnf")
    content = connection(running.pki)
    assert running.submit(content).status_code == 201
    claims = token_claims(running, running.token(grant_hash(content, 0)))
    peer_a_cert = der(signer(running.pki["peer-a"]).certificate)
    assert claims["cnf"]["x5t#S256"] != cert_thumbprint(peer_a_cert)


@pytest.mark.parametrize(
    "defect, path, check",
    [
        ("jwks-empty", "/v1/.well-known/jwks.json", lambda body: body["keys"] == []),
        ("peer-info-wrong-id", "/v1/peer", lambda body: body["peer_id"] != SUT_ID),
    ],
)
def test_defects_of_simple_reads(
    start: Callable[..., Running], defect: str, path: str, check: Callable[[Json], bool]
) -> None:
    running = start(defect)
    assert check(running.call("GET", path).json())


def test_defect_list_all_contracts(start: Callable[..., Running]) -> None:
    running = start("list-all-contracts")
    assert running.submit(connection(running.pki)).status_code == 201
    assert len(running.contracts(peer="peer-c")) == 1


def test_no_auto_accept_leaves_the_contract_pending(start: Callable[..., Running]) -> None:
    running = start(auto_accept=False)
    content = connection(running.pki)
    assert running.submit(content).status_code == 201
    assert set(running.contracts()[0]["signatures"]["accept"]) == {PEER_A_ID}
    assert running.token(grant_hash(content, 0)).json()["error"] == "invalid_grant"
