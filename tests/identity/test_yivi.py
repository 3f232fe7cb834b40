"""yivi-requestor against the reference irma server (fixtures/identity/yivi_server.py): every
check passes on the conformant server; each seeded defect is found under the requirement it
breaks and nowhere else; what the target does not give (a requestor key, a short timeout, a test
wallet, server-sent events, a result key) is not_tested with the reason, or not_applicable where
the target states it; the fixture's test wallet and event stream behave as the checks assume; a
wrong [yivi] table is one clear message; no requestor or session token reaches a report."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from yivirun import (
    REQUESTOR,
    TOKEN_VARIABLE,
    Requestor,
    make_requestor,
    reference_yivi,
    results,
    run,
    target_for,
    verdicts,
    yivi_table,
)

from cgconform.fixtures.identity.yivi_server import YIVI_DEFECTS, serve_yivi
from cgconform.model.target import ConfigError, Target
from cgconform.suites.identity.harness.yivi_settings import load_yivi_settings
from cgconform.suites.identity.harness.yivi_shapes import disclosed_problems
from cgconform.suites.identity.harness.yivi_sse import parse_events

R = "/yivi/requestor"
S = "/yivi/session-requests"
AUTH = f"{R}/authentication"
ERRORS = f"{R}/error-object"
UNKNOWN = f"{R}/session-unknown"
PTR = f"{R}/session-ptr"
FRONTEND = f"{R}/frontend-request"
STATUS = f"{R}/session-status"
DELETE = f"{R}/delete-session"
TIMEOUT = f"{R}/session-status-timeout"
DONE = f"{R}/session-status-done"
EVENTS = f"{R}/session-statusevents"
RESULT = f"{R}/session-result"
RESULT_JWT = f"{R}/session-result-jwt"
PUBLICKEY = f"{R}/publickey"
MESSAGE = f"{S}/attribute-based-signature-requests/message"
SIGNED = f"{S}/jwts-signed-session-requests"

# defect -> {requirement: the verdict it must get}; nothing else may fail or warn
EXPECTED: dict[str, dict[str, str]] = {
    "no-auth-required": {AUTH: "fail"},
    "jwt-signature-ignored": {AUTH: "fail"},
    "wrong-error-object": {ERRORS: "fail", UNKNOWN: "fail"},
    "error-object-without-status": {ERRORS: "warning"},
    "session-unknown-404": {UNKNOWN: "fail"},
    "no-cancel-on-delete": {DELETE: "fail", EVENTS: "fail", RESULT: "fail"},
    "result-jwt-other-key": {RESULT_JWT: "fail"},
    "result-jwt-wrong-sub": {RESULT_JWT: "fail"},
    "statusevents-not-sse": {EVENTS: "fail"},
    "sessionptr-no-irmaqr": {PTR: "fail"},
    "irmaqr-always-disclosing": {PTR: "fail"},
    "no-frontend-request": {FRONTEND: "fail"},
    "status-not-json": {STATUS: "fail"},
    "no-timeout": {TIMEOUT: "fail"},
    "accepts-signature-without-message": {MESSAGE: "fail"},
    "client-token-is-requestor-token": {PTR: "warning"},
    "result-disclosed-flat": {DONE: "fail"},
    "result-type-missing": {RESULT: "fail", RESULT_JWT: "fail"},
    "rejects-jwt-requests": {SIGNED: "fail"},
}


@pytest.fixture(scope="module")
def requestor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Requestor]:
    made = make_requestor(tmp_path_factory.mktemp("requestor"))
    os.environ[TOKEN_VARIABLE] = made.token
    yield made
    os.environ.pop(TOKEN_VARIABLE, None)


def test_every_defect_has_an_expectation() -> None:
    assert set(EXPECTED) == set(YIVI_DEFECTS)


def test_conformant_server_passes_everything(requestor: Requestor) -> None:
    with reference_yivi(requestor) as irma:
        report = run(target_for(irma, yivi_table(requestor, irma)))
        assert irma.errors == []
        assert all(
            s.status in ("CANCELLED", "DONE", "TIMEOUT")
            for s in irma.server.sessions.by_token.values()
        ), "sessions left open"
    found = verdicts(report)
    assert set(found.values()) == {"pass"}, {k: v for k, v in found.items() if v != "pass"}
    assert report["profiles"][0]["verdict"] == "conformant"
    text = json.dumps(report)
    assert requestor.token not in text
    for session in irma.server.sessions.by_token:
        assert session not in text, "a requestor token of a session reached the report"
    assert "${yivi_session_" in text  # the placeholder evidence shows instead
    assert "disclosing_result" not in text and "verification_result" in text


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_each_defect_is_found_under_its_requirement(requestor: Requestor, defect: str) -> None:
    expected = EXPECTED[defect]
    with reference_yivi(requestor, defects={defect}) as irma:
        report = run(target_for(irma, yivi_table(requestor, irma)))
        assert irma.errors == []
    found = verdicts(report)
    for requirement, verdict in expected.items():
        assert found[requirement] == verdict, (requirement, results(report)[requirement])
        result = results(report)[requirement]
        assert result["message"] and result["evidence"], requirement
    others = {r: v for r, v in found.items() if r not in expected and v != "pass"}
    assert not others, others


def test_token_only_requestor_leaves_signed_requests_not_tested(requestor: Requestor) -> None:
    with reference_yivi(requestor) as irma:
        table = yivi_table(requestor, irma, requestor=None, requestor_key=None)
        report = run(target_for(irma, table), only=[SIGNED, AUTH])
    assert verdicts(report)[AUTH] == "pass"
    assert "wrong requestor token" in results(report)[AUTH]["message"]
    assert verdicts(report)[SIGNED] == "not_tested"
    assert "requestor_key" in results(report)[SIGNED]["message"]


def test_jwt_only_requestor_works_with_hmac(
    requestor: Requestor, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = os.urandom(32)
    monkeypatch.setenv("CG_TEST_YIVI_HMAC", __import__("base64").b64encode(key).decode())
    with reference_yivi(requestor, jwt_keys={}, hmac_keys={REQUESTOR: key}) as irma:
        table = yivi_table(
            requestor,
            irma,
            requestor_token=None,
            requestor_key=None,
            requestor_hmac_key="env:CG_TEST_YIVI_HMAC",
        )
        report = run(target_for(irma, table), only=[SIGNED, AUTH, STATUS])
    assert set(verdicts(report).values()) == {"pass"}, report["results"]
    assert "HS256" in results(report)[SIGNED]["message"]


def test_what_the_target_does_not_give_is_not_tested(requestor: Requestor) -> None:
    with reference_yivi(requestor, sse=False, result_key=None, test_wallet=False) as irma:
        table = yivi_table(requestor, irma, session_timeout=None, completion_hook=None)
        report = run(target_for(irma, table), only=[TIMEOUT, DONE, EVENTS, RESULT_JWT, PUBLICKEY])
    found, said = verdicts(report), results(report)
    assert found == dict.fromkeys(found, "not_tested"), found
    assert "session_timeout" in said[TIMEOUT]["message"]
    assert "completion_hook" in said[DONE]["message"]
    assert "SSE_DISABLED" in said[EVENTS]["message"] and "--sse" in said[EVENTS]["message"]
    assert "JWT private key" in said[RESULT_JWT]["message"]
    assert "result_jwt = false" in said[PUBLICKEY]["message"]


def test_what_the_target_states_it_does_without_is_not_applicable(requestor: Requestor) -> None:
    with reference_yivi(requestor, no_auth=True, sse=False, result_key=None) as irma:
        table = yivi_table(
            requestor, irma, requestor_token=None, requestor=None, requestor_key=None
        )
        statement = {
            "requestor_authentication": False,
            "signed_session_requests": False,
            "server_sent_events": False,
            "result_jwt": False,
            "issuance_sessions": False,
        }
        report = run(target_for(irma, table, **statement))
    found = verdicts(report)
    for requirement in (AUTH, SIGNED, EVENTS, RESULT_JWT, PUBLICKEY, f"{S}/issuance-requests"):
        assert found[requirement] == "not_applicable", requirement
    assert set(found.values()) <= {"pass", "not_applicable"}, found


def test_an_event_stream_the_server_keeps_open_still_counts(requestor: Requestor) -> None:
    with reference_yivi(requestor, sse_ends=False) as irma:
        report = run(
            target_for(irma, yivi_table(requestor, irma, statusevents_wait=2)), only=[EVENTS]
        )
    result = results(report)[EVENTS]
    assert result["verdict"] == "pass", result
    assert "cut off after 2 s" in result["message"]


def test_refused_credentials_are_inconclusive_not_failures(requestor: Requestor) -> None:
    with reference_yivi(requestor, tokens={"another-token": REQUESTOR}, jwt_keys={}) as irma:
        report = run(
            target_for(irma, yivi_table(requestor, irma, requestor=None, requestor_key=None))
        )
    found = verdicts(report)
    assert "fail" not in found.values(), {k: v for k, v in found.items() if v == "fail"}
    assert found[f"{S}/disclosure-requests"] == "inconclusive"
    assert "requestor_token" in results(report)[f"{S}/disclosure-requests"]["message"]
    assert found[AUTH] == "inconclusive"


def test_the_test_wallet_completes_a_disclosure(requestor: Requestor) -> None:
    disclose = [
        [["irma-demo.MijnOverheid.root.BSN"]],
        [["irma-demo.nijmegen.address.city"], ["irma-demo.idin.idin.city"]],
    ]
    with reference_yivi(requestor) as irma:
        started = requests.post(
            f"{irma.base_url}/session",
            json={"@context": "https://irma.app/ld/request/disclosure/v2", "disclose": disclose},
            headers={"Authorization": requestor.token},
            timeout=5,
        ).json()
        done = requests.post(
            irma.completion_hook, json={"sessionPtr": started["sessionPtr"]}, timeout=5
        )
        assert done.status_code == 200
        token = started["token"]
        assert requests.get(f"{irma.base_url}/session/{token}/status", timeout=5).json() == "DONE"
        result = requests.get(f"{irma.base_url}/session/{token}/result", timeout=5).json()
        again = requests.post(
            irma.completion_hook, json={"sessionPtr": started["sessionPtr"]}, timeout=5
        )
    assert result["status"] == "DONE" and result["proofStatus"] == "VALID"
    assert disclosed_problems(result, disclose) == []
    assert [a["id"] for a in result["disclosed"][1]] == ["irma-demo.nijmegen.address.city"]
    assert again.status_code == 403 and again.json()["error"] == "UNEXPECTED_REQUEST"


def test_the_test_wallet_is_no_part_of_the_api_unless_asked(requestor: Requestor) -> None:
    with serve_yivi(tokens={requestor.token: REQUESTOR}) as irma:
        answer = requests.post(irma.completion_hook, json={}, timeout=5)
    assert answer.status_code == 404


def test_event_streams_are_parsed_as_the_html_standard_says() -> None:
    text = 'event: open\ndata: \n\n: comment\ndata: "CANCELLED"\n\ndata: "cut'
    events = parse_events(text)
    assert [(e.event, e.data) for e in events] == [("open", ""), ("message", '"CANCELLED"')]
    assert parse_events("data: a\r\ndata: b\r\n\r\n")[0].data == "a\nb"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"requestor_token": "inline-secret"}, "by reference"),
        ({}, "how does cgconform authenticate"),
        ({"requestor_token": "env:X", "colour": "red"}, "unknown key(s) colour"),
        ({"requestor_token": "env:X", "disclose": ["BSN"]}, "attribute type identifiers"),
        ({"requestor_token": "env:X", "requestor": "me"}, "needs requestor_key"),
        ({"requestor_key": "file:k.pem"}, "requestor: missing"),
        ({"requestor_token": "env:X", "session_timeout": 0}, "at least 1"),
        ({"requestor_token": "env:X", "issue": {"credential": "x"}}, "credential requests"),
        ({"requestor_token": "env:X", "completion_hook": "ftp://x"}, "http(s) URL"),
    ],
)
def test_wrong_yivi_tables_are_one_clear_message(table: dict[str, Any], message: str) -> None:
    target = Target(urls={"yivi": "http://127.0.0.1:1"}, suite_settings={"yivi": table})
    with pytest.raises(ConfigError) as raised:
        load_yivi_settings(target)
    assert message in str(raised.value)


def test_a_missing_url_and_a_bad_key_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[urls\] yivi"):
        load_yivi_settings(Target(suite_settings={"yivi": {"requestor_token": "env:X"}}))
    bad = tmp_path / "k.pem"
    bad.write_text("not a key")
    table = {"requestor": "me", "requestor_key": f"file:{bad}"}
    with pytest.raises(ConfigError, match="RSA private key"):
        load_yivi_settings(
            Target(urls={"yivi": "http://127.0.0.1:1"}, suite_settings={"yivi": table})
        )


def test_the_cli_runs_the_profile_from_a_target_toml(
    requestor: Requestor, tmp_path: Path, cli: Any
) -> None:
    with reference_yivi(requestor) as irma:
        (tmp_path / "target.toml").write_text(
            f"""
name = "irma server"
[urls]
yivi = "{irma.base_url}"
[yivi]
requestor_token = "env:{TOKEN_VARIABLE}"
requestor = "{REQUESTOR}"
requestor_key = "file:{requestor.key_file.name}"
[statement]
server_sent_events = false
""",
            encoding="utf-8",
        )
        (tmp_path / requestor.key_file.name).write_bytes(requestor.key_file.read_bytes())
        result = cli(
            "run", "--profile", "yivi-requestor", "--target", str(tmp_path / "target.toml")
        )
    assert result.code == 3, result.stdout + result.stderr  # TIMEOUT and DONE not_tested
    found = result.verdicts()
    assert found[TIMEOUT] == "not_tested" and found[DONE] == "not_tested"
    assert found[EVENTS] == found[f"{S}/issuance-requests"] == "not_applicable"
    assert {v for v in found.values()} == {"pass", "not_tested", "not_applicable"}
    assert [k for k, v in found.items() if v == "not_tested"] == [TIMEOUT, DONE]
    assert requestor.token not in (result.report_dir / "report.json").read_text("utf-8")
