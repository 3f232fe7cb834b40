"""/core/version-header on the running API: every response carries API-Version, equal to the
document's info.version."""

from __future__ import annotations

from cgconform.model.outcomes import Inconclusive
from cgconform.run.marks import requirement
from cgconform.suites.api.runtime import _probes
from cgconform.suites.api.runtime._api import ApiUnderTest, raise_findings


@requirement("ADR", "/core/version-header")
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
    raise_findings(
        wrong,
        f"{len(wrong)} response(s) do not carry API-Version: {api.version} (info.version); "
        "ADR: every response, errors included",
    )
