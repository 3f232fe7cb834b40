"""`logboek-application` against an application written independently of cgconform's reference
(pv_app: WSGI + the OpenTelemetry SDK, its own middleware, span shapes and pseudonyms).

Three kinds of runs:
* the application as its authors meant it: conformant, no fail and no warning;
* CHOICES: conformant variants where the text leaves room (a reading, a shape of spans); they
  may draw a warning only where the choice is SHOULD-level, never a fail;
* DEFECTS: each seeded defect is found under the requirement an implementer would expect, with
  the verdict they would expect, and nothing unrelated fails.

Where cgconform's verdict is wrong today, the test is `xfail(strict=True)` with the reason: fix
the check, and the test turns green (then drop the mark).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from cgtest.profilerun import explain, results, run_profile, verdicts
from pv_world import CHOICES, DEFECTS, parkeervergunningen_target

PROFILE = "logboek-application"
P = "/logboek/application/"
# Requirements no automated check decides: needs_review on any application.
MANUAL = {P + "standard-error-methods", P + "external-read-api-contact-page"}
FAIL = frozenset({"fail"})
WARNING = frozenset({"warning"})


def _run(variants: tuple[str, ...], flush_timeout: float = 10) -> dict[str, Any]:
    with parkeervergunningen_target(variants, flush_timeout=flush_timeout) as target:
        return run_profile(PROFILE, target)


def _assert_only(report: dict[str, Any], tolerated: dict[str, frozenset[str]]) -> None:
    """Every result passes (needs_review for the manual ones), except where `tolerated` allows."""
    got = verdicts(report)
    wrong = {
        r: v
        for r, v in got.items()
        if v != ("needs_review" if r in MANUAL else "pass") and v not in tolerated.get(r, ())
    }
    assert not wrong, f"unexpected verdicts {wrong}\n" + explain(report)


# -- the application as written ------------------------------------------------------------


def test_the_independent_application_conforms() -> None:
    report = _run(())
    _assert_only(report, {})
    assert report["verdict"] == "conformant", explain(report)


# -- conformant choices ----------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    what: str
    tolerated: dict[str, frozenset[str]] = field(default_factory=dict)
    wrong: str | None = None  # why cgconform's verdict is wrong today
    flush_timeout: float = 10


CHOICE_CASES: dict[str, Choice] = {
    "exception-as-attributes": Choice(
        "the error as exception.* span attributes (the Foutafhandeling table) instead of the "
        "SDK's exception event"
    ),
    "child-per-subject-always": Choice(
        "a child action per subject even when there is one; the processing record names none"
    ),
    "background-job": Choice(
        "a scheduled processing of the application's own runs (own traces) while the caller's "
        "requests are served",
        flush_timeout=5,  # nothing is ever quiet for 1.5 s: the harness waits the full timeout
    ),
    "instrumented-client-stack": Choice(
        "the application's own action '<source> raadplegen' carries dpl.read.externalReadAPI_id; "
        "below it the client library's span, below that the instrumented CLIENT span",
    ),
    "error-only-on-processing": Choice(
        "status Error (and the exception) only on the processing's own record ('dit per "
        "Dataverwerking als status meegeven'); the HTTP call's record stays Unset",
        tolerated={P + "status-per-action": WARNING},
    ),
    "pseudonym-typed-bsn": Choice(
        "a pseudonymised (HMAC) subject id with dpl.core.data_subject_id_type 'BSN' (the kind of "
        "code, as the interface table's example and its 'versleutelde' code suggest)",
    ),
    "at-least-once-export": Choice(
        "every export batch delivered twice (a retry, an outbox): identical records",
        tolerated={P + "unique-span-id": WARNING, P + "propagate-parent": WARNING},
    ),
    "span-ids-repeat-across-traces": Choice(
        "span ids unique within each trace, the same sequence in every trace",
        tolerated={P + "unique-span-id": WARNING},
    ),
}
assert set(CHOICE_CASES) == set(CHOICES)


def _xfail_if_wrong(name: str, wrong: str | None) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=wrong)] if wrong else []
    return pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize(
    "name", [_xfail_if_wrong(n, c.wrong) for n, c in sorted(CHOICE_CASES.items())]
)
def test_a_conformant_choice_is_not_a_fail(name: str) -> None:
    choice = CHOICE_CASES[name]
    report = _run((name,), choice.flush_timeout)
    _assert_only(report, choice.tolerated)


# -- seeded defects --------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    what: str
    found: dict[str, frozenset[str]]  # requirement -> the verdicts that count as found
    also: frozenset[str] = frozenset()  # requirements that may also fail, as a consequence
    wrong: str | None = None  # why cgconform's verdict is wrong today
    any_of: bool = False  # found under one of `found`, not all


DEFECT_CASES: dict[str, Defect] = {
    "drop-incoming-context": Defect(
        "the caller's traceparent is ignored: every request starts a new trace",
        {P + "accept-trace-context": FAIL},
        also=frozenset({P + "trace-context"}),
    ),
    "no-outgoing-propagation": Defect(
        "calls to the BRP and RDW carry no traceparent",
        {P + "send-trace-context": FAIL},
        also=frozenset({P + "trace-context"}),
    ),
    "forward-incoming-traceparent": Defect(
        "the caller's traceparent is passed on to the sources unchanged (a proxy's habit)",
        {P + "one-record-per-action": FAIL},
        also=frozenset({P + "send-trace-context"}),  # it forwards the all-zero one too
    ),
    "parentbased-sampler": Defect(
        "ParentBased(ALWAYS_ON): the caller's sampled flag 00 drops the processing",
        {P + "no-sampling": FAIL},
    ),
    "ratio-sampler": Defect("one trace in two is kept", {P + "no-sampling": FAIL}),
    "small-export-queue": Defect(
        "an export queue of 8: spans are dropped when more wait (the SDK's BatchSpanProcessor)",
        {P + "one-record-per-action": FAIL, P + "no-sampling": FAIL},
        # Which records are lost depends on timing: any check that needs them may fail too.
        also=frozenset(
            {
                P + "propagate-parent",
                P + "one-record-per-subject",
                P + "child-action-per-subject",
                P + "data-subject-id",
            }
        ),
        any_of=True,
    ),
    "subjects-in-one-record": Defect(
        "one record names both subjects (a list attribute), no child actions",
        {P + "one-record-per-subject": FAIL},
        also=frozenset({P + "child-action-per-subject"}),
    ),
    "only-first-subject": Defect(
        "only the first subject of the processing is logged",
        {P + "one-record-per-subject": FAIL},
        also=frozenset({P + "child-action-per-subject"}),
    ),
    "subject-spans-new-trace": Defect(
        "the per-subject actions start new traces instead of hanging under the processing",
        {P + "child-action-per-subject": FAIL, P + "new-trace-per-processing": FAIL},
        also=frozenset(
            {
                P + "send-trace-context",
                P + "one-record-per-subject",
                P + "data-subject-id",
            }
        ),
    ),
    "missing-subject-type": Defect(
        "dpl.core.data_subject_id without dpl.core.data_subject_id_type",
        {P + "data-subject-id": FAIL},
    ),
    "missing-activity-id": Defect(
        "no dpl.core.processing_activity_id on any record",
        {
            P + "processing-activity-id": FAIL,
            P + "processing-activity-id-without-personal-data": WARNING,
        },
    ),
    "wrong-activity": Defect(
        "the aanvraag names the tariffs' activity (the target states the right one)",
        {P + "processing-activity-id": FAIL},
    ),
    "activity-as-number": Defect(
        "the activity is the number 14 (as the standard's resource example), not a URI",
        {P + "processing-activity-id": FAIL},
    ),
    "ok-on-failure": Defect(
        "a failing source leaves every record Ok", {P + "status-per-action": FAIL}
    ),
    "error-always": Defect(
        "the processing record is Error also when it succeeded (201, every source answering); "
        "a warning: an Error on a succeeded processing can be a recovered internal failure",
        {P + "status-per-action": WARNING},
    ),
    "no-exception-detail": Defect(
        "status Error without exception.* (the Foutafhandeling section is a 'handreiking')",
        {P + "error-attributes": WARNING},
    ),
    "error-on-invalid-input": Defect(
        "invalid user input (400) logged as Error ('hoort Unset te krijgen', no keyword)",
        {P + "user-input-not-error": WARNING},
    ),
    "span-id-reused-in-trace": Defect(
        "the second subject's action gets the first one's span id",
        {P + "unique-span-id": FAIL},
    ),
    "fixed-trace-id": Defect(
        "every processing started without traceparent gets the same trace id",
        {P + "new-trace-per-processing": FAIL},
    ),
    "failed-spans-not-ended": Defect(
        "a failed processing's own record is never written (its span is not ended)",
        {P + "propagate-parent": FAIL},  # docs/logboek-notes.md: an unlogged parent is found here
    ),
    "read-api-on-non-calling-record": Defect(
        "dpl.read.externalReadAPI_id on the tariffs' record, which calls nobody",
        {P + "no-external-read-api-without-call": FAIL},
    ),
    "processor-is-name": Defect(
        "dpl.core.foreign_operation.processor is a name, not a URL",
        {P + "foreign-operation-processor": FAIL},
    ),
    "plain-bsn": Defect(
        "the subject id is the BSN itself, type 'BSN' (pseudonymising is RECOMMENDED)",
        {P + "pseudonymise-subject-id": WARNING, P + "avoid-bsn-in-logging": WARNING},
    ),
    "no-foreign-processor": Defect(
        "the caller's URL (tracestate cgconform=..., Referer) is not recorded as "
        "dpl.core.foreign_operation.processor",
        {P + "foreign-operation-processor": WARNING},
    ),
    "unstable-pseudonym": Defect(
        "a fresh salt per record: the same subject has a different id on every record and in "
        "every processing, so no read by dataSubjectId can find it",
        {P + "data-subject-id": WARNING},
    ),
    "untraced-tarieven": Defect(
        "the processing without personal data is not logged at all ('nothing personal')",
        {P + "one-record-per-action": frozenset({"warning", "fail"})},
    ),
}
assert set(DEFECT_CASES) == set(DEFECTS)


@pytest.mark.parametrize(
    "name", [_xfail_if_wrong(n, d.wrong) for n, d in sorted(DEFECT_CASES.items())]
)
def test_each_defect_is_found_where_an_implementer_expects_it(name: str) -> None:
    defect = DEFECT_CASES[name]
    report = _run((name,))
    got = verdicts(report)
    hits = {r: got.get(r) for r, ok in defect.found.items() if got.get(r) in ok}
    if defect.any_of:
        assert hits, f"{name}: {defect.what}\n" + explain(report)
    else:
        assert len(hits) == len(defect.found), f"{name}: {defect.what}\n" + explain(report)
    allowed = {r for r, ok in defect.found.items() if ok & {"fail"}} | defect.also
    if {P + "accept-trace-context", P + "send-trace-context"} & allowed:
        allowed.add(P + "trace-context")  # the umbrella sentence fails with its detail
    stray = {r: v for r, v in got.items() if v in ("fail", "error") and r not in allowed}
    assert not stray, f"{name} also failed elsewhere: {stray}\n" + explain(report)
    for requirement in hits:
        assert results(report)[requirement]["message"], "a finding says what was seen"
    if "fail" in hits.values():
        assert report["verdict"] == "not_conformant", explain(report)


def test_an_unlogged_parent_action_is_named_as_such() -> None:
    report = _run(("failed-spans-not-ended",))
    message = results(report)[P + "propagate-parent"]["message"]
    assert re.search(r"not logged|wrote no record|has no record of its own|per action", message), (
        message
    )
