"""report.json schema and cross-field validation (DESIGN.md §6)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cgtest.reportdata import make_evidence, make_report, make_result
from jsonschema import Draft202012Validator

from cgconform.model.verdicts import LEVELS, RunVerdict, Verdict
from cgconform.report.schema import format_path, load_schema, validate_report

Report = dict[str, Any]


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_enums_match_verdicts_module() -> None:
    defs = load_schema()["$defs"]
    assert defs["verdict"]["enum"] == [v.label for v in Verdict]
    assert set(defs["runVerdict"]["enum"]) == {v.value for v in RunVerdict}
    assert tuple(defs["level"]["enum"]) == LEVELS


def test_default_report_is_valid() -> None:
    assert validate_report(make_report()) == []


def test_full_report_with_every_verdict_and_evidence_kind_is_valid() -> None:
    waiver = {
        "requirement": "/core/semver",
        "reason": "fixed in release 2.4",
        "owner": "team-percelen@example.nl",
        "expires": "2027-01-31",
    }
    results = [
        make_result("/core/version-header", "pass", automation="automatic"),
        make_result("/core/semver", "fail", waiver=waiver, standard_version="2.2.0"),
        make_result("/core/uri-version", "fail"),
        make_result("/core/publish-openapi", "warning", level="SHOULD"),
        make_result("/core/http-safety", "inconclusive", message="429 Too Many Requests"),
        make_result("/core/doc-openapi-contact", "not_applicable", level="SHOULD"),
        make_result("/core/transport/cors", "not_tested", checks=[]),
        make_result("/core/naming-resources", "needs_review", automation="manual"),
        make_result(
            "/core/doc-openapi",
            "error",
            profile="adr-openapi",
            evidence=[
                {
                    "document": {
                        "source": "openapi.yaml",
                        "pointer": "/paths/~1percelen~1{id}/get",
                        "line": 12,
                        "column": 0,
                        "value_excerpt": "operationId: getPerceel",
                    }
                },
                {"error": "Traceback ... KeyError: 'paths'"},
                {"note": "the document was fetched once"},
                {"request": {"method": "TRACE", "url": "https://x/", "headers": {}}},
                {"response": {"status": 405, "headers": {"Allow": ["GET", "HEAD"]}}},
            ],
        ),
    ]
    report = make_report(
        results,
        profiles=["fsc-manager"],
        seed=None,
        max_requests=None,
    )
    report["run"]["budget"]["requests_refused"] = 3
    report["run"]["options"] = {"public": False}
    report["target"]["spec"] = None
    report = json.loads(json.dumps(report))  # what a reader of report.json gets
    assert validate_report(report) == []
    assert report["verdict"] == "error"


Mutation = Callable[[Report], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(report: Report) -> None:
        *parents, last = path.split(".")
        node: Any = report
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return mutate


_DELETE = object()

SCHEMA_MISTAKES: list[tuple[str, Mutation, str]] = [
    (
        "verdict spelled wrong",
        _set("results.0.verdict", "passed"),
        "results[0].verdict: 'passed' is not one of ['not_applicable', 'pass',",
    ),
    (
        "run verdict spelled wrong",
        _set("verdict", "pass"),
        "verdict: 'pass' is not one of",
    ),
    (
        "profile verdict is a requirement verdict",
        _set("profiles.0.verdict", "fail"),
        "profiles[0].verdict: 'fail' is not one of",
    ),
    ("level in lower case", _set("results.0.level", "must"), "results[0].level: 'must'"),
    (
        "missing report_version",
        _set("report_version", _DELETE),
        "(root): 'report_version' is a required property",
    ),
    ("wrong report_version", _set("report_version", 1), "report_version: '1' was expected"),
    (
        "unknown top-level key",
        _set("summary", {}),
        "(root): Additional properties are not allowed ('summary' was unexpected)",
    ),
    (
        "date without offset",
        _set("run.started_at", "2026-11-29T10:00:00"),
        "run.started_at: '2026-11-29T10:00:00' is not a 'date-time'",
    ),
    (
        "date as epoch seconds",
        _set("run.finished_at", 1764410400),
        "run.finished_at: 1764410400 is not of type 'string'",
    ),
    ("run id not a uuid", _set("run.id", "run-42"), "run.id: 'run-42' is not a 'uuid'"),
    (
        "seed as string",
        _set("run.seed", "1234"),
        "run.seed: '1234' is not of type 'integer', 'null'",
    ),
    (
        "budget without requests_sent",
        _set("run.budget.requests_sent", _DELETE),
        "run.budget: 'requests_sent' is a required property",
    ),
    ("negative budget", _set("run.budget.requests_sent", -1), "run.budget.requests_sent: -1"),
    ("strict as string", _set("run.strict", "yes"), "run.strict: 'yes' is not of type 'boolean'"),
    (
        "target without statement",
        _set("target.statement", _DELETE),
        "target: 'statement' is a required property",
    ),
    (
        "counts with unknown verdict",
        _set("profiles.0.counts", {"passed": 1}),
        "profiles[0].counts: 'passed' is not one of",
    ),
    ("profile id not a slug", _set("profiles.0.id", "ADR Runtime"), "profiles[0].id:"),
    (
        "title without English",
        _set("results.0.title", {"nl": "Versie-header"}),
        "results[0].title: 'en' is a required property",
    ),
    ("automation misspelled", _set("results.0.automation", "auto"), "results[0].automation:"),
    ("message null", _set("results.0.message", None), "results[0].message: None is not of type"),
    ("url not http(s)", _set("results.0.url", "adr#/core/x"), "results[0].url:"),
    (
        "check without duration",
        _set("results.0.checks.0.duration_s", _DELETE),
        "results[0].checks[0]: 'duration_s' is a required property",
    ),
    (
        "check with unknown key",
        _set("results.0.checks.0.outcome", "passed"),
        "results[0].checks[0]: Additional properties are not allowed ('outcome' was unexpected)",
    ),
    ("empty evidence item", _set("results.0.evidence", [{}]), "results[0].evidence[0]: {} should"),
    (
        "evidence key misspelled",
        _set("results.0.evidence", [{"requests": {}}]),
        "results[0].evidence[0]: Additional properties are not allowed ('requests'",
    ),
    (
        "status as string",
        _set("results.0.evidence", [{"response": {"status": "200", "headers": {}}}]),
        "results[0].evidence[0].response.status: '200' is not of type 'integer'",
    ),
    (
        "header value as number",
        _set("results.0.evidence", [{"response": {"status": 200, "headers": {"X-N": 1}}}]),
        "results[0].evidence[0].response.headers['X-N']: 1 is not of type 'string', 'array'",
    ),
    (
        "pointer without leading slash",
        _set("results.0.evidence", [{"document": {"source": "a.yaml", "pointer": "paths/x"}}]),
        "results[0].evidence[0].document.pointer: 'paths/x' does not match",
    ),
    (
        "waiver without owner",
        _set(
            "results.0.waiver",
            {"requirement": "/core/version-header", "reason": "r", "expires": "2027-01-01"},
        ),
        "results[0].waiver: 'owner' is a required property",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in SCHEMA_MISTAKES],
)
def test_typical_mistake_is_caught_with_a_readable_message(mutate: Mutation, expected: str) -> None:
    report = make_report()
    mutate(report)
    problems = validate_report(report)
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize("verdict", ["not_tested", "not_applicable"])
def test_skipping_verdict_without_reason_is_caught(verdict: str) -> None:
    result = make_result(verdict=verdict)
    del result["reason"]
    problems = validate_report(make_report([result]))
    assert problems == ["results[0]: 'reason' is a required property"]


def test_every_schema_problem_is_reported_sorted_by_path() -> None:
    report = make_report([make_result(), make_result("/core/semver")])
    report["results"][1]["verdict"] = "ok"
    report["results"][0]["level"] = "must"
    report["run"]["seed"] = "x"
    problems = validate_report(report)
    assert [p.split(":")[0] for p in problems] == [
        "results[0].level",
        "results[1].verdict",
        "run.seed",
    ]


def test_long_values_are_shortened_in_messages() -> None:
    report = make_report()
    report["results"][0]["verdict"] = "x" * 5000
    (problem,) = validate_report(report)
    assert len(problem) < 400


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ([], "(root)"),
        (["results", 3, "verdict"], "results[3].verdict"),
        (
            ["results", 0, "evidence", 1, "response", "headers", "Set-Cookie"],
            "results[0].evidence[1].response.headers['Set-Cookie']",
        ),
    ],
)
def test_format_path(path: list[str | int], text: str) -> None:
    assert format_path(path) == text


# --- rules across fields -------------------------------------------------------------------


def _problems(report: Report) -> list[str]:
    return validate_report(report)


def test_result_of_unlisted_profile_is_caught() -> None:
    report = make_report()
    report["results"][0]["profile"] = "adr-openapi"
    assert "results[0].profile: 'adr-openapi' is not in profiles[]" in _problems(report)


def test_duplicate_profile_is_caught() -> None:
    report = make_report()
    report["profiles"].append(dict(report["profiles"][0]))
    assert "profiles[1].id: 'adr-runtime' is listed twice" in _problems(report)


def test_requirement_reported_twice_is_caught() -> None:
    report = make_report([make_result(), make_result()])
    assert any("already reported in results[0]" in p for p in _problems(report))


def test_same_requirement_in_two_profiles_is_fine() -> None:
    report = make_report([make_result(), make_result(profile="adr-openapi")])
    assert _problems(report) == []


def test_counts_that_do_not_add_up_are_caught() -> None:
    report = make_report([make_result(), make_result("/core/semver", "fail")])
    report["profiles"][0]["counts"] = {"pass": 2}
    assert any(p.startswith("profiles[0].counts:") for p in _problems(report))


def test_zero_counts_are_allowed() -> None:
    report = make_report()
    report["profiles"][0]["counts"]["fail"] = 0
    assert _problems(report) == []


def test_profile_said_conformant_with_a_failing_must_is_caught() -> None:
    report = make_report([make_result(verdict="fail")], verdict="conformant")
    report["profiles"][0]["verdict"] = "conformant"
    problems = _problems(report)
    assert "profiles[0].verdict: 'conformant' but its results make it 'not_conformant'" in problems


def test_profile_may_be_worse_than_its_results_after_a_suite_error() -> None:
    report = make_report()
    report["profiles"][0]["verdict"] = report["verdict"] = "error"
    assert _problems(report) == []


def test_needs_review_blocks_only_in_strict_mode() -> None:
    results = [make_result(verdict="needs_review")]
    assert make_report(results)["verdict"] == "conformant"
    strict = make_report(results, strict=True)
    assert strict["verdict"] == "inconclusive"
    assert _problems(strict) == []
    strict["profiles"][0]["verdict"] = strict["verdict"] = "conformant"
    assert any("its results make it 'inconclusive'" in p for p in _problems(strict))


def test_waived_fail_keeps_its_verdict_and_does_not_block() -> None:
    waiver = {
        "requirement": "/core/version-header",
        "reason": "r",
        "owner": "o",
        "expires": "2027-01-01",
    }
    report = make_report([make_result(verdict="fail", waiver=waiver)])
    assert report["verdict"] == "conformant"
    assert _problems(report) == []


def test_waiver_for_another_requirement_is_caught() -> None:
    waiver = {"requirement": "/core/semver", "reason": "r", "owner": "o", "expires": "2027-01-01"}
    report = make_report([make_result(verdict="fail", waiver=waiver)])
    assert any(p.startswith("results[0].waiver.requirement:") for p in _problems(report))


def test_run_verdict_better_than_its_profiles_is_caught() -> None:
    report = make_report([make_result(verdict="fail")], verdict="conformant")
    assert "verdict: 'conformant' is better than the worst profile verdict 'not_conformant'" in (
        _problems(report)
    )


def test_run_without_profiles_must_be_error() -> None:
    assert _problems(make_report([], verdict="error")) == []
    assert any(p.startswith("verdict:") for p in _problems(make_report([], verdict="conformant")))


def test_fail_on_should_is_caught() -> None:
    result = make_result(verdict="warning", level="SHOULD")
    result["verdict"] = result["checks"][0]["verdict"] = "fail"
    report = make_report([make_result()])
    report["results"] = [result]
    report["profiles"][0]["counts"] = {"fail": 1}
    assert "results[0].verdict: 'fail' on a SHOULD requirement must be reported as 'warning'" in (
        _problems(report)
    )


def test_verdict_that_is_not_the_worst_of_its_checks_is_caught() -> None:
    checks = [
        {"name": "a", "verdict": "pass", "duration_s": 0.1},
        {"name": "b", "verdict": "inconclusive", "duration_s": 0.1},
    ]
    report = make_report([make_result(verdict="pass", checks=checks)])
    assert "results[0].verdict: 'pass' is not the worst of its checks ('inconclusive')" in (
        _problems(report)
    )


def test_failing_check_on_should_makes_a_warning() -> None:
    checks = [{"name": "a", "verdict": "fail", "duration_s": 0.1}]
    report = make_report([make_result(verdict="warning", level="SHOULD", checks=checks)])
    assert _problems(report) == []


def test_run_that_ends_before_it_starts_is_caught() -> None:
    report = make_report()
    report["run"]["finished_at"] = "2026-11-29T09:00:00Z"
    assert "run.finished_at: earlier than run.started_at" in _problems(report)


def test_impossible_date_is_caught() -> None:
    report = make_report()
    report["run"]["started_at"] = "2026-13-29T10:00:00Z"
    assert _problems(report) == ["run.started_at: '2026-13-29T10:00:00Z' is not a 'date-time'"]


def test_lower_case_rfc3339_separators_are_fine() -> None:
    report = make_report()
    report["run"]["started_at"] = "2026-11-29t10:00:00z"
    assert _problems(report) == []


def test_budget_overrun_is_caught() -> None:
    report = make_report(max_requests=10, requests_sent=11)
    assert "run.budget.requests_sent: 11 exceeds max_requests 10" in _problems(report)


def test_consistency_can_be_left_out() -> None:
    report = make_report([make_result(verdict="fail")], verdict="conformant")
    assert validate_report(report, consistency=False) == []


# --- secrets and personal data --------------------------------------------------------------


def _with_evidence(*evidence: dict[str, Any]) -> Report:
    return make_report([make_result(verdict="fail", evidence=list(evidence))])


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"},
        {"authorization": "Basic dXNlcjpwYXNzd29yZA=="},
        {"Cookie": "sessionid=8f14e45fceea167a5a36dedd4bea2543"},
        {"X-API-Key": "sk_live_51H8xYzAbCdEfGhIj"},
        {"Set-Cookie": ["a=1", "session=8f14e45fceea167a5a36dedd4bea2543; HttpOnly"]},
    ],
)
def test_unredacted_secret_header_is_caught(headers: dict[str, Any]) -> None:
    evidence = make_evidence()
    evidence["request"]["headers"].update(headers)
    problems = _problems(_with_evidence(evidence))
    assert any("secret header value is not redacted" in p for p in problems), problems


@pytest.mark.parametrize(
    "value",
    [
        "Bearer [redacted]",
        "[REDACTED]",
        "***",
        "Basic <masked>",
        "<redacted>",
        "Bearer ${CG_PERCELEN_API_TOKEN}",
        "<contents of /run/secrets/percelen-token.txt>",
    ],
)
def test_redacted_secret_header_is_fine(value: str) -> None:
    evidence = make_evidence()
    evidence["request"]["headers"]["Authorization"] = value
    assert _problems(_with_evidence(evidence)) == []


@pytest.mark.parametrize(
    "curl",
    [
        "curl -H 'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIi' https://x/",
        'curl -H "X-Api-Key: 0123456789abcdef0123" https://x/',
        "curl -u admin:hunter2 https://x/",
        "curl --user 'admin:s3cret' https://x/",
    ],
)
def test_secret_in_reproducer_is_caught(curl: str) -> None:
    problems = _problems(_with_evidence({"reproduce": curl}))
    assert any(p.startswith("results[0].evidence[0].reproduce:") for p in problems), problems


@pytest.mark.parametrize(
    "curl",
    [
        "curl -H 'Authorization: Bearer [redacted]' https://x/",
        "curl -u 'admin:[redacted]' https://x/",
        "curl -u 'admin:${CG_PASSWORD}' https://x/",
        "curl -H 'Authorization: Bearer ${CG_PERCELEN_API_TOKEN}' https://x/",
        "curl -X GET 'https://api.example.nl/v1/percelen?pageSize=100' -H 'Accept: */*'",
    ],
)
def test_redacted_reproducer_is_fine(curl: str) -> None:
    assert _problems(_with_evidence({"reproduce": curl})) == []


def test_unmasked_bsn_in_evidence_is_caught() -> None:
    evidence = make_evidence(body='{"burgerservicenummer": "999993653"}')
    problems = _problems(_with_evidence(evidence))
    assert problems == [
        "results[0].evidence[0].response.body_excerpt: contains an unmasked BSN-shaped value"
    ]


@pytest.mark.parametrize(
    "text",
    [
        '{"id": 123456789}',  # nine digits, fails the eleven test
        '{"hash": "a999993653b"}',  # part of a longer token
        '{"bsn": "*****3653"}',
        '{"ts": 1764410400}',
    ],
)
def test_numbers_that_are_not_bsns_are_fine(text: str) -> None:
    assert _problems(_with_evidence(make_evidence(body=text))) == []


def test_bad_date_is_reported_once() -> None:
    report = make_report()
    report["run"]["started_at"] = "29-11-2026 10:00"
    assert validate_report(report) == ["run.started_at: '29-11-2026 10:00' is not a 'date-time'"]
