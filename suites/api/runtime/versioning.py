"""/core/version-header on the running API: every response carries API-Version, equal to the
document's info.version."""

from __future__ import annotations

import pytest

from cgconform.outcomes import Failure, Inconclusive

from . import _probes
from ._api import ApiUnderTest


@pytest.mark.requirement("ADR", "/core/version-header")
def every_response_carries_the_api_version(api: ApiUnderTest) -> None:
    if not api.version:
        raise Inconclusive("the OpenAPI document gives no info.version to compare with")
    wrong = []
    for exchange in _probes.everything(api):
        value = exchange.headers.get("API-Version")
        if value != api.version:
            got = "no API-Version header" if value is None else f"API-Version: {value}"
            wrong.append(
                (
                    exchange,
                    f"{exchange.request.method} {exchange.request.url} → "
                    f"{exchange.status} with {got}",
                )
            )
    if wrong:
        raise Failure(
            f"{len(wrong)} response(s) do not carry API-Version: {api.version} (info.version); "
            f"ADR: every response, errors included, e.g. {wrong[0][1]}\n"
            + "\n".join(f"- {note}" for _, note in wrong),
            evidence=[e.to_evidence() for e, _ in wrong[:5]],
        )
