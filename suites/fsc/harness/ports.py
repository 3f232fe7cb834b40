"""Manager-Port-1 / Inway-Port-1: FSC components listen on 443 or 8443 (docs/fsc-notes.md N8)."""

from __future__ import annotations

from urllib.parse import urlsplit

from cgconform.model.outcomes import Failure, NotApplicable
from cgconform.suites.fsc.harness.peers import Harness

FSC_PORTS = (443, 8443)


def port_scenario(h: Harness, role: str, url: str, path: str) -> None:
    port = urlsplit(url).port or 443
    production = bool(h.context.target.statement.get("production_ports", False))
    if port not in FSC_PORTS:
        message = (
            f"the {role} listens on port {port}; FSC Core: the ports used by FSC components MUST "
            "be 443 or 8443"
        )
        if production:
            raise Failure(message + " (the target states production_ports = true)")
        raise NotApplicable(
            message + ". A test deployment on another port cannot show this; set "
            "production_ports = true in [statement] to hold the deployment to it"
        )
    exchange = h.a.http.get(f"{url}{path}")
    if exchange.status >= 500:
        raise Failure(
            f"the {role} on port {port} answers {exchange.status}",
            evidence=[exchange.to_evidence()],
        )
