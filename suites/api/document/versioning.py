"""/core/semver and /core/version-header, as far as the OpenAPI document shows them."""

from __future__ import annotations

import re

from cgconform.model.outcomes import Failure
from cgconform.openapi.document import SpecDocument
from cgconform.run.marks import requirement
from cgconform.suites.api.document._spec import (
    iter_responses,
    location,
    raise_findings,
    require_document,
)

# semver.org's own regular expression (2.0.0).
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
SUCCESS_OR_REDIRECT = re.compile(r"[23](\d\d|XX)")


@requirement("ADR", "/core/semver")
def info_version_is_semver(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    info = document.get("info")
    version = info.get("version") if isinstance(info, dict) else None
    if not isinstance(version, str) or not SEMVER.match(version):
        raise Failure(
            f"info.version is {version!r}, which is not a Semantic Version "
            "(major.minor.patch, e.g. 1.0.2 or 2.0.0-beta.3)",
            evidence=[location(cg_spec, "/info/version", version)],
        )


@requirement("ADR", "/core/version-header")
def success_responses_declare_api_version_header(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    missing: list[tuple[str, str]] = []
    for ptr, response in iter_responses(document, SUCCESS_OR_REDIRECT):
        headers = response.get("headers")
        names = {str(h).lower() for h in headers} if isinstance(headers, dict) else set()
        if "api-version" not in names:
            _, _, path, method, _, code = ptr.split("/", 5)
            missing.append((ptr, f"{method.upper()} {path.replace('~1', '/')} {code}"))
    if missing:
        shown = "\n".join(f"- {label}" for _, label in missing[:20])
        more = f"\n… and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise Failure(
            f"{len(missing)} 2xx/3xx response(s) do not declare the API-Version header, "
            f"e.g. {missing[0][1]}; ADR: every response returns the full version number in "
            f"an API-Version header\n{shown}{more}",
            evidence=[location(cg_spec, ptr + "/headers") for ptr, _ in missing[:5]],
        )


# As the official linter checks it: "/v" and a digit somewhere in the server URL.
MAJOR_VERSION_IN_URL = re.compile(r"/v[\d+]")


@requirement("ADR", "/core/uri-version")
def server_urls_carry_the_major_version(cg_spec: SpecDocument) -> None:
    document = require_document(cg_spec)
    servers = document.get("servers")
    findings = [
        (f"/servers/{i}/url", f"server URL {server['url']} has no /v{{major}} segment")
        for i, server in enumerate(servers if isinstance(servers, list) else [])
        if isinstance(server, dict)
        and isinstance(server.get("url"), str)
        and not MAJOR_VERSION_IN_URL.search(server["url"])
    ]
    raise_findings(cg_spec, findings, "the URI MUST include the major version (e.g. /v1)")
