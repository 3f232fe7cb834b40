"""Contract content hashes and Grant hashes, computed the way FSC Core says (JCS RFC 8785,
SHA3-512, base64url without padding, ``$<algorithm>$<hash type>$`` prefix).

Where the text allows two readings (docs/fsc-notes.md N1: the Grant hash's type number is the
HashType per step 7, or the Grant type per the example in step 8) both are computable, and
checks compare against every reading.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

import rfc8785

HASH_ALGORITHMS = {"HASH_ALGORITHM_SHA3_512": 1}
HASH_TYPE_CONTRACT = 1
# Grant type -> HashType number (FSC Core "Type mappings", Hash types).
GRANT_HASH_TYPES = {
    "GRANT_TYPE_SERVICE_PUBLICATION": 2,
    "GRANT_TYPE_SERVICE_CONNECTION": 3,
    "GRANT_TYPE_DELEGATED_SERVICE_CONNECTION": 4,
    "GRANT_TYPE_DELEGATED_SERVICE_PUBLICATION": 5,
}
# Grant type -> Grant type number (FSC Core "Type mappings", Grant types).
GRANT_TYPE_NUMBERS = {
    "GRANT_TYPE_SERVICE_PUBLICATION": 1,
    "GRANT_TYPE_SERVICE_CONNECTION": 2,
    "GRANT_TYPE_DELEGATED_SERVICE_CONNECTION": 3,
    "GRANT_TYPE_DELEGATED_SERVICE_PUBLICATION": 4,
}
READINGS = ("hash-type", "grant-type")  # hash-type is what step 7 says; the default

HASH_FORMAT = re.compile(r"^\$(\d+)\$(\d+)\$([A-Za-z0-9_\-+/]+)$")


class HashError(ValueError):
    """The content cannot be hashed (unknown algorithm, not I-JSON)."""


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON."""
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise HashError(f"not canonicalisable JSON (RFC 8785): {exc}") from None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _algorithm(content: Mapping[str, Any]) -> int:
    name = content.get("hash_algorithm")
    if name not in HASH_ALGORITHMS:
        raise HashError(f"unknown hash_algorithm {name!r} (known: {', '.join(HASH_ALGORITHMS)})")
    return HASH_ALGORITHMS[str(name)]


def content_hash(content: Mapping[str, Any]) -> str:
    """``$1$1$`` + base64url(SHA3-512(JCS(contract.content)))."""
    algorithm = _algorithm(content)
    digest = hashlib.sha3_512(jcs(content)).digest()
    return f"${algorithm}${HASH_TYPE_CONTRACT}${b64url(digest)}"


def grant_hash(content: Mapping[str, Any], index: int, *, reading: str = "hash-type") -> str:
    """The hash of ``content.grants[index]``: SHA3-512(content hash + JCS(grant.data))."""
    algorithm = _algorithm(content)
    data = content["grants"][index]["data"]
    grant_type = data.get("type")
    numbers = GRANT_HASH_TYPES if reading == "hash-type" else GRANT_TYPE_NUMBERS
    if grant_type not in numbers:
        raise HashError(f"unknown grant type {grant_type!r}")
    digest = hashlib.sha3_512(content_hash(content).encode("utf-8") + jcs(data)).digest()
    return f"${algorithm}${numbers[str(grant_type)]}${b64url(digest)}"


def grant_hash_readings(content: Mapping[str, Any], index: int) -> dict[str, str]:
    """reading -> Grant hash, for every reading the text allows."""
    return {reading: grant_hash(content, index, reading=reading) for reading in READINGS}


def same_hash(a: str, b: str) -> bool:
    """Equal, allowing the standard base64 alphabet for the url-safe one (N3)."""
    translate = str.maketrans("+/", "-_")
    return a.rstrip("=").translate(translate) == b.rstrip("=").translate(translate)
