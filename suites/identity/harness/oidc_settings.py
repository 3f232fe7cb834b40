"""The ``[oidc]`` table of target.toml, validated: the client(s) cgconform is registered as at
the OpenID Provider, how it authenticates at the token endpoint, where it receives the
authorization response, and the login script for the provider's own pages.

::

    [urls]
    issuer = "http://127.0.0.1:3000"          # the provider (or --url)

    [oidc]
    client_id = "cg-conformance"
    client_key = "keys/client.key"            # private_key_jwt: `cgconform oidc client-key keys`
    # client_secret = "env:OIDC_SECRET"       # or a client secret, by reference (basic auth)
    # client_auth = "tls_client_auth"         # or mTLS with the [tls] client certificate
    redirect_uri = "http://127.0.0.1:8089/callback"   # cgconform listens here (loopback)
    scopes = ["openid"]
    acr_values = "http://eidas.europa.eu/LoA/substantial"
    # authorization_params = { resource = "https://api.example.nl" }  # sent with every request

    [[oidc.login]]                            # one step per page of the provider's login
    fill = { login = "burger", password = "env:OIDC_TEST_PASSWORD" }
    [[oidc.login]]
    submit = true                             # a page with one form: submit it as it is
    # form = "consent"                        # by id, name or action, where a page has several
    # submit = "Toestaan"                     # press the button with this text, name or value
    # optional = true                         # skip the step when its form is not on the page

    [[oidc.clients]]                          # more registered clients (pairwise subjects):
    client_id = "cg-conformance-2"            # each in another sector (another redirect host)
    client_key = "keys/client2.key"
    redirect_uri = "http://127.0.0.2:8090/callback"

Fill values are plain text or, for secrets, ``env:NAME`` / ``file:PATH`` references (then
masked in every report). Without an ``[oidc]`` table the discovery checks still run; the
flows are ``not_tested``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cgconform.model.target import ConfigError, SecretRef, Target
from cgconform.suites.identity.harness.client_key import (
    ClientKey,
    ClientKeyError,
    load_client_key,
)

AUTH_METHODS = ("private_key_jwt", "tls_client_auth", "client_secret_basic", "client_secret_post")
_CLIENT_KEYS = {"client_id", "client_key", "client_secret", "client_auth", "redirect_uri"}
_KEYS = _CLIENT_KEYS | {"scopes", "acr_values", "login", "clients", "authorization_params"}
_STEP_KEYS = {"fill", "submit", "form", "optional"}
_REF_PREFIXES = ("env:", "file:")


@dataclass(frozen=True)
class LoginStep:
    """One page of the provider's login: which form, filled with what, submitted how."""

    number: int  # 1-based, as the user counts the [[oidc.login]] tables
    fill: Mapping[str, str | SecretRef] = field(default_factory=dict)
    submit: bool | str = True  # True: the form's first submit button; a str: that button
    form: str | None = None  # id, name or action of the form, where a page has several
    optional: bool = False

    def describe(self) -> str:
        parts = []
        if self.form:
            parts.append(f"form {self.form!r}")
        if self.fill:
            parts.append("fill " + ", ".join(sorted(self.fill)))
        if isinstance(self.submit, str):
            parts.append(f"press {self.submit!r}")
        else:
            parts.append("submit")
        return f"login step {self.number} ({'; '.join(parts)})"


