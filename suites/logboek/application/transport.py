"""How the application writes to its Logboek: OTLP is RECOMMENDED (Logboek Dataverwerkingen,
"Protocollen"); the receiver saw which transport carried each export."""

from __future__ import annotations

from collections import Counter

from cgconform.model.outcomes import Inconclusive, Passed, Warning
from cgconform.run.marks import requirement
from cgconform.suites.logboek.application._observe import CORE, scenario_summary
from cgconform.suites.logboek.harness.session import Observations
from cgconform.suites.logboek.harness.settings import TRANSPORT_NAMES


@requirement(CORE, "/logboek/logboek/otlp-recommended")
def exports_over_otlp(app_run: Observations) -> None:
    accepted = [e for e in app_run.exports if not e.error]
    refused = [e for e in app_run.exports if e.error]
    if not accepted:
        if refused:
            raise Warning(
                f"the application's exports could not be read ({len(refused)} refused): "
                f"{refused[0].error}. OTLP/HTTP bodies are protobuf (application/x-protobuf) or "
                "OTLP/JSON (application/json)",
                evidence=[
                    {"note": f"{TRANSPORT_NAMES.get(e.transport, e.transport)}: {e.error}"}
                    for e in refused[:3]
                ],
            )
        raise Inconclusive(
            "no records arrived at the Logboek cgconform plays (OTLP/HTTP at "
            f"{app_run.settings.listen}/v1/traces"
            + (
                f", OTLP/gRPC and logboek.v1 at {app_run.settings.listen_grpc}"
                if app_run.settings.listen_grpc
                else ""
            )
            + f") within {app_run.settings.flush_timeout_s:g} s of the last request: "
            + scenario_summary(app_run)
            + ". Point the application's exporter there (e.g. OTEL_EXPORTER_OTLP_ENDPOINT)",
        )
    used = Counter(TRANSPORT_NAMES.get(e.transport, e.transport) for e in accepted)
    how = ", ".join(f"{name} ({n} exports)" for name, n in used.items())
    if all(e.transport == "logboek-v1" for e in accepted):
        raise Warning(
            f"the application writes over {how}, not OTLP. The standard RECOMMENDS the "
            "OpenTelemetry Protocol between Application and Logboek.",
        )
    raise Passed(f"records written over {how}")
