"""What the yivi-requestor checks share in one run: the settings, the requestor API client, the
first disclosure session (several checks read its session package), the error answers seen (the
error-object check judges them all), and the clean-up: every session cgconform started and left
open is cancelled at the end."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cgconform.http.evidence import Exchange
from cgconform.model.outcomes import Inconclusive, NotTested, Outcome
from cgconform.run.context import RunContext
from cgconform.suites.identity.harness.yivi_api import RequestorApi, Started, status_value
from cgconform.suites.identity.harness.yivi_requests import (
    DISCLOSING,
    ENDING_STATUSES,
    ISSUING,
    SIGNING,
    SessionType,
    disclosure_request,
    issuance_request,
    signature_request,
)
from cgconform.suites.identity.harness.yivi_settings import YiviSettings, load_yivi_settings
from cgconform.suites.identity.harness.yivi_shapes import json_of


def snippet(exchange: Exchange, limit: int = 200) -> str:
    text = exchange.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


def answered(exchange: Exchange) -> str:
    """`GET https://.../status → 400 {"error": ...}`"""
    return (
        f"{exchange.request.method} {exchange.request.url} → {exchange.status} {snippet(exchange)}"
    )


@dataclass
class YiviHarness:
    context: RunContext
    settings: YiviSettings
    api: RequestorApi
    errors: list[Exchange] = field(default_factory=list)  # non-2xx answers, for error-object
    _first: dict[str, Started] = field(default_factory=dict)

    @classmethod
    def create(cls, context: RunContext) -> YiviHarness:
        settings = load_yivi_settings(context.target)
        if settings.token is not None:
            token = settings.token.resolve()
            context.redactor.add_secret(token, settings.token.placeholder)
        api = RequestorApi(context.http, context.redactor, settings)
        return cls(context, settings, api)

    def option(self, name: str, default: bool) -> bool:
        """What the target states for one of the profile's options (`default` if nothing)."""
        return bool(self.context.target.statement.get(name, default))

    # -- requests ---------------------------------------------------------------------------

    def request_for(self, kind: SessionType) -> dict[str, Any]:
        s = self.settings
        if kind is DISCLOSING:
            return disclosure_request(s.disclose)
        if kind is SIGNING:
            return signature_request(s.disclose, s.message)
        if not s.issue:
            raise NotTested(
                "an issuance request needs the credentials to issue, and the target names none: "
                '[yivi] issue = { credential = "irma-demo.MijnOverheid.ageLower", attributes = '
                '{ over18 = "yes" } } (credentials the requestor may issue)'
            )
        return issuance_request(s.issue)

    def note_error(self, exchange: Exchange) -> None:
        if not 200 <= exchange.status < 300 and exchange not in self.errors:
            self.errors.append(exchange)

    def start(self, request: dict[str, Any], auth: str | None = None) -> Started:
        started = self.api.start(request, auth)
        self.note_error(started.exchange)
        return started

    def first(self, kind: SessionType) -> Started:
        """The run's first session of `kind` (started once; other checks read its package)."""
        if kind.name not in self._first:
            self._first[kind.name] = self.start(self.request_for(kind))
        return self._first[kind.name]

    def disclosure(self) -> Started:
        return self.first(DISCLOSING)

    def new_session(self, kind: SessionType = DISCLOSING, **extra: Any) -> Started:
        """A fresh session of `kind` for a check that changes it; Inconclusive when the server
        starts none (why is judged under the session request's own requirement)."""
        request = self.request_for(kind)
        if extra:
            request = {**extra, "request": request}
        started = self.start(request)
        if not started.ok:
            raise Inconclusive(
                f"cgconform could not start a {kind.name} session to test this on: "
                f"{answered(started.exchange)}. {self.start_hint(started)}",
                evidence=[started.exchange.to_evidence()],
            )
        return started

    def start_hint(self, started: Started) -> str:
        data = json_of(started.exchange)
        error = data.get("error") if isinstance(data, dict) else None
        if error == "UNAUTHORIZED" or started.exchange.status in (401, 403):
            return (
                "The server refused the requestor or its request: check [yivi] requestor_token "
                "(or the requestor key), and that the requestor may ask for the attributes in "
                "[yivi] disclose (and issue the credentials in [yivi] issue)"
            )
        if started.exchange.status == 400:
            return (
                "Check that the attributes in [yivi] disclose exist in the server's schemes "
                "(irma-demo for a demo server, pbdf in production) and the authentication"
            )
        return "Check urls.yivi: it must point at the irma server's requestor API (its /session)"

    def ended(self, token: str) -> bool:
        try:
            return status_value(self.api.status(token)) in ENDING_STATUSES
        except Outcome:
            return True

    def close(self) -> None:
        """Cancel every session cgconform started that has not ended (best effort)."""
        for token in list(self.api.started):
            try:
                if not self.ended(token):
                    self.api.delete(token)
            except Outcome:
                continue


__all__ = ["DISCLOSING", "ISSUING", "SIGNING", "YiviHarness", "answered", "snippet"]
