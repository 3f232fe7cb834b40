"""Builders for Contract content and its Grants (FSC Core manager.yaml `contractContent`,
`grant*`), signature payloads, and UUIDv7 (Contract ``iv``, Transaction IDs)."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

SHA3_512 = "HASH_ALGORITHM_SHA3_512"
HTTP_1_1 = "PROTOCOL_TCP_HTTP_1.1"
SIGNATURE_TYPES = ("accept", "reject", "revoke")
UUID_FORMAT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

Json = dict[str, Any]


def uuid7(unix_ms: int | None = None, *, random: bytes | None = None) -> str:
    """A UUID version 7 (RFC 9562 §5.7): 48-bit Unix milliseconds, version, random bits
    (`random`: 10 given bytes instead, for a UUID that is the same on every run)."""
    ms = int(time.time() * 1000) if unix_ms is None else unix_ms
    value = (ms & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(random or os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # variant 10
    return str(uuid.UUID(int=value))


def is_uuid7(value: object) -> bool:
    if not isinstance(value, str) or not UUID_FORMAT.match(value):
        return False
    parsed = uuid.UUID(value)
    return parsed.version == 7 and parsed.variant == uuid.RFC_4122


def service(peer_id: str, name: str, *, delegator: str | None = None) -> Json:
    """The `service` of a (Delegated)ServiceConnectionGrant."""
    if delegator is None:
        return {"type": "SERVICE_TYPE_SERVICE", "peer_id": peer_id, "name": name}
    return {
        "type": "SERVICE_TYPE_DELEGATED_SERVICE",
        "peer_id": peer_id,
        "name": name,
        "delegator": {"peer_id": delegator},
    }


def connection_grant(
    *,
    service_peer: str,
    service_name: str,
    outway_peer: str,
    outway_thumbprint: str,
    service_delegator: str | None = None,
    delegator: str | None = None,
    properties: Mapping[str, Any] | None = None,
) -> Json:
    """A ServiceConnectionGrant, or a DelegatedServiceConnectionGrant when `delegator`."""
    data: Json = {
        "type": "GRANT_TYPE_DELEGATED_SERVICE_CONNECTION"
        if delegator
        else "GRANT_TYPE_SERVICE_CONNECTION",
        "outway": {"peer_id": outway_peer, "public_key_thumbprint": outway_thumbprint},
        "service": service(service_peer, service_name, delegator=service_delegator),
    }
    if delegator:
        data["delegator"] = {"peer_id": delegator}
    if properties is not None:
        data["properties"] = dict(properties)
    return {"data": data}


def publication_grant(
    *,
    directory_peer: str,
    service_peer: str,
    service_name: str,
    delegator: str | None = None,
    protocol: str = HTTP_1_1,
    properties: Mapping[str, Any] | None = None,
) -> Json:
    """A ServicePublicationGrant, or a DelegatedServicePublicationGrant when `delegator`."""
    data: Json = {
        "type": "GRANT_TYPE_DELEGATED_SERVICE_PUBLICATION"
        if delegator
        else "GRANT_TYPE_SERVICE_PUBLICATION",
        "directory": {"peer_id": directory_peer},
        "service": {"peer_id": service_peer, "name": service_name, "protocol": protocol},
    }
    if delegator:
        data["delegator"] = {"peer_id": delegator}
    if properties is not None:
        data["properties"] = dict(properties)
    return {"data": data}


def contract_content(
    *,
    group_id: str,
    grants: Sequence[Json],
    iv: str | None = None,
    created_at: int | None = None,
    not_before: int | None = None,
    not_after: int | None = None,
    hash_algorithm: str = SHA3_512,
) -> Json:
    now = int(time.time())
    created = now - 60 if created_at is None else created_at
    return {
        "iv": iv or uuid7(),
        "group_id": group_id,
        "validity": {
            "not_before": created if not_before is None else not_before,
            "not_after": created + 30 * 86400 if not_after is None else not_after,
        },
        "grants": [dict(g) for g in grants],
        "hash_algorithm": hash_algorithm,
        "created_at": created,
    }


def signature_payload(content_hash: str, kind: str, signed_at: int | None = None) -> Json:
    return {
        "contract_content_hash": content_hash,
        "type": kind,
        "signed_at": int(time.time()) if signed_at is None else signed_at,
    }


def peers_of_grant(data: Mapping[str, Any]) -> set[str]:
    """Every Peer ID a Grant names (FSC Core "Signatures": who may sign)."""
    found: set[str] = set()
    for key in ("directory", "outway", "delegator"):
        part = data.get(key)
        if isinstance(part, Mapping) and isinstance(part.get("peer_id"), str):
            found.add(part["peer_id"])
    svc = data.get("service")
    if isinstance(svc, Mapping):
        if isinstance(svc.get("peer_id"), str):
            found.add(svc["peer_id"])
        delegator = svc.get("delegator")
        if isinstance(delegator, Mapping) and isinstance(delegator.get("peer_id"), str):
            found.add(delegator["peer_id"])
    return found


def peers_of_contract(content: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for grant in content.get("grants") or []:
        if isinstance(grant, Mapping) and isinstance(grant.get("data"), Mapping):
            found |= peers_of_grant(grant["data"])
    return found
