"""Smoke tests of the DRF reference API (fixtures/api/drf/): it starts on 127.0.0.1, serves a
valid OpenAPI document, takes a zaak through create/read/list/update/delete with credentials,
refuses requests without them, asks `Accept-Crs` on its geo endpoint, and its runner stops.

Skipped when Django, Django REST Framework or drf-spectacular is not installed, except in CI
(`CI=true`), which installs them with the test extra and must run these tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

if not os.environ.get("CI"):
    for _name in ("django", "rest_framework", "drf_spectacular"):
        pytest.importorskip(_name, reason=f"{_name} is not installed (pip install -e '.[test]')")

from openapi_spec_validator import validate

from cgconform.fixtures.api.drf import API_VERSION
from cgconform.fixtures.api.drf.server import RunningDrfApi, serve_drf

REPO = Path(__file__).resolve().parents[2]
PROBLEM_JSON = "application/problem+json"
NEW_ZAAK = {
    "identificatie": "ZAAK-2026-0000000042",
    "startdatum": "2026-02-01",
    "omschrijving": "Rooktest",
    "status": "ontvangen",
    "registratiedatum": "2026-02-01T10:15:00+01:00",
}


@pytest.fixture(scope="module")
def api() -> Iterator[RunningDrfApi]:
    with serve_drf() as running:
        assert running.base_url.startswith("http://127.0.0.1:")
        yield running


def _problem(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_the_document_is_valid_openapi_and_public(api: RunningDrfApi) -> None:
    response = requests.get(api.spec_url, timeout=10)  # no credentials
    assert response.status_code == 200
    assert response.headers["API-Version"] == API_VERSION
    document = response.json()
    validate(document)
    assert document["info"]["version"] == API_VERSION
    assert document["servers"] == [{"url": "/api/v1"}]
    assert set(document["components"]["securitySchemes"]) == {"JWT-Claims", "tokenAuth"}
    assert {"/zaken", "/zaken/{uuid}", "/voertuigen/{kenteken}", "/catalogi"} <= set(
        document["paths"]
    )
    assert "/catalogi/{uuid}" not in document["paths"]
    kenteken = document["paths"]["/voertuigen/{kenteken}"]["get"]["parameters"]
    by_name = {p["name"]: p for p in kenteken}
    assert by_name["kenteken"]["schema"]["pattern"] == "^[A-Z0-9]{6}$"
    assert by_name["Accept-Crs"] == {**by_name["Accept-Crs"], "in": "header", "required": True}
    ok = document["paths"]["/zaken"]["get"]["responses"]["200"]
    assert "API-Version" in ok["headers"]


def test_a_zaak_round_trip_with_credentials(api: RunningDrfApi) -> None:
    with requests.Session() as http:
        http.headers.update(api.auth)
        created = http.post(api.url("/zaken"), json=NEW_ZAAK, timeout=10)
        assert created.status_code == 201, created.text
        zaak = created.json()
        assert created.headers["Location"] == zaak["url"]
        assert zaak["url"] == api.url(f"/zaken/{zaak['uuid']}")
        assert zaak["registratiedatum"] == "2026-02-01T10:15:00+01:00"  # Europe/Amsterdam

        read = requests.get(zaak["url"], headers=api.bearer_auth, timeout=10)  # the JWT too
        assert read.status_code == 200 and read.json() == zaak
        assert read.headers["API-Version"] == API_VERSION

        listing = http.get(api.url("/zaken"), params={"status": "ontvangen"}, timeout=10)
        assert listing.status_code == 200
        page = listing.json()
        assert {"count", "next", "previous", "results"} <= set(page)
        assert zaak["uuid"] in [z["uuid"] for z in page["results"]]

        patched = http.patch(zaak["url"], json={"status": "afgehandeld"}, timeout=10)
        assert patched.status_code == 200 and patched.json()["status"] == "afgehandeld"

        assert http.delete(zaak["url"], timeout=10).status_code == 204
        _problem(http.get(zaak["url"], timeout=10), 404)
        _problem(http.delete(zaak["url"], timeout=10), 404)


def test_invalid_input_is_a_problem_with_invalid_params(api: RunningDrfApi) -> None:
    response = requests.post(
        api.url("/zaken"), json={"status": "zoek"}, headers=api.auth, timeout=10
    )
    names = {p["name"] for p in _problem(response, 400)["invalidParams"]}
    assert names == {"identificatie", "startdatum", "status"}
    _problem(requests.get(api.url("/zaken?status=x"), headers=api.auth, timeout=10), 400)


def test_requests_without_valid_credentials_are_refused(api: RunningDrfApi) -> None:
    missing = requests.get(api.url("/zaken"), timeout=10)
    _problem(missing, 401)
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert missing.headers["API-Version"] == API_VERSION
    for wrong in ("Token niet-de-sleutel", "Bearer geen.geldige.jwt"):
        response = requests.get(api.url("/zaken"), headers={"Authorization": wrong}, timeout=10)
        _problem(response, 401)
    created = requests.post(api.url("/zaken"), json=NEW_ZAAK, timeout=10)
    assert created.status_code in (401, 403)


def test_the_geo_endpoint_requires_accept_crs(api: RunningDrfApi) -> None:
    url = api.url("/voertuigen/AB123C")
    _problem(requests.get(url, headers=api.auth, timeout=10), 412)
    other = {**api.auth, "Accept-Crs": "EPSG:28992"}
    _problem(requests.get(url, headers=other, timeout=10), 406)
    response = requests.get(url, headers={**api.auth, "Accept-Crs": "EPSG:4326"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Crs"] == "EPSG:4326"
    assert response.json()["locatie"]["type"] == "Point"


def test_django_and_drf_defaults_show(api: RunningDrfApi) -> None:
    """What a default DRF project does, kept on purpose (fixtures/api/drf/README.md)."""
    slash = requests.get(api.url("/zaken/"), headers=api.auth, timeout=10)
    assert slash.status_code == 404  # no route; APPEND_SLASH only adds slashes
    assert slash.headers["Content-Type"].startswith("text/html")  # Django's page
    assert "API-Version" not in slash.headers  # not a DRF response
    method = requests.request("TRACE", api.url("/catalogi"), headers=api.auth, timeout=10)
    _problem(method, 405)
    assert method.headers["Allow"] == "GET, HEAD, OPTIONS"
    text = {**api.auth, "Content-Type": "text/plain"}
    _problem(requests.post(api.url("/zaken"), data="x", headers=text, timeout=10), 415)
    xml = {**api.auth, "Accept": "application/xml"}
    _problem(requests.get(api.url("/catalogi"), headers=xml, timeout=10), 406)
    _problem(requests.get(api.url("/catalogi?page=9"), headers=api.auth, timeout=10), 404)


def test_the_runner_serves_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "cgconform.fixtures.api.drf.server", "--quiet"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/api/v1")
        assert requests.get(base_url + "/openapi.json", timeout=10).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
