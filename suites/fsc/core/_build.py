"""Contracts the Core checks submit: a Grant of the SUT's test Service (or a publication by
Peer A in the SUT's Directory), changed in one place per check; signatures over content the
harness cannot hash the usual way."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Inconclusive
from cgconform.suites.fsc.harness.contracts import (
    publication_grant,
    signature_payload,
)
from cgconform.suites.fsc.harness.hashes import HashError, b64url, grant_hash_readings, jcs
from cgconform.suites.fsc.harness.peers import Harness, listed_contract, signed_by, wait_until

CORE = "FSC-Core"
LOGGING = "FSC-Logging"
DAY = 86400

Json = dict[str, Any]


def published(h: Harness, name: str | None = None, **kw: Any) -> Json:
    """A (Delegated)ServicePublicationGrant of Peer A's Service in the SUT's Directory."""
    kw.setdefault("directory_peer", h.sut_peer_id)
    return publication_grant(
        service_peer=h.a.peer_id, service_name=name or unique_name("cgconform-core"), **kw
    )


def unique_name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def raw_signature(h: Harness, content: Json, by: str = "peer-a") -> str:
    """An accept signature over content the harness's content_hash refuses (an unknown or
    missing hash_algorithm): SHA3-512 of its JCS form with the $1$1$ prefix."""
    digest = b64url(hashlib.sha3_512(jcs(content)).digest())
    return h.party(by).signer.sign(signature_payload(f"$1$1${digest}", "accept"))


def now() -> int:
    return int(time.time())


def submitted(h: Harness, content: Json, by: str, what: str) -> Exchange:
    """Submit a Contract a check builds on; Inconclusive when the SUT refuses it."""
    exchange = h.submit(content, by)
    if exchange.status not in (200, 201):
        raise Inconclusive(
            f"the SUT refused {what}, which this check needs (submitted by "
            f"{h.party(by).peer_id}): HTTP {exchange.status} {exchange.text[:200]}",
            evidence=[exchange.to_evidence()],
        )
    return exchange


def find_listed(h: Harness, content: Json, lister: str) -> Json | None:
    """The Contract as the SUT lists it to `lister`: looked up by its first Grant's hash (the
    reading the SUT uses first, N1), else in the first page of the whole listing."""
    try:
        readings = grant_hash_readings(content, 0)
    except (HashError, KeyError, IndexError, TypeError):
        readings = {}
    order = sorted(readings, key=lambda r: r != h.grant_reading)
    for reading in order:
        found = listed_contract(h.list_contracts(lister, readings[reading]), content)
        if found:
            return found
    return listed_contract(h.list_contracts(lister), content)


def wait_for_sut_accept(h: Harness, content: Json, lister: str, what: str) -> Json:
    """The Contract as the SUT lists it once the SUT has signed it; Inconclusive when it does
    not within [fsc] accept_timeout (nothing can be concluded from an unsigned Contract)."""
    sut = h.sut_peer_id

    def accepted() -> Json | None:
        found = find_listed(h, content, lister)
        return found if signed_by(found, "accept", sut) else None

    listed = wait_until(h.settings.accept_timeout_s, accepted)
    if not listed:
        raise Inconclusive(
            f"the SUT ({sut}) did not sign {what} within {h.settings.accept_timeout_s:g} s; "
            "this check needs the SUT to accept such a Contract (auto-accept in a test "
            "deployment, or raise [fsc] accept_timeout and accept it by hand)"
        )
    return dict(listed)
