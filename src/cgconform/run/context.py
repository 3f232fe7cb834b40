"""What one run shares with every check: the target, the HTTP layer, the spec, the selection.

The HTTP layer (and with it requests and urllib3) is set up when something first needs it:
`cgconform lint` on a document without remote $refs never imports an HTTP library.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cgconform import __version__
from cgconform.http.budget import Budget, RateLimiter
from cgconform.http.redaction import Redactor
from cgconform.model.catalogue import Profile, ProfileRequirement
from cgconform.model.outcomes import Outcome
from cgconform.model.shards import Shard
from cgconform.model.target import ConfigError, Target, is_url
from cgconform.openapi.document import SpecDocument, parse_document, read_spec_file

if TYPE_CHECKING:
    from cgconform.http.cassette import CassetteWriter, Player
    from cgconform.http.client import HttpClient
    from cgconform.http.journal import Journal


def not_applicable_reason(
    item: ProfileRequirement, profile: Profile, statement: Mapping[str, object]
) -> str | None:
    """Why a requirement does not apply to this target, or None when it applies."""
    if item.applies_if is None:
        return None
    option = profile.options[item.applies_if]
    value = statement.get(option.name, option.default)
    if value:
        return None
    return (
        f"the target states {option.name} = false ({option.title.en}); "
        f"profile {profile.id} applies this requirement only when it is true"
    )


@dataclass
class RunContext:
    target: Target
    profiles: list[Profile]
    budget: Budget
    redactor: Redactor
    # sent with every request: the target's plain headers and its resolved credentials
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    seed: int | None = None
    strict: bool = False
    fetch_refs: bool = True  # fetch documents that remote $refs point to
    shard: Shard | None = None  # only this shard's requirements run (`run --shard i/n`)
    # Set when a check finds the configuration itself wrong (ConfigError): the run stops
    # and the CLI reports this one message with exit code 2.
    config_error: str | None = None
    recorder: CassetteWriter | None = None  # --record: every exchange goes to this cassette
    player: Player | None = None  # replay: every answer comes from this cassette
    _spec: SpecDocument | None = field(default=None, repr=False)
    _http: HttpClient | None = field(default=None, repr=False)
    _journal: Journal | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def journal(self) -> Journal:
        """Evidence of every exchange, by the check that made it."""
        with self._lock:
            if self._journal is None:
                from cgconform.http.journal import Journal

                self._journal = Journal()
            return self._journal

    @property
    def http(self) -> HttpClient:
        """The one HTTP layer (budget, rate limit, timeouts, redaction, evidence), set up on
        first use."""
        journal = self.journal
        with self._lock:
            if self._http is None:
                from cgconform.http.client import HttpClient

                target = self.target
                self._http = HttpClient(
                    budget=self.budget,
                    rate_limiter=RateLimiter(target.budget.rate_limit),
                    timeout_s=target.budget.timeout_s,
                    max_response_bytes=target.budget.max_response_bytes,
                    redactor=self.redactor,
                    default_headers=self.headers,
                    client_cert=target.tls.requests_cert,
                    verify=target.tls.requests_verify,
                    journal=journal,
                    user_agent=f"cgconform/{__version__}",
                    recorder=self.recorder,
                    player=self.player,
                )
            return self._http

    @property
    def selection(self) -> frozenset[tuple[str, str]]:
        """The requirements whose checks run: in a selected profile (and in the run's shard)
        and applicable."""
        keys = set()
        for profile in self.profiles:
            for item in profile.requirements:
                key = item.requirement.key
                if self.shard is not None and not self.shard.owns(profile.id, key):
                    continue
                if not_applicable_reason(item, profile, self.target.statement) is None:
                    keys.add(key)
        return frozenset(keys)

    @property
    def loaded_spec(self) -> SpecDocument | None:
        """The document if a check has loaded it (None: no check needed it)."""
        return self._spec

    def spec(self) -> SpecDocument:
        """The target's OpenAPI document, loaded once (file or URL)."""
        if self._spec is None:
            location = self.target.spec
            if location is None and self.target.base_url:
                document = self._discover_spec(self.target.base_url)
            elif location is None:
                document = SpecDocument("", None, None, "no OpenAPI document (--spec PATH|URL)")
            elif is_url(location):
                document = self.fetch_document(location, authenticated=True)
            else:
                document = read_spec_file(location)
            fetch = self.fetch_document if self.fetch_refs else None
            self._spec = replace(document, fetch_remote=fetch)
        return self._spec

    def _discover_spec(self, base_url: str) -> SpecDocument:
        """Where ADR says the document is published: {base}/openapi.json, then openapi.yaml."""
        tried = []
        for name in ("openapi.json", "openapi.yaml"):
            document = self.fetch_document(f"{base_url}/{name}", authenticated=True)
            if document.ok or document.unavailable is not None:
                return document
            tried.append(document.error or name)
        return SpecDocument(
            f"{base_url}/openapi.json",
            None,
            None,
            "no OpenAPI document found where ADR says it is published: " + "; ".join(tried),
        )

    def fetch_document(self, location: str, *, authenticated: bool = False) -> SpecDocument:
        """A document over HTTP, through the run's HTTP layer (budget, timeouts, evidence).
        Credentials go only to the target's own document, not to what its $refs point to."""
        try:
            exchange = self.http.get(location, authenticated=authenticated)
        except Outcome as exc:
            return SpecDocument(
                location,
                None,
                None,
                f"{location}: {exc.message}",
                unavailable=exc,
                evidence=tuple(dict(e) for e in exc.evidence),
            )
        fetched = (exchange.to_evidence(),)
        if exchange.status != 200:
            error = f"{location}: answered HTTP {exchange.status}, not 200"
        elif exchange.truncated:
            error = f"{location}: larger than the response size cap"
        else:
            return replace(parse_document(exchange.text, location), evidence=fetched)
        return SpecDocument(location, None, None, error, evidence=fetched)


def build_context(
    target: Target,
    profiles: Iterable[Profile],
    *,
    seed: int | None = None,
    strict: bool = False,
    shard: Shard | None = None,
    replaying: bool = False,
) -> RunContext:
    """Resolve credentials and set up the HTTP layer; a ConfigError says what is wrong.

    `replaying`: answers come from a cassette, so no credential is resolved; each is sent as
    its placeholder, as the cassette shows it."""
    if replaying:
        secrets: dict[str, str] = {}
        credentials = {name: ref.placeholder for name, ref in target.auth_headers.items()}
        if target.bearer is not None:
            credentials["Authorization"] = f"Bearer {target.bearer.placeholder}"
    else:
        credentials, secrets = target.resolve_auth()
    redactor = Redactor(secrets, sensitive_headers=target.auth_headers.keys())
    for name in target.headers:
        if redactor.is_sensitive_header(name):
            raise ConfigError(
                f"header {name} carries a credential: give it by reference in [auth.headers] "
                f'({name} = "env:NAME"), not as a plain header'
            )
    for label, path in (
        ("tls.client_cert", target.tls.client_cert),
        ("tls.client_key", target.tls.client_key),
        ("tls.ca_bundle", target.tls.ca_bundle),
    ):
        if path is not None and not Path(path).is_file():
            raise ConfigError(f"{label}: file not found: {path}")
    return RunContext(
        target=target,
        profiles=list(profiles),
        budget=Budget(target.budget.max_requests),
        redactor=redactor,
        headers={**target.headers, **credentials},
        seed=seed,
        strict=strict,
        shard=shard,
    )
