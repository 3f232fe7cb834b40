"""cgconform as the client of a protected resource: the requests the checks judge, each sent
once per run and kept (several checks read the same answer, e.g. the expired-token refusal is
judged for the refusal itself and for its ``WWW-Authenticate`` challenge).

Every probe is a GET of ``urls.resource`` (a safe method: nothing is written), sent without
the target's own ``[auth]`` credentials, with the token where the probe puts it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.http.redaction import Redactor
from cgconform.model.outcomes import Inconclusive, NotTested
from cgconform.model.target import ConfigError
from cgconform.suites.identity.harness.rs_issuer import IssuerMetadata
from cgconform.suites.identity.harness.rs_settings import RsSettings
from cgconform.suites.identity.harness.rs_tokens import (
    VARIANTS,
    Token,
    TokenMint,
    read_jwt,
    resigned_by_another_key,
    unsigned,
)

# Where the token goes: in the Authorization header, the query string, a form body, nowhere.
HEADER, QUERY, FORM, NONE = "header", "query", "form", "none"
# Token variants a fixed token can be turned into without the issuer's key.
DERIVABLE = ("unsigned", "other_key")


@dataclass(frozen=True)
class Probe:
    """One request to the resource and its answer."""

    name: str  # e.g. "expired token in the Authorization header"
    placement: str
    token: Token | None
    exchange: Exchange

    @property
    def status(self) -> int:
        return self.exchange.status

    @property
    def accepted(self) -> bool:
        return 200 <= self.exchange.status < 300

    @property
    def line(self) -> str:
        """`GET https://... → 401`"""
        ex = self.exchange
        return f"{ex.request.method} {ex.request.url} → {ex.status}"

    def sent(self) -> str:
        """What was sent, in words (the token described, never shown)."""
        if self.token is None:
            return "no token"
        where = {
            HEADER: "in the Authorization header (Bearer)",
            QUERY: "as access_token in the query string, and no Authorization header",
            FORM: "as access_token in a form-encoded GET body, and no Authorization header",
        }[self.placement]
        return f"{self.token.what} ({self.token.describe()}) {where}"

    def evidence(self) -> dict[str, object]:
        return self.exchange.to_evidence()


class ResourceProbes:
    """The probes of one run against `settings.resource`."""

    def __init__(
        self,
        http: HttpClient,
        redactor: Redactor,
        settings: RsSettings,
        mint: TokenMint | None,
        fixed: str | None,
    ) -> None:
        self.http = http
        self.redactor = redactor
        self.settings = settings
        self.mint = mint
        self.fixed = fixed
        self.issuer: IssuerMetadata | None = None
        self._probes: dict[str, Probe] = {}
        self._tokens: dict[str, Token | None] = {}

    @classmethod
    def create(cls, http: HttpClient, redactor: Redactor, settings: RsSettings) -> ResourceProbes:
        mint = TokenMint(settings.minting) if settings.minting is not None else None
        fixed = settings.token.resolve() if settings.token is not None else None
        if fixed is not None:
            fixed = fixed.strip()
            if not fixed:
                raise ConfigError("[oauth] token: the referenced token is empty")
            redactor.add_secret(fixed, settings.token.placeholder if settings.token else "")
        return cls(http, redactor, settings, mint, fixed)

    def start(self) -> None:
        if self.mint is not None and self.mint.minting.serve_metadata is not None:
            try:
                self.issuer = IssuerMetadata(self.mint).start()
            except OSError as exc:
                raise ConfigError(f"[oauth] serve_metadata: {exc}") from None

    def stop(self) -> None:
        if self.issuer is not None:
            self.issuer.stop()
            self.issuer = None

    # -- tokens ----------------------------------------------------------------------------

    def token(self, variant: str) -> Token:
        """A token of `variant`; NotTested (with the reason) when this target's configuration
        cannot give one."""
        if variant not in self._tokens:
            self._tokens[variant] = self._make(variant)
        token = self._tokens[variant]
        if token is None:
            raise NotTested(self._why_not(variant))
        return token

    def _make(self, variant: str) -> Token | None:
        token: Token | None
        if self.mint is not None:
            if variant == "insufficient_scope" and self.mint.minting.scope is None:
                return None
            token = self.mint.make(variant)
        elif self.fixed is None:
            return None
        elif variant == "valid":
            read = read_jwt(self.fixed)
            header, claims = read if read is not None else ({}, {})
            return Token("valid", self.fixed, header, claims)
        else:
            token = self._derived(variant, self.fixed)
        if token is not None:
            self.redactor.add_secret(token.value, token.placeholder)
        return token

    @staticmethod
    def _derived(variant: str, fixed: str) -> Token | None:
        read = read_jwt(fixed)
        if read is None or variant not in DERIVABLE:
            return None
        header, claims = read
        if variant == "unsigned":
            return unsigned(variant, header, claims)
        return resigned_by_another_key(variant, fixed)

    def _why_not(self, variant: str) -> str:
        what = VARIANTS.get(variant, variant)
        if self.mint is not None:  # only insufficient_scope, when no scope is stated
            return (
                f"{what} needs the scope the resource requires, and the target states none: "
                'give [oauth] scope = "..." (NL GOV OAuth §4.2: protected resources MUST '
                "define and document which scopes are required)"
            )
        if self.fixed is not None and variant in DERIVABLE:
            read = read_jwt(self.fixed)
            if read is None:
                return (
                    f"{what} is derived from the given token, and [oauth] token is not a JWT "
                    "(an opaque token, e.g. for introspection)"
                )
            return (
                f"{what} is derived from the given token, and cgconform cannot sign with its "
                f"algorithm {read[0].get('alg')!r}"
            )
        return (
            f"{what} needs tokens cgconform mints itself, and the target gives one fixed token "
            "([oauth] token): give a test issuer the resource server trusts instead "
            '([oauth] issuer = "...", signing_key = "file:..."; see docs/identity-notes.md)'
        )

    def required_scope(self) -> str:
        """The scope the target says the resource needs; NotTested when it names none."""
        if self.mint is None or self.mint.minting.scope is None:
            raise NotTested(self._why_not("insufficient_scope"))
        return self.mint.minting.scope

    # -- probes ----------------------------------------------------------------------------

    def probe(self, variant: str | None, placement: str) -> Probe:
        """The answer to `variant`'s token placed as `placement` (sent once, then kept)."""
        key = f"{variant}@{placement}"
        if key not in self._probes:
            token = self.token(variant) if variant is not None else None
            exchange = self._send(token, placement)
            name = f"{token.what if token else 'no token'}" + (
                f" ({placement})" if token is not None else ""
            )
            self._probes[key] = Probe(name, placement, token, exchange)
        return self._probes[key]

    def _send(self, token: Token | None, placement: str) -> Exchange:
        url = self.settings.resource
        request: Callable[..., Exchange] = self.http.request
        headers: dict[str, str | None] = {"Accept": "application/json"}
        if token is None or placement == NONE:
            return request("GET", url, headers=headers, authenticated=False)
        if placement == HEADER:
            headers["Authorization"] = f"Bearer {token.value}"
            return request("GET", url, headers=headers, authenticated=False)
        if placement == QUERY:
            return request(
                "GET",
                url,
                headers=headers,
                params={"access_token": token.value},
                authenticated=False,
            )
        if placement == FORM:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return request(
                "GET",
                url,
                headers=headers,
                data={"access_token": token.value},
                authenticated=False,
            )
        raise ValueError(f"unknown placement {placement!r}")

    def no_token(self) -> Probe:
        return self.probe(None, NONE)

    def valid(self) -> Probe:
        return self.probe("valid", HEADER)

    def accepted_valid(self) -> Probe:
        """The valid token's probe, when the resource served it; Inconclusive otherwise (a
        refusal of a bad token then says nothing)."""
        valid = self.valid()
        if valid.accepted:
            return valid
        no_token = self.no_token()
        raise Inconclusive(
            f"the resource did not serve {valid.sent()}: {valid.line}. Without one accepted "
            "token a refusal of a bad one proves nothing. " + self.baseline_hint(valid, no_token),
            evidence=[valid.evidence(), no_token.evidence()],
        )

    def baseline_hint(self, valid: Probe, no_token: Probe) -> str:
        if no_token.accepted:
            return (
                f"The resource is not protected at all (without a token: {no_token.line}); "
                "point urls.resource at a protected resource"
            )
        if valid.status == 404:
            return "urls.resource answers 404: give a URL that answers 200 with a valid token"
        if self.mint is None:
            return (
                "Check that [oauth] token is still valid (it may have expired) and grants "
                "access to urls.resource"
            )
        return (
            "Check that the resource server trusts the test issuer ([oauth] issuer, its key "
            "or JWKS) and expects [oauth] audience and scope"
        )

    def with_token(self, variant: str) -> Probe:
        """`variant`'s token in the Authorization header."""
        return self.probe(variant, HEADER)

    def made(self) -> list[Probe]:
        """Every probe sent so far."""
        return list(self._probes.values())