@dataclass(frozen=True)
class ClientSettings:
    """A client registered at the provider, as cgconform plays it."""

    client_id: str
    auth_method: str
    redirect_uri: str
    key: ClientKey | None = None
    key_path: Path | None = None
    secret: SecretRef | None = None

    @property
    def listens(self) -> bool:
        """Whether cgconform can receive the authorization response itself (a loopback
        redirect_uri): then it listens there; otherwise it reads the redirect's Location."""
        return _is_loopback(urlsplit(self.redirect_uri).hostname or "")

    @property
    def sector(self) -> str:
        """The pairwise sector OpenID Connect Core §8.1 derives when no
        sector_identifier_uri is registered: the redirect_uri's host."""
        return (urlsplit(self.redirect_uri).hostname or "").lower()


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client: ClientSettings | None  # None: no [oidc] table (discovery only)
    others: tuple[ClientSettings, ...] = ()
    scopes: tuple[str, ...] = ("openid",)
    acr_values: str | None = None
    login: tuple[LoginStep, ...] = ()
    authorization_params: Mapping[str, str] = field(default_factory=dict)
    mtls: tuple[str, str] | None = None  # the [tls] client certificate and key

    @property
    def clients(self) -> tuple[ClientSettings, ...]:
        return (self.client, *self.others) if self.client is not None else ()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _text(table: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{where} {key}: missing")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} {key}: must be a non-empty string, got {value!r}")
    return value.strip()


def _redirect_uri(value: str, where: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{where} redirect_uri: {value!r} is not an absolute http(s) URL "
            '(e.g. "http://127.0.0.1:8089/callback", registered at the provider)'
        )
    if parts.fragment:
        raise ConfigError(f"{where} redirect_uri: {value!r} must not have a fragment")
    if _is_loopback(parts.hostname) and parts.port is None:
        raise ConfigError(
            f"{where} redirect_uri: {value!r} needs a port: cgconform listens there "
            '(e.g. "http://127.0.0.1:8089/callback")'
        )
    return value


def _client(table: Mapping[str, Any], where: str, target: Target) -> ClientSettings:
    unknown = sorted(set(table) - _CLIENT_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(_CLIENT_KEYS))})"
        )
    client_id = _text(table, "client_id", where, required=True)
    redirect = _text(table, "redirect_uri", where, required=True)
    assert client_id is not None and redirect is not None
    key_file = _text(table, "client_key", where)
    secret = _text(table, "client_secret", where)
    method = _text(table, "client_auth", where)
    if key_file and secret:
        raise ConfigError(f"{where}: give client_key or client_secret, not both")
    if method is None:
        if key_file:
            method = "private_key_jwt"
        elif secret:
            method = "client_secret_basic"
        else:
            raise ConfigError(
                f"{where}: how does cgconform authenticate as {client_id}? Give client_key "
                "(private_key_jwt; create one with `cgconform oidc client-key DIR`), client_auth "
                '= "tls_client_auth" (with [tls] client_cert), or client_secret = "env:NAME"'
            )
    if method not in AUTH_METHODS:
        raise ConfigError(
            f"{where} client_auth: {method!r} is not one of {', '.join(AUTH_METHODS)}"
        )
    key = key_path = secret_ref = None
    if method == "private_key_jwt":
        if not key_file:
            raise ConfigError(f'{where}: client_auth = "private_key_jwt" needs client_key = "PATH"')
        key_path = Path(key_file)
        if not key_path.is_absolute():
            key_path = target.base_dir / key_path
        try:
            key = load_client_key(key_path)
        except ClientKeyError as exc:
            raise ConfigError(f"{where} client_key: {exc}") from None
    elif method.startswith("client_secret"):
        if not secret or not secret.startswith(_REF_PREFIXES):
            raise ConfigError(
                f"{where} client_secret: give it by reference only, as 'env:NAME' or "
                "'file:PATH' (inline secrets would end up in files and logs)"
            )
        secret_ref = SecretRef(secret, target.base_dir)
    elif target.tls.requests_cert is None:
        raise ConfigError(
            f'{where}: client_auth = "tls_client_auth" needs the client certificate in [tls] '
            "(client_cert and client_key)"
        )
    return ClientSettings(
        client_id=client_id,
        auth_method=method,
        redirect_uri=_redirect_uri(redirect, where),
        key=key,
        key_path=key_path,
        secret=secret_ref,
    )


def _fill_value(value: Any, where: str, base_dir: Path) -> str | SecretRef:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ConfigError(f"{where}: a fill value must be text, got {value!r}")
    text = str(value)
    if text.startswith(_REF_PREFIXES) and len(text) > 4:
        return SecretRef(text, base_dir)
    return text


