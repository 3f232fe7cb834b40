"""Every check of FSC Core's and FSC Logging's own sentences (suites/fsc/core/) fails for the
right reason: each seeded defect of fixtures/fsc/core_defects.py is found under the requirements
it names, with the verdict their level gives (a SHOULD gives `warning`), a message and evidence;
and every such requirement of the fsc profiles is failed by at least one defect. The conformant
reference Peer passes them all in tests/fsc/test_fsc.py (they are in the four fsc profiles).

Several defects share one reference Peer when they touch different requests (`BATCHES`), so
the table stays quick; each batch still checks every defect's requirements separately."""

from __future__ import annotations

from pathlib import Path

import pytest
from fscrun import run_only

from cgconform.fixtures.fsc.core_defects import CORE_DEFECT_REQUIREMENTS, CORE_DEFECTS
from cgconform.fixtures.fsc.world import reference_world
from cgconform.http.pki import TestPki
from cgconform.model.catalogue import select_profiles
from cgconform.suites.fsc.harness.pki import init_pki

FSC_PROFILES = ("fsc-manager", "fsc-inway", "fsc-outway", "fsc-logging")


def _levels() -> dict[str, str]:
    return {
        r.requirement.id: r.level
        for p in select_profiles(FSC_PROFILES)
        for r in p.requirements
        if r.requirement.standard in ("FSC-Core", "FSC-Logging")
    }


LEVELS = _levels()


def _verdict(requirement: str) -> str:
    return "warning" if LEVELS[requirement].startswith("SHOULD") else "fail"


# Requirements whose check warns even on a MUST: the texts leave doubt (the check says why).
DOUBT = {
    # FSC Core asks I-JSON content but not that a receiver refuses other content
    "FSC-Core/protocols/json/i-json",
}

# defect -> {requirement: verdict it must get}
CORE_EXPECTED: dict[str, dict[str, str]] = {
    name: {req: "warning" if req in DOUBT else _verdict(req) for req in requirements}
    for name, requirements in CORE_DEFECT_REQUIREMENTS.items()
}

# Defects that may share a Peer: they break different requests, and no check of one batch
# member passes through a request another member breaks.
BATCHES: list[tuple[str, ...]] = [
    (
        "core-accepts-non-uuid-iv",
        "core-accepts-future-created-at",
        "core-accepts-inverted-validity",
        "core-accepts-expired-contracts",
        "core-accepts-bad-service-names",
        "core-accepts-unknown-services",
        "core-no-properties-size-limit",
        "core-token-ignores-not-before",
        "core-peer-id-filter-applies-name",
    ),
    (
        "core-accepts-reused-iv",
        "core-accepts-contracts-without-grants",
        "core-accepts-non-object-properties",
        "core-accepts-missing-thumbprint",
        "core-accepts-duplicate-json-members",
        "core-grant-hash-filter-applies-grant-type",
        "core-services-filters-both",
        "core-jwks-leaf-only",
    ),
    (
        "core-accepts-missing-hash-algorithm",
        "core-accepts-malformed-validity-dates",
        "core-accepts-publications-for-other-directories",
        "core-misreports-submitting-peer",
        "core-misreports-content-hash-mismatch",
        "core-misreports-url-path-hash",
        "core-misreports-unknown-signature-algorithm",
        "core-token-ignores-delegator-signature",
    ),
    (
        "core-misreports-incorrect-group-id",
        "core-misreports-receiving-peer",
        "core-misreports-peer-id-mismatch",
        "core-misreports-grant-combination",
        "core-misreports-unknown-hash-algorithm",
        "core-token-ignores-service-delegator-signature",
        "core-lists-services-without-all-signatures",
    ),
    (
        "core-inway-skips-signature-check",
        "core-inway-missing-token-without-challenge",
        "core-inway-expired-as-invalid",
        "core-inway-masks-service-errors",
        "core-outway-forwards-connect",
        "core-outway-masks-inway-errors",
        "core-outway-ignores-group-id",
        "core-log-record-contract-hash",
        "core-inway-accepts-any-transaction-id",
    ),
    (
        "core-inway-routes-unknown-service",
        "core-inway-invalid-token-400",
        "core-outway-errors-as-text",
        "core-logs-hidden-from-delegators",
        "core-inway-missing-transaction-id-as-invalid",
        "core-outway-reuses-transaction-id",
        "core-logs-filters-both",
        "core-logs-transaction-ids-with-filters",
    ),
    (
        "core-inway-ignores-group-id",
        "core-inway-error-domain-outway",
        "core-outway-error-domain-inway",
        "core-inway-log-failure-503",
        "core-outway-log-failure-502",
        "core-token-any-client",
        "core-accepts-signature-without-x5t",
        "core-manager-address-without-port",
    ),
]
ALONE = sorted(set(CORE_EXPECTED) - {d for batch in BATCHES for d in batch})


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return init_pki(tmp_path_factory.mktemp("fsc-core-pki"))


def test_every_core_defect_is_described_and_expected() -> None:
    assert set(CORE_EXPECTED) == set(CORE_DEFECTS)
    assert all(text for text in CORE_DEFECTS.values())
    assert all(name.startswith("core-") for name in CORE_DEFECTS)
    batched = [d for batch in BATCHES for d in batch]
    assert len(batched) == len(set(batched)), "a defect in two batches"
    assert set(batched) <= set(CORE_DEFECTS)


def test_every_core_requirement_of_the_profiles_is_failed_by_a_defect() -> None:
    covered = {req for table in CORE_EXPECTED.values() for req in table}
    assert set(LEVELS) - covered == set()
    assert covered <= set(LEVELS), covered - set(LEVELS)


def _check(defects: tuple[str, ...], pki: TestPki, tmp_path: Path) -> None:
    wanted = {req: verdict for d in defects for req, verdict in CORE_EXPECTED[d].items()}
    with reference_world(tmp_path, pki=pki, defects=frozenset(defects)) as world:
        report = run_only(world, wanted)
    got = {r["requirement"]: r for r in report["results"]}
    wrong = {
        req: (got[req]["verdict"], got[req]["message"][:300])
        for req, verdict in wanted.items()
        if got[req]["verdict"] != verdict
    }
    assert not wrong, wrong
    for req, verdict in wanted.items():
        assert got[req]["message"], req
        if verdict == "fail":
            assert (
                got[req]["evidence"]
                or "TLS" in got[req]["message"]
                or "SUT's own" in got[req]["message"]
                or "JWKS" in got[req]["message"]
                or "lists the Contract" in got[req]["message"]
            ), req


@pytest.mark.parametrize("batch", BATCHES, ids=[f"batch-{i}" for i in range(len(BATCHES))])
def test_batched_core_defects_are_found(
    batch: tuple[str, ...], pki: TestPki, tmp_path: Path
) -> None:
    _check(batch, pki, tmp_path)


@pytest.mark.parametrize("defect", ALONE)
def test_core_defect_is_found_alone(defect: str, pki: TestPki, tmp_path: Path) -> None:
    _check((defect,), pki, tmp_path)
