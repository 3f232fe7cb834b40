"""Transport: what the document says about /core/transport/tls (server URLs use https)."""

from __future__ import annotations

from cgconform.model.outcomes import Warning
from cgconform.openapi.document import SpecDocument
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import iter_key, raise_findings, require_document


@requirement("ADR", "/core/transport/tls")
def server_urls_use_https(cg_spec: SpecDocument) -> None:
    """A document is no proof of how the API is served (adr-runtime checks the TLS itself),
    so an http:// server URL here is a `warning`, as in the official linter."""
    document = require_document(cg_spec)
    findings = []
    for ptr, servers in iter_key(document, "servers"):
        if not isinstance(servers, list):
            continue
        for i, server in enumerate(servers):
            url = server.get("url") if isinstance(server, dict) else None
            if isinstance(url, str) and url.startswith("http://"):
                findings.append((f"{ptr}/{i}/url", f"server URL {url} uses plain http"))
    raise_findings(
        cg_spec,
        findings,
        "APIs MUST be served over TLS; these server URLs use http://",
        kind=Warning,
    )
