"""Manager-AcceptContract-1..9, Manager-RejectContract-1..7, Manager-RevokeContract-1..7:
Peer A places signatures on Contracts at the SUT's Manager (shared shape in signing.py)."""

from __future__ import annotations

from cgconform.run.marks import requirement
from cgconform.suites.fsc.harness import signing
from cgconform.suites.fsc.harness.peers import Harness

STD = "FSC-TestSuite"


@requirement(STD, "Manager-AcceptContract-1")
def places_accept_signature(fsc: Harness) -> None:
    signing.places_signature(fsc, "accept")


@requirement(STD, "Manager-AcceptContract-2")
def accept_by_peer_not_on_contract_is_rejected(fsc: Harness) -> None:
    signing.peer_not_on_contract(fsc, "accept")


@requirement(STD, "Manager-AcceptContract-3")
def accept_signature_not_a_jws_is_rejected(fsc: Harness) -> None:
    signing.not_a_jws(fsc, "accept")


@requirement(STD, "Manager-AcceptContract-4")
def accept_signature_with_other_content_hash_is_rejected(fsc: Harness) -> None:
    signing.content_hash_mismatch(fsc, "accept")


@requirement(STD, "Manager-AcceptContract-5")
def accept_endpoint_rejects_other_signature_type(fsc: Harness) -> None:
    signing.wrong_type(fsc, "accept")


@requirement(STD, "Manager-AcceptContract-6")
def accept_with_mismatching_url_hash_is_rejected(fsc: Harness) -> None:
    signing.url_hash_mismatch(fsc, "accept")


@requirement(STD, "Manager-AcceptContract-7")
def accept_with_unsupported_algorithm_is_rejected(fsc: Harness) -> None:
    signing.unsupported_algorithm(fsc, "accept")


@requirement(STD, "Manager-RejectContract-1")
def places_reject_signature(fsc: Harness) -> None:
    signing.places_signature(fsc, "reject")


@requirement(STD, "Manager-RejectContract-2")
def reject_by_peer_not_on_contract_is_rejected(fsc: Harness) -> None:
    signing.peer_not_on_contract(fsc, "reject")


@requirement(STD, "Manager-RejectContract-3")
def reject_signature_not_a_jws_is_rejected(fsc: Harness) -> None:
    signing.not_a_jws(fsc, "reject")


@requirement(STD, "Manager-RejectContract-4")
def reject_signature_with_other_content_hash_is_rejected(fsc: Harness) -> None:
    signing.content_hash_mismatch(fsc, "reject")


@requirement(STD, "Manager-RejectContract-5")
def reject_endpoint_rejects_other_signature_type(fsc: Harness) -> None:
    signing.wrong_type(fsc, "reject")


@requirement(STD, "Manager-RejectContract-6")
def reject_with_mismatching_url_hash_is_rejected(fsc: Harness) -> None:
    signing.url_hash_mismatch(fsc, "reject")


@requirement(STD, "Manager-RejectContract-7")
def reject_with_unsupported_algorithm_is_rejected(fsc: Harness) -> None:
    signing.unsupported_algorithm(fsc, "reject")


@requirement(STD, "Manager-RevokeContract-1")
def places_revoke_signature(fsc: Harness) -> None:
    signing.places_signature(fsc, "revoke")


@requirement(STD, "Manager-RevokeContract-2")
def revoke_by_peer_not_on_contract_is_rejected(fsc: Harness) -> None:
    signing.peer_not_on_contract(fsc, "revoke")


@requirement(STD, "Manager-RevokeContract-3")
def revoke_signature_not_a_jws_is_rejected(fsc: Harness) -> None:
    signing.not_a_jws(fsc, "revoke")


@requirement(STD, "Manager-RevokeContract-4")
def revoke_signature_with_other_content_hash_is_rejected(fsc: Harness) -> None:
    signing.content_hash_mismatch(fsc, "revoke")


@requirement(STD, "Manager-RevokeContract-5")
def revoke_endpoint_rejects_other_signature_type(fsc: Harness) -> None:
    signing.wrong_type(fsc, "revoke")


@requirement(STD, "Manager-RevokeContract-6")
def revoke_with_mismatching_url_hash_is_rejected(fsc: Harness) -> None:
    signing.url_hash_mismatch(fsc, "revoke")


@requirement(STD, "Manager-RevokeContract-7")
def revoke_with_unsupported_algorithm_is_rejected(fsc: Harness) -> None:
    signing.unsupported_algorithm(fsc, "revoke")


@requirement(STD, "Manager-AcceptContract-8")
def places_rsa_accept_signature(fsc: Harness) -> None:
    signing.places_signature(fsc, "accept", signer_name="rsa")


@requirement(STD, "Manager-AcceptContract-9")
def places_ecdsa_accept_signature(fsc: Harness) -> None:
    signing.places_signature(fsc, "accept", signer_name="ec")