def _steps(value: Any, target: Target) -> tuple[LoginStep, ...]:
    if not isinstance(value, list) or not all(isinstance(s, Mapping) for s in value):
        raise ConfigError(
            "[oidc] login: one [[oidc.login]] table per page of the provider's login, e.g. "
            '[[oidc.login]] fill = { login = "burger", password = "env:PASSWORD" }'
        )
    steps = []
    for number, table in enumerate(value, start=1):
        where = f"[[oidc.login]] step {number}:"
        unknown = sorted(set(table) - _STEP_KEYS)
        if unknown:
            raise ConfigError(
                f"{where} unknown key(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(_STEP_KEYS))})"
            )
        fill = table.get("fill", {})
        if not isinstance(fill, Mapping):
            raise ConfigError(f'{where} fill must be a table of field = "value"')
        submit = table.get("submit", True)
        if not isinstance(submit, bool | str) or submit is False or submit == "":
            raise ConfigError(
                f"{where} submit: true (the form's own submit button) or the text, name or "
                f"value of the button to press, got {submit!r}"
            )
        optional = table.get("optional", False)
        if not isinstance(optional, bool):
            raise ConfigError(f"{where} optional: true or false")
        if not fill and "submit" not in table and "form" not in table:
            raise ConfigError(f"{where} says nothing to do: give fill, submit or form")
        steps.append(
            LoginStep(
                number=number,
                fill={
                    str(k): _fill_value(v, f"{where} fill.{k}", target.base_dir)
                    for k, v in fill.items()
                },
                submit=submit,
                form=_text(table, "form", where),
                optional=optional,
            )
        )
    return tuple(steps)


def issuer_of(target: Target) -> str:
    """The provider's issuer URL: ``[urls] issuer``, else the base URL (``--url``)."""
    issuer = target.urls.get("issuer") or target.base_url
    if not issuer:
        raise ConfigError(
            "the nlgov-oidc-provider profile needs the provider's issuer: "
            '[urls] issuer = "https://..." in target.toml, or --url'
        )
    if urlsplit(issuer).scheme not in ("http", "https"):
        raise ConfigError(f"[urls] issuer: {issuer!r} is not an http(s) URL")
    return issuer


def load_oidc_settings(target: Target) -> OidcSettings:
    """The validated settings; ConfigError names the key and how to fix it."""
    issuer = issuer_of(target)
    table = target.suite_settings.get("oidc")
    if table is None:
        return OidcSettings(issuer=issuer, client=None)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"[oidc]: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))})"
        )
    client = _client({k: v for k, v in table.items() if k in _CLIENT_KEYS}, "[oidc]", target)
    others_value = table.get("clients", [])
    if not isinstance(others_value, list) or not all(isinstance(c, Mapping) for c in others_value):
        raise ConfigError("[oidc] clients: one [[oidc.clients]] table per further client")
    others = tuple(
        _client(c, f"[[oidc.clients]] {i}:", target) for i, c in enumerate(others_value, start=1)
    )
    ids = [c.client_id for c in (client, *others)]
    if len(set(ids)) != len(ids):
        raise ConfigError("[oidc]: every client needs its own client_id")
    scopes = table.get("scopes", ["openid"])
    if (
        not isinstance(scopes, list)
        or not scopes
        or not all(isinstance(s, str) and s and " " not in s for s in scopes)
    ):
        raise ConfigError('[oidc] scopes: a list of scope values, e.g. ["openid"]')
    if "openid" not in scopes:
        raise ConfigError('[oidc] scopes: an OpenID Connect request needs "openid" among them')
    params = table.get("authorization_params", {})
    if not isinstance(params, Mapping) or not all(isinstance(v, str) for v in params.values()):
        raise ConfigError('[oidc] authorization_params: a table of name = "value"')
    return OidcSettings(
        issuer=issuer,
        client=client,
        others=others,
        scopes=tuple(scopes),
        acr_values=_text(table, "acr_values", "[oidc]"),
        login=_steps(table.get("login", []), target),
        authorization_params={str(k): v for k, v in params.items()},
        mtls=target.tls.requests_cert,
    )
