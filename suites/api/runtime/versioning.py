"""Versions on the running API: /core/version-header (every response carries API-Version,
the served document's info.version where that is a valid SemVer version) and /core/semver
(the document the API serves gives a SemVer info.version)."""

from __future__ import annotations

from cgconform.model.outcomes import Failure
from cgconform.run.marks import requirement
from cgconform.suites.api.document.versioning import SEMVER
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest, raise_findings
from cgconform.suites.api.runtime._api import exchange_line as _line


@requirement("ADR", "/core/version-header")
def every_response_carries_the_api_version(api: ApiUnderTest) -> None:
    """Every response, errors included. The header is compared with info.version where that
    is valid SemVer; otherwise only its presence (and its own SemVer form) is judged, and the
    message says so (the invalid info.version is a /core/semver finding)."""
    sent = _probes.everything(api)
    version = api.version
    exact = bool(SEMVER.match(version))
    wrong = []
    for exchange in sent:
        value = exchange.headers.get("API-Version")
        if value is None:
            wrong.append((exchange, f"{_line(exchange)} without an API-Version header"))
        elif exact and value.strip() != version:
            wrong.append((exchange, f"{_line(exchange)} with API-Version: {value}"))
        elif not exact and not SEMVER.match(value.strip()):
            wrong.append((exchange, f"{_line(exchange)} with API-Version: {value} (not SemVer)"))
    compared = (
        f"compared with info.version {version} of the document"
        if exact
        else f"info.version {version!r} of the document is not SemVer (see /core/semver), so "
        "each header was checked for presence and SemVer form only"
    )
    raise_findings(
        wrong,
        f"{len(wrong)} of {len(sent)} responses do not carry the right API-Version ({compared}); "
        "ADR: every response, errors included",
        covered=f"{_probes.coverage(sent, api)} ({compared}); {api.ids_used()}",
    )


@requirement("ADR", "/core/semver")
def served_document_version_is_semver(api: ApiUnderTest) -> None:
    """The document the API serves is its contract: its info.version is SemVer."""
    served = _probes.served_document(api)
    version = served.version
    if not SEMVER.match(version):
        raise Failure(
            f"the document the API serves ({served.location}) gives info.version {version!r}, "
            "which is not a Semantic Versioning version (MAJOR.MINOR.PATCH)",
            evidence=[served.exchange.to_evidence()],
        )
