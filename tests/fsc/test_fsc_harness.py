"""The harness's own behaviour as the other Peers: it signs back the Contracts a SUT offers for
the Outway scenarios (docs/fsc-notes.md N23), and it uses such a Contract instead of
submitting its own."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from fscrun import run_only

from cgconform.fixtures.fsc.world import reference_world
from cgconform.http.mock_server import MockServer, Received, Reply
from cgconform.http.pki import TestPki
from cgconform.run.context import build_context
from cgconform.suites.fsc.harness.contracts import (
    connection_grant,
    contract_content,
    signature_payload,
)
from cgconform.suites.fsc.harness.hashes import content_hash
from cgconform.suites.fsc.harness.jose import Signer, split_compact
from cgconform.suites.fsc.harness.peers import ECHO_A, Harness
from cgconform.suites.fsc.harness.pki import init_pki
from cgconform.suites.fsc.harness.settings import load_settings


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return init_pki(tmp_path_factory.mktemp("fsc-pki"))


def _outway_grant(pki: TestPki, service: str = ECHO_A) -> dict[str, object]:
    return connection_grant(
        service_peer=pki["peer-a"].serial_number or "",
        service_name=service,
        outway_peer=pki["sut"].serial_number or "",
        outway_thumbprint=pki["sut"].spki_sha256,
    )


def _offer(url: str, pki: TestPki, content: dict[str, object], address: str) -> int:
    sut = pki["sut"]
    signature = Signer.from_files(sut.key, sut.chain).sign(
        signature_payload(content_hash(content), "accept")
    )
    return requests.post(
        f"{url}/v1/contracts",
        json={"contract_content": content, "signature": signature},
        headers={"Fsc-Manager-Address": address},
        cert=sut.requests_cert,
        verify=str(pki.trust_anchor),
        timeout=5,
    ).status_code


def test_contracts_the_sut_offers_for_peer_a_services_are_signed_back(
    pki: TestPki, tmp_path: Path
) -> None:
    arrived: list[Received] = []
    sut = pki["sut"]
    with (
        reference_world(tmp_path, pki=pki) as world,
        MockServer(
            lambda r: (arrived.append(r), Reply(201))[1],
            cert_chain=(str(sut.chain), str(sut.key)),
            client_ca=str(pki.trust_anchor),
        ) as sut_manager,
    ):
        target = world.target()
        harness = Harness.create(build_context(target, []), load_settings(target)).start()
        try:
            usable = contract_content(group_id="cgconform-test-group", grants=[_outway_grant(pki)])
            other = contract_content(
                group_id="cgconform-test-group", grants=[_outway_grant(pki, "something-else")]
            )
            assert _offer(harness.a.address, pki, usable, sut_manager.url) == 201
            assert _offer(harness.a.address, pki, other, sut_manager.url) == 201
            deadline = time.monotonic() + 5
            while not arrived and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
        finally:
            harness.stop()
    assert len(arrived) == 1, "only the Contract for Peer A's test Service is signed"
    put = arrived[0]
    assert put.method == "PUT" and put.path.endswith("/accept")
    body = put.json()
    assert body["contract_content"] == usable
    _, payload = split_compact(body["signature"])
    assert payload["type"] == "accept"
    assert payload["contract_content_hash"] == content_hash(usable)


def test_a_contract_the_sut_holds_is_used_instead_of_a_new_one(
    pki: TestPki, tmp_path: Path
) -> None:
    with reference_world(tmp_path, pki=pki) as world:
        # The SUT's operator created the Contract (signed by the SUT and, when offered, by
        # Peer A): here the fixture plays both.
        content = contract_content(group_id="cgconform-test-group", grants=[_outway_grant(pki)])
        manager = world.peer.manager_url
        assert _offer(manager, pki, content, manager) == 201
        a = pki["peer-a"]
        signature = Signer.from_files(a.key, a.chain).sign(
            signature_payload(content_hash(content), "accept")
        )
        response = requests.put(
            f"{manager}/v1/contracts/{quote(content_hash(content), safe='')}/accept",
            json={"contract_content": content, "signature": signature},
            headers={"Fsc-Manager-Address": f"https://127.0.0.1:{world.harness_port}"},
            cert=a.requests_cert,
            verify=str(pki.trust_anchor),
            timeout=5,
        )
        assert response.status_code == 201
        report = run_only(world, ["Outway-IncomingRequest-1"])
        same = [
            c
            for c in world.peer.store.contracts.values()
            if c.content["grants"] == content["grants"]
        ]
    row = report["results"][0]
    assert row["verdict"] == "pass", row["message"]
    assert len(same) == 1, "the harness submitted no Contract of its own"
