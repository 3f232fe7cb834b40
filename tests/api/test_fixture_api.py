"""The reference API of `adr-runtime` (fixtures/api/) does what it claims.

The conformant API breaks no rule that the oracle (`fixtures/api/oracle.py`) knows; every
seeded defect breaks its own rule and no other (but for the overlap a 500 for bad input has by
nature); and each defect shows in the request/response that `fixtures/api/defects.py` documents.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from cgconform.fixtures.api.app import SPEC_PATH
from cgconform.fixtures.api.defects import DEFECTS, make_app
from cgconform.fixtures.api.oracle import ITEM, NEW, UNKNOWN, Client, violations
from cgconform.fixtures.api.server import serve
from cgconform.fixtures.api.store import SEED
from cgconform.fixtures.api.symptoms import SYMPTOMS
from cgconform.model.catalogue import load_catalogue

REPO = Path(__file__).resolve().parents[2]
COLLECTION = "/parkeervergunningen"
BAD = {"kenteken": "ab", "zone": "noord", "x": 1}  # three errors at once
AGREED = """no_version_header_on_errors wrong_version_header trailing_slash_redirects
trailing_slash_served errors_not_problem_json problem_without_detail invalid_input_accepted
invalid_input_422 server_error_on_bad_input no_405 405_without_allow no_415 no_406
missing_security_headers get_changes_state delete_not_idempotent local_date_time
non_utc_date_time product_banner stack_trace_in_error openapi_requires_auth openapi_no_cors
served_document_differs response_violates_schema session_cookie"""  # names others rely on
ALSO_BROKEN = {
    "server_error_on_bad_input": {"/core/error-handling/invalid-input"},
    "served_version_not_semver": {"/core/doc-openapi"},  # the served document differs
}


def conformant() -> Iterator[Client]:
    """A client of a freshly served conformant API; no fault in its request threads after."""
    with serve() as running:
        c = Client(running)
        yield c
        c.session.close()
    assert not running.errors


client = pytest.fixture(conformant, scope="module", name="client")  # shared, for reads
fresh = pytest.fixture(conformant, name="fresh")  # its own, for writes and state


def test_conformant_api_breaks_no_rule(fresh: Client) -> None:
    assert violations(fresh.api) == {}


def test_every_answer_carries_version_security_headers_and_a_content_type(client: Client) -> None:
    statuses = {r.status_code for _, r in client.battery}
    assert statuses >= {200, 201, 204, 400, 401, 404, 405, 406, 415}
    for label, r in client.battery:
        assert r.headers["API-Version"] == "1.2.0", label
        assert r.headers["Cache-Control"] == "no-store", label
        assert r.headers["Content-Security-Policy"] == "frame-ancestors 'none'", label
        assert r.headers["X-Content-Type-Options"] == "nosniff", label
        assert r.headers["X-Frame-Options"] == "DENY", label
        assert not {"Server", "X-Powered-By", "Set-Cookie"} & set(r.headers), label
        want = "application/problem+json" if r.status_code >= 400 else "application/json"
        assert r.headers.get("Content-Type") == (None if r.status_code == 204 else want), label
        assert "Traceback" not in r.text, label
        if r.status_code >= 400:  # a complete RFC 9457 problem
            problem = r.json()
            assert set(problem) >= {"type", "title", "status", "detail", "instance"}, label
            assert problem["status"] == r.status_code and problem["type"].startswith("https://")


def test_lists_finds_and_pages_the_seeded_permits(client: Client) -> None:
    listed = client.call("GET", COLLECTION).json()["parkeervergunningen"]
    assert listed[:2] == list(SEED)
    found = client.call("GET", COLLECTION + "?kenteken=XY987Z&onbekend=1").json()
    assert found == {"parkeervergunningen": [SEED[1]]}
    assert client.call("GET", COLLECTION + "?pagina=2").json()["parkeervergunningen"] == []
    assert client.call("GET", ITEM).json() == SEED[0]


@pytest.mark.parametrize(
    ("method", "path", "body", "names"),
    [
        ("GET", COLLECTION + "?kenteken=ab-12-cd", None, ["kenteken"]),
        ("GET", COLLECTION + "?kenteken=AB123C&kenteken=XY987Z", None, ["kenteken"]),
        ("GET", COLLECTION + "?pagina=0&kenteken=", None, ["kenteken", "pagina"]),
        ("GET", COLLECTION + "?pagina=1.5", None, ["pagina"]),
        ("POST", COLLECTION, BAD, ["x", "kenteken", "zone"]),
        ("POST", COLLECTION, {}, ["kenteken", "zone"]),
        ("POST", COLLECTION, {**NEW, "kenteken": 123456}, ["kenteken"]),
        ("POST", COLLECTION, [NEW], ["body"]),
        ("POST", COLLECTION, "{niet json", ["body"]),
        ("GET", COLLECTION + "/12345", None, ["vergunningId"]),
        ("DELETE", COLLECTION + "/geen-uuid", None, ["vergunningId"]),
    ],
)
def test_invalid_input_is_400_with_every_error(
    client: Client, method: str, path: str, body: Any, names: list[str]
) -> None:
    kwargs: dict[str, Any] = {}
    if isinstance(body, str):
        kwargs = {"data": body, "headers": {"Content-Type": "application/json"}}
    elif body is not None:
        kwargs = {"json": body}
    r = client.call(method, path, **kwargs)
    assert r.status_code == 400, r.text
    assert [p["name"] for p in r.json()["invalidParams"]] == names


@pytest.mark.parametrize(
    "path", [COLLECTION + "/", ITEM + "/", "/openapi.json/", "/", "", "/onbekend", UNKNOWN]
)
def test_unknown_paths_ids_and_trailing_slashes_are_404(client: Client, path: str) -> None:
    r = client.call("GET", path)
    assert r.status_code == 404 and not r.is_redirect
    assert r.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", COLLECTION, "GET, HEAD, POST"),
        ("PUT", COLLECTION, "GET, HEAD, POST"),
        ("PUT", ITEM, "GET, HEAD, DELETE"),
        ("POST", ITEM, "GET, HEAD, DELETE"),
        ("TRACE", ITEM, "GET, HEAD, DELETE"),
        ("DELETE", "/openapi.json", "GET, HEAD, OPTIONS"),
        ("OPTIONS", COLLECTION, "GET, HEAD, POST"),
        ("BREW", COLLECTION, "GET, HEAD, POST"),
    ],
)
def test_unsupported_methods_are_405_with_allow(
    client: Client, method: str, path: str, allow: str
) -> None:
    r = client.call(method, path)
    assert (r.status_code, r.headers["Allow"]) == (405, allow)
    assert r.json()["status"] == 405


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/xml", 406),
        ("text/html, application/problem+json", 406),
        ("application/json;q=0", 406),
        ("application/json", 200),
        ("application/xml, application/json;q=0.5", 200),
        ("application/*", 200),
        ("*/*", 200),
    ],
)
def test_accept_is_negotiated(client: Client, accept: str, status: int) -> None:
    assert client.call("GET", ITEM, headers={"Accept": accept}).status_code == status


@pytest.mark.parametrize(
    ("content_type", "status"),
    [("text/plain", 415), ("application/xml", 415), (None, 415), ("application/json", 201)],
)
def test_request_content_type_is_checked(
    fresh: Client, content_type: str | None, status: int
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    r = fresh.call("POST", COLLECTION, data=json.dumps(NEW).encode(), headers=headers)
    assert r.status_code == status


@pytest.mark.parametrize("key", [None, "", "fout"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", COLLECTION), ("GET", ITEM), ("POST", COLLECTION), ("DELETE", ITEM), ("GET", "/x")],
)
def test_everything_but_the_document_needs_the_key(
    client: Client, key: str | None, method: str, path: str
) -> None:
    headers = {} if key is None else {"X-Api-Key": key}
    r = client.call(method, path, auth=False, headers=headers, json=NEW)
    assert r.status_code == 401 and r.headers["API-Version"] == "1.2.0"
    assert r.headers["Content-Type"] == "application/problem+json"
    assert "X-Api-Key" in r.headers["WWW-Authenticate"]


def test_the_document_is_public_cors_open_and_byte_identical(client: Client) -> None:
    get = client.call("GET", "/openapi.json", auth=False)
    assert get.status_code == 200 and get.content == SPEC_PATH.read_bytes()
    assert get.headers["Access-Control-Allow-Origin"] == "*"
    head = client.call("HEAD", "/openapi.json", auth=False)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == get.headers["Content-Length"]
    cors = {"Origin": "https://elders.example", "Access-Control-Request-Method": "GET"}
    preflight = client.call("OPTIONS", "/openapi.json", auth=False, headers=cors)
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_create_read_delete(fresh: Client) -> None:
    created = fresh.call("POST", COLLECTION, json=NEW)
    permit = created.json()
    assert created.status_code == 201 and permit.items() >= NEW.items()
    assert created.headers["Location"] == fresh.api.url(f"{COLLECTION}/{permit['id']}")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", permit["aangemaaktOp"])
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", permit[k]) for k in ("geldigVanaf", "geldigTot"))
    assert permit["geldigVanaf"] < permit["geldigTot"]
    assert fresh.session.get(created.headers["Location"], headers=fresh.api.auth).json() == permit
    path = f"{COLLECTION}/{permit['id'].upper()}"
    assert [fresh.call("DELETE", path).status_code for _ in range(2)] == [204, 404]
    assert fresh.call("GET", path).status_code == 404
    assert len(fresh.call("GET", COLLECTION).json()["parkeervergunningen"]) == 2


def test_safe_methods_change_nothing(fresh: Client) -> None:
    before = fresh.api.app.store.snapshot()
    for path in (COLLECTION, ITEM, UNKNOWN, COLLECTION + "?pagina=0", "/openapi.json"):
        fresh.call("GET", path)
        fresh.call("HEAD", path)
    assert fresh.api.app.store.snapshot() == before


def test_serves_concurrent_requests_and_stops_cleanly() -> None:
    with serve(make_app(api_key="geheim")) as api:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/parkeren/v1", api.base_url)
        assert (api.api_key, api.spec_path, api.defect) == ("geheim", SPEC_PATH, None)
        session = requests.Session()
        session.get(api.url(COLLECTION), headers=api.auth)  # a kept-alive connection
        with ThreadPoolExecutor(16) as pool:
            answers = list(
                pool.map(lambda _: requests.get(api.url(ITEM), headers=api.auth), range(32))
            )
        assert {r.status_code for r in answers} == {200}
        assert len(api.received) == 33 and api.received[0].method == "GET"
    with pytest.raises(requests.ConnectionError):
        session.get(api.url(COLLECTION), headers=api.auth, timeout=2)
    assert not api.server.errors


def test_protocol_errors_are_problems_and_nothing_reaches_stderr(
    client: Client, capfd: pytest.CaptureFixture[str]
) -> None:
    api = client.api
    host, port = api.server.server_address[:2]
    with socket.create_connection((str(host), port)) as sock:
        sock.sendall(b"GET /parkeren/v1/x HTTP/1.1\r\nHost: a\r\nContent-Length: zz\r\n\r\n")
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 400") and "API-Version: 1.2.0" in answer
    assert "application/problem+json" in answer
    chunked = iter([json.dumps(NEW).encode()])  # a generator body goes out chunked
    headers = {**api.auth, "Content-Type": "application/json"}
    assert requests.post(api.url(COLLECTION), data=chunked, headers=headers).status_code == 201
    assert capfd.readouterr().err == ""


def test_runs_by_hand_until_ctrl_c() -> None:
    command = [sys.executable, "-m", "cgconform.fixtures.api.server", "--defect", "no_405"]
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        assert p.stdout is not None
        base_url = p.stdout.readline().decode().strip()
        key = {"X-Api-Key": "cgconform-demo-sleutel"}
        r = requests.patch(base_url + COLLECTION, headers=key, timeout=5)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=10)
    assert r.status_code == 404 and p.returncode == 0 and err == b""


# -- the seeded defects ---------------------------------------------------------------------


def test_defects_name_known_rules_with_a_verdict() -> None:
    catalogue = load_catalogue()
    for name, (requirement, verdict) in DEFECTS.items():
        assert catalogue.lookup("ADR", "2.2.0", requirement), name
        assert verdict in ("fail", "warning"), name
    assert set(SYMPTOMS) == set(DEFECTS) >= set(AGREED.split())
    with pytest.raises(ValueError, match="unknown defect"):
        make_app("bestaat_niet")


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_defect_breaks_its_rule_and_no_other(defect: str) -> None:
    with serve(defect) as api:
        broken = violations(api)
    assert set(broken) == {DEFECTS[defect][0], *ALSO_BROKEN.get(defect, ())}, broken
    assert not api.errors


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_defect_shows_as_documented(defect: str, client: Client) -> None:
    assert not SYMPTOMS[defect](client), "the conformant API shows it too"
    with serve(defect) as api:
        assert SYMPTOMS[defect](Client(api))
