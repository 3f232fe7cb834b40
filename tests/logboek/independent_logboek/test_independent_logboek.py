"""cgconform's `logboek-dataverwerkingen` against a Logboek written independently of the
reference (OTLP/HTTP only, TLS sniffed on one port, SQLite, the read API as `GET` with query
parameters and RFC 3339 times, whole traces per filter, bearer readers per activity).

Passing tests are regression tests. A test marked `xfail(strict=True)` records a verdict this
Logboek's author thinks is wrong (a false fail, a missed defect, a misleading message); when the
check is fixed it passes, and the mark must go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cgtest.profilerun import explain, results, run_profile, verdicts

from .server import DEFECTS, Settings
from .world import READERS, independent_target

PROFILE = "logboek-dataverwerkingen"
MANUAL = {"/logboek/read/read-api-per-logboek-in-organisation"}
CORE = "/logboek/logboek/"
READ = "/logboek/read/"


def _run(
    folder: Path,
    settings: Settings | None = None,
    *,
    method: str | None = "GET",
    state_readers: bool = True,
) -> tuple[dict[str, Any], list[str]]:
    with independent_target(folder, settings, method=method, state_readers=state_readers) as (
        target,
        logboek,
    ):
        report = run_profile(PROFILE, target)
        journal = list(logboek.journal)
    return report, journal


def _settings(**kwargs: Any) -> Settings:
    return Settings(readers=READERS, **kwargs)


def _assert_conformant(report: dict[str, Any]) -> None:
    got = verdicts(report)
    wrong = {r: v for r, v in got.items() if v != ("needs_review" if r in MANUAL else "pass")}
    assert not wrong, explain(report)
    assert report["verdict"] == "conformant", explain(report)


# --- the defect-free Logboek -------------------------------------------------------------------


def test_conforms_with_get_stated(tmp_path: Path) -> None:
    report, _ = _run(tmp_path, method="GET")
    _assert_conformant(report)


@pytest.mark.parametrize("method", [None, "auto"])
def test_auto_detection_finds_the_get_form(method: str | None, tmp_path: Path) -> None:
    report, journal = _run(tmp_path, method=method)
    _assert_conformant(report)
    reads = [line for line in journal if "/lezen/v1/processing-activities" in line]
    # The OpenAPI's POST is tried first and refused (405, Allow: GET); every read after is GET.
    assert reads[0].startswith("POST ") and reads[0].endswith("-> 405"), reads[:3]
    assert all(line.startswith("GET ") for line in reads[1:]), reads
    message = results(report)[READ + "one-read-api-per-logboek"]["message"]
    assert "GET" in message, message


@dataclass(frozen=True)
class Style:
    """A conformant way of doing what the standard leaves open."""

    why: str
    settings: dict[str, Any]


STYLES = {
    "matching_records_only": Style(
        "a filter returns only the matching records", {"read_shape": "records"}
    ),
    "partial_success": Style(
        "an unstorable record is refused by OTLP partial_success (200, rejected_spans=1), "
        "the valid ones in the same request are stored",
        {"reject_style": "partial"},
    ),
    "plain_http_400": Style(
        "a plain connection gets nginx's 400 'plain HTTP request sent to HTTPS port'",
        {"plain_style": "400"},
    ),
    "plain_http_redirect": Style(
        "a plain connection gets 308 to the https URL, nothing stored", {"plain_style": "redirect"}
    ),
    "times_with_offset": Style(
        "read API times in +01:00 (the same instant, RFC 3339)", {"times_with_offset": True}
    ),
    "plain_text_errors": Style(
        "read API errors as text/plain that say what is wrong", {"plain_problems": True}
    ),
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_conformant_styles_pass(name: str, tmp_path: Path) -> None:
    report, _ = _run(tmp_path, _settings(**STYLES[name].settings))
    _assert_conformant(report)


def test_without_access_rule(tmp_path: Path) -> None:
    """No readers at all: anyone may read. The extension's security section is deliberately not
    normative ("bewust niet normatief"), so a warning (and `not_tested` for the access rule,
    which is not stated) is the right verdict; nothing fails."""
    report, _ = _run(tmp_path, Settings(readers=None), state_readers=False)
    got = verdicts(report)
    assert got[READ + "authenticate-clients"] == "warning", explain(report)
    assert got[READ + "authorise-records"] == "not_tested", explain(report)
    others = {r: v for r, v in got.items() if r not in MANUAL and not r.endswith("-clients")}
    others.pop(READ + "authorise-records")
    assert set(others.values()) == {"pass"}, explain(report)


def test_trace_id_answers_are_accepted(tmp_path: Path) -> None:
    report, _ = _run(tmp_path, _settings(read_shape="trace_ids"))
    _assert_conformant(report)


def test_protobuf_only_otlp_http_is_not_a_confirmation_failure(tmp_path: Path) -> None:
    report, _ = _run(tmp_path, _settings(accept_json=False))
    got = verdicts(report)
    assert got[CORE + "confirm-writes"] == "pass", explain(report)
    assert "fail" not in got.values(), explain(report)


# --- seeded defects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    requirement: str
    verdict: str
    also: frozenset[str] = frozenset()  # other requirements the defect may fail too
    readers: bool = True  # run with the access rule stated
    wrong: str = ""  # why cgconform's verdict is thought wrong (the test is then xfail)


EXPECT: dict[str, Expect] = {
    "plain_http_accepted": Expect(CORE + "enforce-tls", "fail"),
    "unstorable_confirmed": Expect(CORE + "confirm-writes", "fail"),
    "attributes_truncated": Expect(CORE + "interface-fields", "fail"),
    "attributes_stringified": Expect(
        CORE + "interface-fields",
        "fail",
    ),
    "foreign_attributes_dropped": Expect(CORE + "interface-fields", "fail"),
    "foreign_operation_dropped": Expect(
        CORE + "interface-fields",
        "fail",
    ),
    "times_shifted": Expect(CORE + "interface-fields", "fail"),
    "status_lost": Expect(CORE + "interface-fields", "fail"),
    "parent_dropped": Expect(CORE + "interface-fields", "fail"),
    "resource_dropped": Expect(CORE + "interface-fields", "fail"),
    "no_400_without_filter": Expect(READ + "bad-request-without-filter", "fail"),
    "subject_filter_ignored": Expect(READ + "filter-by-subject", "fail"),
    "subject_prefix_match": Expect(
        READ + "filter-by-subject",
        "fail",
    ),
    "trace_filter_roots_only": Expect(
        READ + "filter-by-trace", "fail", also=frozenset({CORE + "interface-fields"})
    ),
    "activity_filter_ignored": Expect(
        READ + "filter-by-activity",
        "fail",
        also=frozenset({READ + "authenticate-clients"}),
        readers=False,
    ),
    "time_filter_local": Expect(
        READ + "time-filters",
        "warning",
    ),
    "limit_ignored": Expect(READ + "result-limit", "warning"),
    "reader_not_authorised": Expect(READ + "authorise-records", "warning"),
    "no_auth": Expect(
        READ + "authenticate-clients",
        "warning",
        also=frozenset({READ + "authorise-records"}),
    ),
}


def _defect_param(name: str) -> Any:
    wrong = EXPECT[name].wrong
    marks = [pytest.mark.xfail(strict=True, reason=wrong)] if wrong else []
    return pytest.param(name, marks=marks, id=name)


def test_every_defect_has_an_expectation() -> None:
    assert set(EXPECT) == set(DEFECTS)


@pytest.mark.parametrize("name", [_defect_param(name) for name in sorted(EXPECT)])
def test_each_defect_is_found(name: str, tmp_path: Path) -> None:
    expect = EXPECT[name]
    readers = READERS if expect.readers else None
    settings = Settings(readers=readers, defects=frozenset({name}))
    report, _ = _run(tmp_path, settings, state_readers=expect.readers)
    got = verdicts(report)
    assert got[expect.requirement] == expect.verdict, f"{name}: {DEFECTS[name]}\n" + explain(report)
    allowed = {expect.requirement, *expect.also}
    stray = {r: v for r, v in got.items() if v in ("fail", "error") and r not in allowed}
    assert not stray, f"{name} also failed elsewhere: {stray}\n" + explain(report)


def test_activity_leak_under_an_access_rule_is_not_claimed_absent(tmp_path: Path) -> None:
    settings = Settings(readers=READERS, defects=frozenset({"activity_filter_ignored"}))
    report, _ = _run(tmp_path, settings)
    result = results(report)[READ + "filter-by-activity"]
    assert result["verdict"] != "pass" or "access rule" in result["message"], explain(report)


def test_a_read_filter_bug_does_not_fail_the_core_interface(tmp_path: Path) -> None:
    settings = Settings(readers=READERS, defects=frozenset({"trace_filter_roots_only"}))
    report, _ = _run(tmp_path, settings)
    got = verdicts(report)
    assert got[READ + "filter-by-trace"] == "fail", explain(report)
    assert got[CORE + "interface-fields"] != "fail", explain(report)
