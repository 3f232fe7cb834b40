"""Every FSC check fails for the right reason: each seeded defect of the reference Peer
(fixtures/fsc/) is found under the scenario it breaks, with the verdict the scenario's level
gives (a SHOULD gives `warning`), a message and evidence. Only the scenarios a defect is about
run, so the table is quick; tests/fsc/test_fsc.py runs everything against the conformant Peer."""

from __future__ import annotations

from pathlib import Path

import pytest
from fscrun import run_only as run_scenarios
from test_fsc_core_defects import CORE_EXPECTED

from cgconform.fixtures.fsc.defects import DEFECTS
from cgconform.fixtures.fsc.world import reference_world
from cgconform.http.pki import TestPki
from cgconform.model.catalogue import select_profiles
from cgconform.suites.fsc.harness.pki import init_pki

FSC_PROFILES = ("fsc-manager", "fsc-inway", "fsc-outway", "fsc-logging")

# defect -> {requirement: verdict it must get}
EXPECTED: dict[str, dict[str, str]] = {
    # Manager: Contracts
    "accept-wrong-group-id": {"Manager-SubmitContract-9": "fail"},
    "accept-peer-not-on-contract": {"Manager-SubmitContract-7": "fail"},
    "accept-mixed-publication-grants": {"Manager-SubmitContract-8": "fail"},
    "accept-unknown-hash-algorithm": {"Manager-SubmitContract-10": "fail"},
    "reject-rsa-signatures": {
        "Manager-SubmitContract-11": "fail",
        "Manager-AcceptContract-8": "fail",
    },
    # Everything the harness signs is ES256: every submission scenario fails with it.
    "reject-ecdsa-signatures": {
        **{f"Manager-SubmitContract-{n}": "fail" for n in (1, 2, 3, 4, 5, 6, 12)},
    },
    "reject-ecdsa-when-signing": {"Manager-AcceptContract-9": "fail"},
    "list-all-contracts": {"Manager-Contracts-2": "warning"},
    "list-no-contracts": {"Manager-Contracts-1": "fail"},
    # Manager: signatures
    "accept-invalid-jws": {
        "Manager-AcceptContract-3": "fail",
        "Manager-RejectContract-3": "fail",
        "Manager-RevokeContract-3": "fail",
    },
    "skip-content-hash-check": {
        "Manager-AcceptContract-4": "fail",
        "Manager-RejectContract-4": "fail",
        "Manager-RevokeContract-4": "fail",
    },
    "ignore-signature-type": {
        "Manager-AcceptContract-5": "fail",
        "Manager-RejectContract-5": "fail",
        "Manager-RevokeContract-5": "fail",
    },
    "ignore-url-hash": {
        "Manager-AcceptContract-6": "fail",
        "Manager-RejectContract-6": "fail",
        "Manager-RevokeContract-6": "fail",
    },
    "accept-unsupported-algorithm": {
        "Manager-AcceptContract-7": "fail",
        "Manager-RejectContract-7": "fail",
        "Manager-RevokeContract-7": "fail",
    },
    "drop-accept-signature": {"Manager-AcceptContract-1": "fail"},
    "drop-reject-signature": {"Manager-RejectContract-1": "fail"},
    "drop-revoke-signature": {"Manager-RevokeContract-1": "fail"},
    # Manager: listings
    "services-omit-all": {f"Manager-Services-{n}": "fail" for n in (1, 2, 3, 4)},
    # (the reference narrows these to one kind of listing entry; services-omit-all reaches -4)
    "services-omit-delegated": {"Manager-Services-2": "fail"},
    "services-omit-properties": {"Manager-Services-3": "fail"},
    "peer-info-wrong-id": {"Manager-PeerInfo-1": "fail"},
    "peers-ignore-announce": {"Manager-Peers-1": "fail"},
    "jwks-empty": {"Manager-JSONWebKeySet-1": "fail", "Manager-GetToken-1": "fail"},
    # Manager: tokens
    "token-wrong-cnf": {"Manager-GetToken-1": "fail", "Inway-Incoming-Request-1": "fail"},
    "token-ignores-validity": {"Manager-GetToken-2": "fail"},
    "token-ignores-revocation": {"Manager-GetToken-3": "fail"},
    "token-bad-scope-500": {"Manager-GetToken-4": "fail"},
    "token-accepts-any-grant-type": {"Manager-GetToken-5": "fail"},
    "token-no-act": {"Manager-GetToken-6": "fail", "Inway-TransactionLog-4": "fail"},
    "token-no-pdi": {"Manager-GetToken-7": "fail", "Inway-TransactionLog-5": "fail"},
    "token-no-client-id-check": {"Manager-GetToken-8": "fail", "Manager-GetToken-9": "fail"},
    "token-no-prp": {"Manager-GetToken-10": "fail", "Manager-GetToken-11": "fail"},
    # Manager: transaction log
    "logs-unfiltered": {"Manager-TransactionLogRecord-1": "fail"},
    "logs-empty": {"Manager-TransactionLogRecord-1": "fail", "Inway-TransactionLog-1": "fail"},
    # Inway
    "inway-accepts-missing-token": {"Inway-Incoming-Request-2": "fail"},
    "inway-ignores-certificate-binding": {"Inway-Incoming-Request-3": "fail"},
    "inway-accepts-untrusted-certificate": {"Inway-Incoming-Request-4": "fail"},
    "inway-strips-token": {"Inway-Incoming-Request-5": "fail"},
    "inway-accepts-expired-token": {"Inway-Incoming-Request-6": "fail"},
    "inway-no-log-record": {"Inway-TransactionLog-1": "fail"},
    "inway-logs-after-proxy": {"Inway-TransactionLog-1": "fail"},
    "inway-drops-transaction-id": {"Inway-TransactionLog-2": "fail"},
    "inway-accepts-missing-transaction-id": {"Inway-TransactionLog-3": "fail"},
    "inway-no-source-delegator": {"Inway-TransactionLog-4": "fail"},
    "inway-no-destination-delegator": {"Inway-TransactionLog-5": "fail"},
    "inway-ignores-log-failure": {"Inway-TransactionLog-6": "fail"},
    # Outway
    "outway-alters-path": {"Outway-IncomingRequest-1": "fail"},
    "outway-forwards-without-grant": {"Outway-IncomingRequest-2": "fail"},
    "outway-hides-inway-failure": {"Outway-IncomingRequest-3": "fail"},
    "outway-no-log-record": {"Outway-TransactionLog-1": "fail"},
    "outway-logs-after-send": {"Outway-TransactionLog-1": "fail"},
    "outway-no-transaction-id": {"Outway-TransactionLog-2": "fail"},
    "outway-no-source-delegator": {"Outway-TransactionLog-3": "fail"},
    "outway-no-destination-delegator": {"Outway-TransactionLog-4": "fail"},
    "outway-ignores-log-failure": {"Outway-TransactionLog-5": "fail"},
    # Signatures of Peers not on the Contract: a SHOULD of FSC Core, so a warning
    "accept-signatures-from-anyone": {
        "Manager-AcceptContract-2": "warning",
        "Manager-RejectContract-2": "warning",
        "Manager-RevokeContract-2": "warning",
    },
    # Digikoppeling REST additions
    "accept-more-than-ten-grants": {"fsc/contracten": "fail"},
    "propagate-once": {"fsc/retry-mechanisme": "fail"},
    "propagate-fixed-interval": {"fsc/retry-mechanisme": "warning"},
    "peer-id-not-oin": {"fsc/identificatie-authenticatie": "fail", "Manager-PeerInfo-1": "fail"},
    "outway-uuid4-transaction-id": {"fsc/logging": "fail"},
    "tls-allows-static-rsa": {"fsc/tls": "fail"},
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return init_pki(tmp_path_factory.mktemp("fsc-pki"))


def test_every_defect_is_in_the_table() -> None:
    assert set(DEFECTS) == set(EXPECTED), set(DEFECTS) ^ set(EXPECTED)


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_defect_is_found_under_its_scenario(defect: str, pki: TestPki, tmp_path: Path) -> None:
    expected = EXPECTED[defect]
    with reference_world(tmp_path, pki=pki, defects=frozenset({defect})) as world:
        report = run_scenarios(world, expected)
    got = {r["requirement"]: r for r in report["results"]}
    for requirement, verdict in expected.items():
        row = got[requirement]
        assert row["verdict"] == verdict, (requirement, row["verdict"], row["message"])
        assert row["message"], requirement
        if verdict == "fail":
            assert row["evidence"] or "TLS" in row["message"], requirement
    errors = {k: r["message"] for k, r in got.items() if r["verdict"] == "error"}
    assert not errors, errors


# The Integration scenarios need two Peers: a defect of the consuming Peer breaks the chain.
INTEGRATION: dict[str, dict[str, str]] = {
    "outway-no-transaction-id": {
        "Integration-ConsumeService-1": "fail",
        "Integration-ConsumeServiceAsDelegatee-1": "fail",
        "Integration-ConsumeDelegatedService-1": "fail",
        "Integration-ConsumeDelegatedService-2": "fail",
    },
    "outway-forwards-without-grant": {"Integration-ConsumeService-2": "fail"},
    "outway-no-log-record": {"Integration-TransactionLog-1": "fail"},
}
# A test deployment on other ports than 443/8443 that states it runs on production ports.
PORTS = {"Manager-Port-1": "fail", "Inway-Port-1": "fail"}


@pytest.mark.parametrize("defect", sorted(INTEGRATION))
def test_integration_defect_breaks_the_chain(defect: str, pki: TestPki, tmp_path: Path) -> None:
    expected = INTEGRATION[defect]
    with reference_world(tmp_path, pki=pki, defects=frozenset({defect}), integration=True) as world:
        report = run_scenarios(world, expected)
    got = {r["requirement"]: r for r in report["results"]}
    for requirement, verdict in expected.items():
        assert got[requirement]["verdict"] == verdict, (requirement, got[requirement])
        assert got[requirement]["message"]


def test_other_ports_fail_when_production_ports_are_stated(pki: TestPki, tmp_path: Path) -> None:
    with reference_world(tmp_path, pki=pki) as world:
        report = run_scenarios(world, PORTS, production_ports=True)
    got = {r["requirement"]: r for r in report["results"]}
    for requirement, verdict in PORTS.items():
        assert got[requirement]["verdict"] == verdict, got[requirement]
        assert "443 or 8443" in got[requirement]["message"]


def test_every_scenario_has_a_self_test_that_fails_it() -> None:
    covered = {
        req
        for table in (*EXPECTED.values(), *INTEGRATION.values(), PORTS, *CORE_EXPECTED.values())
        for req in table
    }
    profiles = select_profiles(FSC_PROFILES)
    every = {r.requirement.id for p in profiles for r in p.requirements}
    assert every - covered == set()
