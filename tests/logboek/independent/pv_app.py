"""Parkeervergunningen: a small WSGI application (plain `wsgiref`, `requests`) that processes
personal data and logs every processing to a Logboek Dataverwerkingen over OTLP/HTTP.

    POST /api/v1/parkeervergunningen  {"bsn": "...", "kenteken": "...", "partner_bsn": "..."}
        reads each person in the BRP (Haal Centraal `POST /personen`, one call per person) and the
        vehicle at the RDW (open data `GET /resource/m9d7-ebf2.json?kenteken=`); 201, 400 on
        invalid input (no source is called), 422 when a person or vehicle is unknown, 502 when a
        source fails.
    GET /api/v1/tarieven
        the parking tariffs: a processing without personal data; calls nothing.

The records of one aanvraag (see pv_telemetry for the choices common to every record):

    SERVER   "POST /api/v1/parkeervergunningen"   activity [+ foreign_operation.processor]
    └ INTERNAL "Parkeervergunning aanvragen"       activity [+ the subject, if there is one]
       ├ INTERNAL "Betrokkene verwerken"          activity + subject   (one each, if 2+ subjects)
       │  └ CLIENT "BRP personen raadplegen"      activity + subject + externalReadAPI_id (BRP)
       └ CLIENT "RDW voertuig raadplegen"         activity + externalReadAPI_id (RDW contact page)

Choices where the text leaves room:
* With one subject the processing's own record names it; with two or more the processing record
  names none (a record refers to 0 or 1 subjects) and a child action per subject names each.
  The BRP call for a person sits under (or is) that person's action and names them as well.
* Subject ids are pseudonymised (HMAC-SHA256 of the BSN with the application's key); the type is
  a URI to the register entry describing that pseudonym, as the text allows ("of een URI naar
  een Register dat het type specificeert").
* Status: the processing record is `Ok` when it completed (the organisation marks success
  explicitly); other successful records stay `Unset`. Invalid user input is handled without an
  internal error: 400 and every record `Unset`, no subject recorded (no person identified).
  A failing source: its CLIENT record, the subject's record, the processing record and the
  SERVER record (502) are `Error`; every subject still gets its record (each is attempted).
* The RDW has no read API: `dpl.read.externalReadAPI_id` on its call is the RDW contact page,
  as the read extension allows.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Status, StatusCode
from pv_telemetry import (
    ACTIVITY,
    READ_API,
    SUBJECT_ID,
    SUBJECT_TYPE,
    RequestScopedIds,
    TracingMiddleware,
    fail_span,
    inject_headers,
)

ACTIVITY_AANVRAGEN = (
    "https://verwerkingsregister.gemeente-voorbeeld.nl/api/v1/verwerkingsactiviteiten/"
    "parkeervergunning-aanvragen"
)
ACTIVITY_OPSCHONEN = (
    "https://register.gemeente-voorbeeld.nl/verwerkingen-zonder-persoonsgegevens/"
    "verlopen-vergunningen-opschonen"
)
ACTIVITY_TARIEVEN = (
    "https://register.gemeente-voorbeeld.nl/verwerkingen-zonder-persoonsgegevens/tarieven-tonen"
)
SUBJECT_TYPE_PSEUDONYM = (
    "https://register.gemeente-voorbeeld.nl/identificatiecodes/bsn-pseudoniem-hmac-sha256"
)
BRP_READ_API = "https://lezen.rvig.example.nl/logboek-dataverwerkingen/v1"
RDW_CONTACT_PAGE = "https://www.rdw.nl/over-rdw/contact"
PSEUDONYM_KEY = b"gemeente-voorbeeld/parkeervergunningen/2025"

ROUTES = {
    ("POST", "/api/v1/parkeervergunningen"): ACTIVITY_AANVRAGEN,
    ("GET", "/api/v1/tarieven"): ACTIVITY_TARIEVEN,
}
KENTEKEN = re.compile(r"^[A-Z0-9]{1,3}-?[A-Z0-9]{1,3}-?[A-Z0-9]{1,3}$")


class SourceError(Exception):
    """A source (BRP, RDW) did not answer as it should."""


class NotFound(Exception):
    """A source answered that the person or vehicle is unknown (not an internal error)."""


def route_activity(method: str, path: str) -> tuple[str, str | None]:
    activity = ROUTES.get((method, path))
    return (path if activity else "unknown", activity)


def activity_routes(defects: frozenset[str]) -> Callable[[str, str], tuple[str, str | int | None]]:
    """The route table, with the seeded defects `wrong-activity` (the aanvraag names the tariffs'
    activity: a copy-paste slip) and `activity-as-number` (the number 14, as in the standard's
    own resource example, instead of a URI)."""

    def resolve(method: str, path: str) -> tuple[str, str | int | None]:
        route, activity = route_activity(method, path)
        if activity == ACTIVITY_AANVRAGEN and "wrong-activity" in defects:
            return route, ACTIVITY_TARIEVEN
        if activity == ACTIVITY_AANVRAGEN and "activity-as-number" in defects:
            return route, 14
        return route, activity

    return resolve


def valid_bsn(bsn: object) -> bool:
    """The BSN eleven test."""
    if not isinstance(bsn, str) or not re.fullmatch(r"\d{9}", bsn):
        return False
    digits = [int(c) for c in bsn]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


@dataclass
class Application:
    tracer: trace.Tracer
    ids: RequestScopedIds
    brp_url: str
    rdw_url: str
    defects: frozenset[str] = field(default_factory=frozenset)
    session: requests.Session = field(default_factory=requests.Session)

    # -- WSGI -------------------------------------------------------------------------------

    def wsgi(self) -> Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]:
        return TracingMiddleware(
            self._dispatch, self.tracer, self.ids, activity_routes(self.defects), self.defects
        )

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        if (method, path) == ("POST", "/api/v1/parkeervergunningen"):
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                body = json.loads(environ["wsgi.input"].read(length) or b"{}")
            except (ValueError, UnicodeDecodeError):
                body = None
            code, answer = self.aanvragen(body if isinstance(body, dict) else {})
        elif (method, path) == ("GET", "/api/v1/tarieven"):
            code, answer = self.tarieven()
        else:
            code, answer = 404, {"title": "Niet gevonden"}
        reason = {200: "OK", 201: "Created", 400: "Bad Request", 404: "Not Found"}
        reason |= {422: "Unprocessable Content", 502: "Bad Gateway"}
        payload = json.dumps(answer).encode()
        start_response(
            f"{code} {reason.get(code, 'Status')}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    # -- the processings ---------------------------------------------------------------------

    def background_job(self, stop: threading.Event) -> None:
        """CHOICE `background-job`: a scheduled processing of the application itself (no caller,
        no personal data), each run a trace of its own, while requests are being served."""
        while not stop.wait(0.15):
            with self.tracer.start_as_current_span(
                "Verlopen parkeervergunningen opschonen",
                context=Context(),
                attributes={ACTIVITY: ACTIVITY_OPSCHONEN, "pv.opgeschoond": 0},
            ):
                time.sleep(0.01)

    def tarieven(self) -> tuple[int, Any]:
        if "untraced-tarieven" in self.defects:
            return 200, [{"zone": "centrum", "per_jaar": 120}]
        attributes = (
            {READ_API: RDW_CONTACT_PAGE}
            if "read-api-on-non-calling-record" in (self.defects)
            else {}
        )
        with self.tracer.start_as_current_span("Tarieven tonen", attributes=attributes):
            return 200, [{"zone": "centrum", "per_jaar": 120}, {"zone": "schil", "per_jaar": 60}]

    def aanvragen(self, body: dict[str, Any]) -> tuple[int, Any]:
        bsns = [body.get("bsn")] + ([body["partner_bsn"]] if "partner_bsn" in body else [])
        kenteken = str(body.get("kenteken", "")).upper()
        span = self.tracer.start_span(
            "Parkeervergunning aanvragen", record_exception=False, set_status_on_exception=False
        )
        ended = False
        try:
            with trace.use_span(span, end_on_exit=False):
                if not all(valid_bsn(b) for b in bsns) or not KENTEKEN.match(kenteken):
                    span.add_event("invoer ongeldig", {"velden": "bsn, partner_bsn, kenteken"})
                    if "error-on-invalid-input" in self.defects:
                        span.set_status(Status(StatusCode.ERROR, "ongeldige invoer"))
                    return 400, {"title": "Ongeldige invoer", "status": 400}
                subjects = [str(b) for b in bsns]
                code, answer = self._aanvragen(span, subjects, kenteken)
                if code >= 500 and "failed-spans-not-ended" in self.defects:
                    ended = True  # the bug: the failed processing's record is never written
                return code, answer
        finally:
            if not ended:
                span.end()

    def _aanvragen(self, span: trace.Span, subjects: list[str], kenteken: str) -> tuple[int, Any]:
        personen: list[dict[str, Any]] = []
        voertuig: dict[str, Any] = {}
        failure: Exception | None = None
        unknown = False
        # (bsn, whether it gets an action of its own, whether its BRP call names it)
        plan: list[tuple[str, bool, bool]]
        if "subjects-in-one-record" in self.defects:
            span.set_attributes(self._subject_attributes_of_all(subjects))
            plan = [(s, False, False) for s in subjects]
        elif "only-first-subject" in self.defects:
            span.set_attributes(self._subject_attributes(subjects[0]))
            plan = [(s, False, False) for s in subjects]
        elif len(subjects) == 1 and "child-per-subject-always" not in self.defects:
            span.set_attributes(self._subject_attributes(subjects[0]))
            plan = [(subjects[0], False, True)]
        else:
            plan = [(s, True, True) for s in subjects]
        first_child: int | None = None
        for index, (bsn, own_action, named) in enumerate(plan):
            try:
                if own_action:
                    with self._subject_action(bsn, index, first_child) as child:
                        first_child = first_child or child.get_span_context().span_id
                        personen += self._brp(bsn, named)
                else:
                    personen += self._brp(bsn, named)
            except SourceError as exc:
                failure = failure or exc
            except NotFound:
                unknown = True
        if failure is None and not unknown:
            try:
                voertuig = self._rdw(kenteken)
            except SourceError as exc:
                failure = exc
            except NotFound:
                unknown = True
        if failure is not None:
            fail_span(span, failure, self.defects, processing=True)
            return 502, {"title": "Bron niet beschikbaar", "status": 502, "detail": str(failure)}
        if unknown:
            span.add_event("persoon of voertuig onbekend")
            return 422, {"title": "Persoon of voertuig onbekend", "status": 422}
        if "error-always" in self.defects:
            span.set_status(Status(StatusCode.ERROR, "afgerond"))
        else:
            span.set_status(Status(StatusCode.OK))
        return 201, {"vergunning": {"kenteken": kenteken, "personen": len(personen)}, **voertuig}

    @contextmanager
    def _subject_action(
        self, bsn: str, index: int, first_child: int | None
    ) -> Iterator[trace.Span]:
        context = None
        if "subject-spans-new-trace" in self.defects:
            context = Context()
        token = None
        if "span-id-reused-in-trace" in self.defects and index > 0 and first_child:
            token = self.ids.forced.set(first_child)
        try:
            child = self.tracer.start_span(
                "Betrokkene verwerken",
                context=context,
                attributes=self._subject_attributes(bsn),
                record_exception=False,
                set_status_on_exception=False,
            )
        finally:
            if token is not None:
                self.ids.forced.reset(token)
        with trace.use_span(child, end_on_exit=True):
            try:
                yield child
            except SourceError as exc:
                fail_span(child, exc, self.defects)
                raise

    def _subject_attributes(self, bsn: str) -> dict[str, str]:
        attributes = {SUBJECT_ID: self.pseudonym(bsn), SUBJECT_TYPE: SUBJECT_TYPE_PSEUDONYM}
        if "pseudonym-typed-bsn" in self.defects:  # the kind of code, as the table's example
            attributes = {SUBJECT_ID: self.pseudonym(bsn), SUBJECT_TYPE: "BSN"}
        if "plain-bsn" in self.defects:
            attributes = {SUBJECT_ID: bsn, SUBJECT_TYPE: "BSN"}
        if "missing-subject-type" in self.defects:
            del attributes[SUBJECT_TYPE]
        return attributes

    def _subject_attributes_of_all(self, bsns: list[str]) -> dict[str, Any]:
        return {
            SUBJECT_ID: [self.pseudonym(b) for b in bsns],
            SUBJECT_TYPE: SUBJECT_TYPE_PSEUDONYM,
        }

    def pseudonym(self, bsn: str) -> str:
        if "unstable-pseudonym" in self.defects:  # a fresh salt per record: identifies no one
            salt = os.urandom(8)
            return salt.hex() + hmac.new(PSEUDONYM_KEY, salt + bsn.encode(), "sha256").hexdigest()
        return hmac.new(PSEUDONYM_KEY, bsn.encode(), hashlib.sha256).hexdigest()

    # -- the sources -------------------------------------------------------------------------

    def _call(
        self,
        name: str,
        method: str,
        url: str,
        read_api: str,
        subject: str | None,
        library_span: str | None = None,
        **kw: Any,
    ) -> Any:
        """One call to a source: a CLIENT span that carries the read API (and the subject).

        CHOICE `instrumented-client-stack`: the way a team with HTTP auto-instrumentation and a
        generated client library writes it: the application's own action "<source>
        raadplegen" carries the dpl attributes (read API, subject); under it the client
        library's span (BRP only), under that the instrumented CLIENT span with the HTTP
        attributes and no dpl attributes."""
        own = {READ_API: read_api} | (self._subject_attributes(subject) if subject else {})
        http = {"http.request.method": method, "url.full": url, "server.address": url.split("/")[2]}
        if "instrumented-client-stack" not in self.defects:
            return self._http(name, http | own, method, url, **kw)
        with self.tracer.start_as_current_span(
            name, attributes=own, record_exception=False, set_status_on_exception=False
        ) as action:
            try:
                if library_span is None:
                    return self._http(method, http, method, url, **kw)
                with self.tracer.start_as_current_span(library_span):
                    return self._http(method, http, method, url, **kw)
            except SourceError as exc:
                fail_span(action, exc, self.defects)
                raise

    def _http(self, name: str, attributes: dict[str, str], method: str, url: str, **kw: Any) -> Any:
        with self.tracer.start_as_current_span(
            name,
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                response = self.session.request(
                    method, url, headers=inject_headers(self.defects), timeout=5, **kw
                )
                span.set_attribute("http.response.status_code", response.status_code)
                if response.status_code >= 400:
                    raise SourceError(f"{name}: HTTP {response.status_code} van {url}")
                return response.json()
            except requests.RequestException as exc:
                error = SourceError(f"{name}: {type(exc).__name__}: {exc}")
                fail_span(span, error, self.defects)
                raise error from exc
            except SourceError as exc:
                fail_span(span, exc, self.defects)
                raise

    def _brp(self, bsn: str, named: bool) -> list[dict[str, Any]]:
        answer = self._call(
            "BRP personen raadplegen",
            "POST",
            f"{self.brp_url}/personen",
            BRP_READ_API,
            bsn if named else None,
            library_span="haalcentraal.brp.RaadpleegMetBurgerservicenummer",
            json={
                "type": "RaadpleegMetBurgerservicenummer",
                "burgerservicenummer": [bsn],
                "fields": ["naam", "geboorte", "verblijfplaats"],
            },
        )
        personen = answer.get("personen") if isinstance(answer, dict) else None
        if not isinstance(personen, list):
            raise SourceError("BRP personen raadplegen: antwoord zonder 'personen'")
        if not personen:
            raise NotFound(bsn)
        return personen

    def _rdw(self, kenteken: str) -> dict[str, Any]:
        answer = self._call(
            "RDW voertuig raadplegen",
            "GET",
            f"{self.rdw_url}/resource/m9d7-ebf2.json",
            RDW_CONTACT_PAGE,
            None,
            params={"kenteken": kenteken.replace("-", "")},
        )
        if not isinstance(answer, list):
            raise SourceError("RDW voertuig raadplegen: antwoord is geen lijst")
        if not answer:
            raise NotFound(kenteken)
        first = answer[0] if isinstance(answer[0], dict) else {}
        return {"voertuig": {k: first.get(k) for k in ("kenteken", "merk", "handelsbenaming")}}
