"""The fixture Contracts (docs/fsc-notes.md §3): the same on every run with one PKI, looked up
first, submitted and co-signed by the harness Peers when missing, then waited for until the
SUT has accepted them."""

from __future__ import annotations

from typing import Any

from cgconform.suites.fsc.harness.contracts import connection_grant, publication_grant
from cgconform.suites.fsc.harness.expect import listing
from cgconform.suites.fsc.harness.hashes import READINGS, content_hash
from cgconform.suites.fsc.harness.peers import (
    ECHO_A,
    UNREACHABLE_A,
    WRONG_GID_A,
    Fixture,
    Harness,
    listed_contract,
    signed_by,
    wait_until,
)

PROPERTIES = {"cgconform-property": "prp-test", "nested": {"list": [1, 2, 3]}}
PUBLISHED = "cgconform-published"


def _definition(h: Harness, key: str) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """(grants, harness signers; the first submits) of each fixture Contract."""
    sut, svc = h.sut_peer_id, h.settings.service
    a, b, c = h.a, h.b, h.c

    def to_sut(outway: str = "a", **kw: Any) -> dict[str, Any]:
        party = h.party(f"peer-{outway}")
        return connection_grant(
            service_peer=sut,
            service_name=svc,
            outway_peer=party.peer_id,
            outway_thumbprint=party.thumbprint,
            **kw,
        )

    def from_a(name: str = ECHO_A, **kw: Any) -> dict[str, Any]:
        return connection_grant(
            service_peer=a.peer_id,
            service_name=name,
            outway_peer=sut,
            outway_thumbprint=h.sut_outway_thumbprint,
            **kw,
        )

    def published(name: str, **kw: Any) -> dict[str, Any]:
        return publication_grant(
            directory_peer=sut, service_peer=a.peer_id, service_name=name, **kw
        )

    table: dict[str, tuple[list[dict[str, Any]], tuple[str, ...]]] = {
        "connect": ([to_sut()], ("peer-a",)),
        "connect-props": ([to_sut(properties=PROPERTIES)], ("peer-a",)),
        "connect-revoked": ([to_sut()], ("peer-a",)),
        "delegated-connect": ([to_sut(delegator=b.peer_id)], ("peer-b", "peer-a")),
        "delegated-connect-props": (
            [to_sut(delegator=b.peer_id, properties=PROPERTIES)],
            ("peer-b", "peer-a"),
        ),
        "connect-delegated-service": ([to_sut(service_delegator=c.peer_id)], ("peer-a", "peer-c")),
        "others": ([to_sut("b")], ("peer-b",)),
        "publication": ([published(PUBLISHED)], ("peer-a",)),
        "publication-props": ([published(f"{PUBLISHED}-prp", properties=PROPERTIES)], ("peer-a",)),
        "delegated-publication": (
            [published(f"{PUBLISHED}-dlg", delegator=b.peer_id)],
            ("peer-b", "peer-a"),
        ),
        "delegated-publication-props": (
            [published(f"{PUBLISHED}-dlg-prp", delegator=b.peer_id, properties=PROPERTIES)],
            ("peer-b", "peer-a"),
        ),
        "outway-connect": ([from_a()], ("peer-a",)),
        "outway-unreachable": ([from_a(UNREACHABLE_A)], ("peer-a",)),
        "outway-wrong-gid": ([from_a(WRONG_GID_A)], ("peer-a",)),
        "outway-delegated": ([from_a(delegator=b.peer_id)], ("peer-b", "peer-a")),
        "outway-delegated-service": ([from_a(service_delegator=c.peer_id)], ("peer-a", "peer-c")),
    }
    return table[key]


def fixture(h: Harness, key: str) -> Fixture:
    """The fixture Contract `key`, prepared once per run (see the module docstring)."""
    if key not in h.fixtures:
        h.fixtures[key] = _prepare(h, key)
    return h.fixtures[key]


def _prepare(h: Harness, key: str) -> Fixture:
    grants, signers = _definition(h, key)
    content = h.deterministic_content(key, grants)
    item = Fixture(key=key, content=content, signers=signers)
    item.hash = content_hash(content)
    lister = signers[0]
    listed = _find(h, item, lister)
    if listed is None and key.startswith("outway"):
        # N23: the SUT's operator may have created this Contract in the SUT (which offered it
        # to the harness Peers, who signed it): use that one.
        equivalent = _equivalent(h, item, lister)
        if equivalent is not None:
            item.content, item.listed = equivalent["content"], equivalent
            item.hash = content_hash(item.content)
            h.register_issuable(item.content)
            return item
    if listed is None:
        exchange = h.submit(content, lister)
        if exchange.status not in (200, 201):
            item.problem = (
                f"the SUT refused it when Peer {h.party(lister).peer_id} submitted it: "
                f"HTTP {exchange.status} {exchange.text[:300]}"
            )
            return item
        listed = _find(h, item, lister)
    for other in signers[1:]:
        if not signed_by(listed, "accept", h.party(other).peer_id):
            exchange = h.put_signature(content, "accept", other)
            if exchange.status not in (200, 201):
                item.problem = (
                    f"the SUT refused Peer {h.party(other).peer_id}'s accept signature: "
                    f"HTTP {exchange.status} {exchange.text[:300]}"
                )
                return item
    sut = h.sut_peer_id

    def accepted() -> dict[str, Any] | None:
        found = _find(h, item, lister)
        return found if signed_by(found, "accept", sut) else None

    listed = wait_until(h.settings.accept_timeout_s, accepted)
    if not listed:
        item.problem = (
            f"the SUT ({sut}) has not accepted it within {h.settings.accept_timeout_s:g} s; "
            "accept it in the SUT (or enable auto-accept in its test configuration) and run "
            "again, or raise [fsc] accept_timeout"
        )
        return item
    item.listed = listed
    h.register_issuable(item.content)
    return item


def _equivalent(h: Harness, item: Fixture, lister: str) -> dict[str, Any] | None:
    """A valid Contract the SUT lists with the same Group and Grants as the fixture."""
    exchange = h.list_contracts(lister)
    if exchange.status != 200:
        return None
    for listed in listing(exchange, "contracts"):
        content = listed.get("content")
        if not isinstance(content, dict):
            continue
        same = content.get("grants") == item.content["grants"]
        if same and content.get("group_id") == item.content["group_id"]:
            parties = [h.sut_peer_id, *(h.party(n).peer_id for n in item.signers)]
            if all(signed_by(listed, "accept", p) for p in parties) and not any(
                (listed.get("signatures") or {}).get(kind) for kind in ("reject", "revoke")
            ):
                return dict(listed)
    return None


def _find(h: Harness, item: Fixture, lister: str) -> dict[str, Any] | None:
    """The fixture as the SUT lists it: by Grant hash (learning the reading, N1), else in
    the whole listing."""
    reading = h.learn_reading(item)
    readings = [reading] if reading else list(READINGS)
    for r in readings:
        found = listed_contract(h.list_contracts(lister, item.grant_hash(0, r)), item.content)
        if found:
            return found
    return listed_contract(h.list_contracts(lister), item.content)
