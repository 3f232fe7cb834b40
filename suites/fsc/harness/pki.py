"""The test Group's PKI (docs/fsc-notes.md §1): who is who, and how to create it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cgconform.http.pki import IdentitySpec, TestPki, create_pki

SUT_ID = "00000099000000000001"
SUT2_ID = "00000099000000000005"
PEER_A_ID = "00000099000000000002"
PEER_B_ID = "00000099000000000003"
PEER_C_ID = "00000099000000000004"
DEFAULT_GROUP_ID = "cgconform-test-group"
HARNESS_PEERS = ("peer-a", "peer-b", "peer-c")


def identities(hosts: Sequence[str] = ()) -> list[IdentitySpec]:
    local = ("localhost", "127.0.0.1", *hosts)
    return [
        IdentitySpec("sut", "Peer under test", SUT_ID, hosts=local, role="the Peer under test"),
        IdentitySpec(
            "sut-rsa",
            "Peer under test",
            SUT_ID,
            hosts=local,
            key_type="rsa",
            role="the Peer under test, with an RSA key",
        ),
        IdentitySpec(
            "sut-2",
            "Second Peer under test",
            SUT2_ID,
            hosts=local,
            role="a second Peer under test (Integration scenarios)",
        ),
        IdentitySpec("peer-a", "cgconform Peer A", PEER_A_ID, hosts=local, role="harness Peer A"),
        IdentitySpec(
            "peer-a-rsa",
            "cgconform Peer A",
            PEER_A_ID,
            hosts=local,
            key_type="rsa",
            role="harness Peer A, RSA signing key",
        ),
        IdentitySpec("peer-b", "cgconform Peer B", PEER_B_ID, hosts=local, role="harness Peer B"),
        IdentitySpec("peer-c", "cgconform Peer C", PEER_C_ID, hosts=local, role="harness Peer C"),
        IdentitySpec(
            "intruder",
            "cgconform Peer A",
            PEER_A_ID,
            hosts=local,
            trusted=False,
            role="claims Peer A's ID with a certificate of an untrusted CA",
        ),
    ]


def init_pki(directory: Path, hosts: Sequence[str] = (), days: int = 30) -> TestPki:
    return create_pki(directory, identities(hosts), days=days)
