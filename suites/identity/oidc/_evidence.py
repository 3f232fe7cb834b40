"""Evidence items the oidc checks add besides exchanges: a discovery member at its JSON
pointer, a token's header and claims (the token itself is a secret), a note."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cgconform.suites.identity.harness.oidc_client import Discovery, Jwt


def note(text: str) -> dict[str, Any]:
    return {"note": text}


def member(discovery: Discovery, name: str) -> dict[str, Any]:
    """The discovery document's member `name` (or its absence) at its JSON pointer."""
    metadata = discovery.metadata or {}
    shown = json.dumps(metadata[name]) if name in metadata else "(absent)"
    return {
        "document": {
            "source": discovery.url,
            "pointer": "/" + name.replace("~", "~0").replace("/", "~1"),
            "value_excerpt": shown[:500],
        }
    }


def token(label: str, jwt: Jwt) -> dict[str, Any]:
    """A JWT's header and claims as a note (evidence is redacted again: BSNs are masked)."""
    return note(
        f"{label}: header {json.dumps(dict(jwt.header), sort_keys=True)}, "
        f"claims {json.dumps(dict(jwt.claims), sort_keys=True)}"[:1800]
    )


def values(metadata: Mapping[str, Any], name: str) -> list[str] | None:
    """A discovery member that should be a JSON array of strings (None: absent or not one)."""
    value = metadata.get(name)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return list(value)
