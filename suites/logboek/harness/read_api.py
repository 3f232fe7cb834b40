"""A client of the Logboek's read extension ("extensie lezen").

The extension gives two shapes (docs/logboek-notes.md reading 11): its OpenAPI has
`POST /processing-activities` with a JSON body (`traceId`, `dpl.core.processing_activity_id`,
`dpl.core.data_subject_id`, `startTime`, `endTime` in ms), its text speaks of query parameters
(`traceID`, `dpl.core.processingActivityID`, `dataSubjectId`). The client uses the form the
target states (`[logboek.read] method`), or finds the one that answers: the OpenAPI's first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import NotTested, Outcome
from cgconform.run.context import RunContext
from cgconform.suites.logboek.harness.records import (
    ACTIVITY,
    SUBJECT,
    Record,
    from_read_item,
    read_items,
    read_trace_ids,
)
from cgconform.suites.logboek.harness.settings import ReadSpec

# filter -> (POST body key, GET query parameter)
FILTERS = {
    "trace": ("traceId", "traceID"),
    "activity": (ACTIVITY, "dpl.core.processingActivityID"),
    "subject": (SUBJECT, "dataSubjectId"),
    "start": ("startTime", "startTime"),
    "end": ("endTime", "endTime"),
}
_NOT_THIS_FORM = (404, 405, 415, 501)


@dataclass(frozen=True)
class ReadAnswer:
    exchange: Exchange | None
    form: str  # "POST <url>" or "GET <url>"
    error: str = ""

    @property
    def status(self) -> int | None:
        return (
            self.exchange.status if self.exchange is not None and self.exchange.response else None
        )

    @cached_property
    def _body(self) -> Any:
        """The answer's JSON, parsed once (None: no answer, or not JSON)."""
        if self.exchange is None or self.exchange.response is None:
            return None
        try:
            return self.exchange.json()
        except ValueError:
            return None

    @property
    def items(self) -> list[Mapping[str, Any]] | None:
        return read_items(self._body)

    @property
    def records(self) -> list[Record]:
        return [from_read_item(item) for item in self.items or []]

    @property
    def trace_ids(self) -> set[str] | None:
        """The traces the answer names: of its records, or its list of trace ids."""
        if self.items is not None:
            return {r.trace_id for r in self.records}
        ids = read_trace_ids(self._body)
        return set(ids) if ids is not None else None

    def evidence(self) -> list[dict[str, Any]]:
        return [self.exchange.to_evidence()] if self.exchange is not None else []

    def line(self) -> str:
        if self.exchange is None:
            return f"{self.form}: no answer ({self.error})"
        if self.items is None and self.trace_ids is not None:
            return f"{self.form} -> {self.status}, {len(self.trace_ids)} trace ids"
        count = len(self.items) if self.items is not None else "no list of"
        return f"{self.form} -> {self.status}, {count} records"


def _ms(ns: int) -> int:
    return ns // 1_000_000


def _rfc3339(ns: int) -> str:
    return (
        datetime.fromtimestamp(ns / 1e9, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


class ReadApi:
    def __init__(self, context: RunContext, spec: ReadSpec) -> None:
        self.context = context
        self.spec = spec
        self.base = context.target.urls["read_api"].rstrip("/")
        self.form: str | None = None if spec.method == "auto" else spec.method

    def _headers(self, reader: str) -> dict[str, str | None]:
        headers: dict[str, str | None] = {"Accept": "application/json"}
        secret = {"entitled": self.spec.bearer, "unentitled": self.spec.unentitled_bearer}.get(
            reader
        )
        if reader == "anonymous":
            headers["Authorization"] = None
        elif secret is not None:
            token = secret.resolve()
            self.context.redactor.add_secret(token, secret.placeholder)
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _send(self, method: str, filters: Mapping[str, Any], reader: str) -> ReadAnswer:
        url = self.base + self.spec.path
        try:
            if method == "POST":
                body = {
                    FILTERS[k][0]: _ms(v) if k in ("start", "end") else v
                    for k, v in filters.items()
                }
                exchange = self.context.http.post(
                    url,
                    json=body,
                    headers=self._headers(reader),
                    authenticated=reader != "anonymous",
                )
            else:
                params = {
                    FILTERS[k][1]: _rfc3339(v) if k in ("start", "end") else v
                    for k, v in filters.items()
                }
                exchange = self.context.http.get(
                    url,
                    params=params,
                    headers=self._headers(reader),
                    authenticated=reader != "anonymous",
                )
        except Outcome as exc:
            return ReadAnswer(None, f"{method} {url}", str(exc))
        return ReadAnswer(exchange, f"{method} {url}")

    def query(self, filters: Mapping[str, Any], *, reader: str = "entitled") -> ReadAnswer:
        """Ask the read API; `filters` by name (trace, activity, subject: strings; start, end:
        ns). `reader`: "entitled" (the configured bearer), "unentitled", "anonymous"."""
        if self.form is not None:
            return self._send(self.form, filters, reader)
        first = self._send("POST", filters, reader)
        if first.status is not None and first.status not in _NOT_THIS_FORM:
            self.form = "POST"
            return first
        second = self._send("GET", filters, reader)
        if second.status is not None and second.status not in _NOT_THIS_FORM:
            self.form = "GET"
            return second
        return first if first.exchange is not None else second

    def find(self, filters: Mapping[str, Any], *, ids_suffice: bool = False) -> ReadAnswer:
        """A query that must answer 200 with a list of records (or, with `ids_suffice`, of
        trace ids), or the check cannot go on."""
        answer = self.query(filters)
        if answer.status == 200 and (
            answer.items is not None or (ids_suffice and answer.trace_ids is not None)
        ):
            return answer
        raise NotTested(
            f"the read API did not answer a query with a list of records: {answer.line()} "
            "(state its form in [logboek.read] method and path)",
            evidence=answer.evidence(),
        )
