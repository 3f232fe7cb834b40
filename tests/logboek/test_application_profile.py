"""Self-tests of `logboek-application`: every check passes on the reference application and
each seeded defect is found under its requirement, with its verdict, and nothing else fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from logboekworld import application_target, explain, run_profile, verdicts

from cgconform.fixtures.logboek.application.defects import DEFECTS
from cgconform.fixtures.tls import make_tls_files

PROFILE = "logboek-application"
TRACE_CONTEXT = {
    "/logboek/application/send-trace-context",
    "/logboek/application/accept-trace-context",
}
# Requirements no automated check decides (a person must): needs_review on any application.
MANUAL = {
    "/logboek/application/standard-error-methods",
    "/logboek/application/external-read-api-contact-page",
}


def _assert_conformant(report: dict[str, object]) -> None:
    got = verdicts(report)  # type: ignore[arg-type]
    wrong = {r: v for r, v in got.items() if v != ("needs_review" if r in MANUAL else "pass")}
    assert not wrong, explain(report)  # type: ignore[arg-type]


def test_reference_application_conforms() -> None:
    with application_target() as target:
        report = run_profile(PROFILE, target)
    _assert_conformant(report)
    assert report["verdict"] == "conformant", explain(report)


def test_reference_application_over_grpc_conforms() -> None:
    with application_target(protocol="grpc", burst=6) as target:
        report = run_profile(PROFILE, target)
    _assert_conformant(report)
    messages = {r["requirement"]: r["message"] for r in report["results"]}
    assert "OTLP/gRPC" in messages["/logboek/logboek/otlp-recommended"]


def test_the_application_may_export_over_tls(tmp_path: Path) -> None:
    """An application that insists on TLS towards its Logboek (as the Logboek must enforce it)
    exports to a receiver that presents a certificate ([logboek] tls_cert, tls_key)."""
    with application_target(burst=4, tls=make_tls_files(tmp_path)) as target:
        report = run_profile(PROFILE, target)
    _assert_conformant(report)


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_is_found_under_its_requirement(name: str) -> None:
    defect = DEFECTS[name]
    with application_target([name]) as target:
        report = run_profile(PROFILE, target)
    got = verdicts(report)
    assert got[defect.requirement] == defect.verdict, f"{name}: {defect.what}\n" + explain(report)
    allowed = {defect.requirement, *defect.also}
    if defect.requirement in TRACE_CONTEXT:  # the umbrella sentence fails with its detail
        allowed.add("/logboek/application/trace-context")
    stray = {r: v for r, v in got.items() if v in ("fail", "error") and r not in allowed}
    assert not stray, f"{name} also failed elsewhere: {stray}\n" + explain(report)
    finding = next(r for r in report["results"] if r["requirement"] == defect.requirement)
    assert finding["message"], "a finding says what was seen"
    for requirement, verdict in SIDE_VERDICTS.get(name, {}).items():
        assert got[requirement] == verdict, f"{name}: {requirement}\n" + explain(report)
    for text in SAYS.get(name, ()):
        assert text in finding["message"], finding["message"]


# What a defect's report must also show: the reading the finding names, and the checks that
# still judge what the application did record.
SAYS = {
    "new_trace_foreign_link": ("MinBZK", "reading 21"),
    "missing_activity_id": ("'dpl.core.procsssing_activity_id': a misspelling",),
}
SIDE_VERDICTS = {
    "new_trace_foreign_link": {
        "/logboek/application/foreign-operation-attributes": "pass",
        "/logboek/application/foreign-operation-processor": "pass",
        "/logboek/application/trace-context": "pass",
    }
}
