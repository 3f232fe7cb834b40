"""The target configuration: `target.toml` or the equivalent command-line flags.

Credentials are given by reference only (``env:NAME`` or ``file:PATH``): the value itself is
resolved when a run starts and never written anywhere. Example::

    name = "Parkeervergunningen API (test)"
    base_url = "https://api.test.example.nl/parkeren/v1"
    spec = "openapi.json"                 # a path (relative to this file) or a URL

    [urls]                                # more named base URLs, for roles with several
    manager = "https://manager.example.nl:8443"
    logboek_grpc = "127.0.0.1:4317"       # or a gRPC address (host:port)

    [headers]                             # plain, non-secret: sent and shown as they are
    Accept-Crs = "EPSG:4326"

    [auth]
    bearer = "env:PARKEREN_TOKEN"         # sent as Authorization: Bearer ...
    [auth.headers]                        # secret: by reference, masked in every report
    X-Api-Key = "file:/run/secrets/api-key"

    [tls]
    client_cert = "certs/client.crt"      # mTLS client certificate and key (paths)
    client_key = "certs/client.key"
    ca_bundle = "certs/ca.pem"
    verify = true

    [budget]
    max_requests = 5000
    rate_limit = 10                       # requests per second
    timeout = 10                          # seconds per request
    max_response_bytes = 5000000
    deadline = 600                        # seconds for the whole run (default: none)

    [statement]                           # what the target states it supports
    public_api = true
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(Exception):
    """The target configuration is wrong; the message says where and how to fix it."""


# Top-level tables that belong to a suite: the engine passes them on unread.
SUITE_TABLES = ("fsc", "logboek", "oidc", "oauth", "yivi", "chain")

_REF = re.compile(r"^(env|file):(.+)$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP field name (RFC 9110 §5.1)


@dataclass(frozen=True)
class SecretRef:
    """A credential by reference: ``env:NAME`` or ``file:PATH``."""

    ref: str
    base_dir: Path = Path(".")

    @property
    def kind(self) -> str:
        return self.ref.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.ref.split(":", 1)[1]

    @property
    def placeholder(self) -> str:
        """What a reproducer shows instead of the value."""
        return f"${{{self.name}}}" if self.kind == "env" else f"<contents of {self.name}>"

    def resolve(self) -> str:
        if self.kind == "env":
            value = os.environ.get(self.name)
            if value is None:
                raise ConfigError(
                    f"credential {self.ref}: environment variable {self.name} is not set "
                    f"(export {self.name}=... before running)"
                )
            return value
        path = Path(self.name)
        if not path.is_absolute():
            path = self.base_dir / path
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"credential {self.ref}: cannot read {path}: {exc.strerror or exc}"
            ) from None


@dataclass(frozen=True)
class BudgetConfig:
    max_requests: int | None = 5000
    rate_limit: float | None = 10.0
    timeout_s: float = 10.0
    max_response_bytes: int = 5_000_000
    # Wall-clock seconds for the whole run: then no new request is sent (None: no deadline).
    deadline_s: float | None = None


@dataclass(frozen=True)
class TlsConfig:
    client_cert: Path | None = None
    client_key: Path | None = None
    ca_bundle: Path | None = None
    verify: bool = True

    @property
    def requests_verify(self) -> bool | str:
        if not self.verify:
            return False
        return str(self.ca_bundle) if self.ca_bundle else True

    @property
    def requests_cert(self) -> tuple[str, str] | None:
        if self.client_cert and self.client_key:
            return (str(self.client_cert), str(self.client_key))
        return None


@dataclass(frozen=True)
class Target:
    name: str = "target"
    base_url: str | None = None
    urls: Mapping[str, str] = field(default_factory=dict)
    spec: str | None = None
    bearer: SecretRef | None = None
    auth_headers: Mapping[str, SecretRef] = field(default_factory=dict)
    # Plain headers ([headers], --header) sent with every request and shown unmasked.
    headers: Mapping[str, str] = field(default_factory=dict)
    tls: TlsConfig = field(default_factory=TlsConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    statement: Mapping[str, Any] = field(default_factory=dict)
    # Operations that may change state ("POST /parkeervergunningen", or "*" for all):
    # by default a run sends only safe methods.
    allow_writes: tuple[str, ...] = ()
    # Tables a suite reads and validates itself (e.g. [fsc]): name -> table.
    suite_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: Path | None = None

    @property
    def base_dir(self) -> Path:
        """Where relative paths in the configuration start."""
        return self.source.parent if self.source else Path.cwd()

    def may_write(self, method: str, path: str) -> bool:
        """Whether the target allows this state-changing operation to be sent."""
        wanted = f"{method.upper()} {path}"
        return any(a == "*" or a.upper() == wanted.upper() for a in self.allow_writes)

    def secret_refs(self) -> dict[str, SecretRef]:
        """Header name -> credential reference, Authorization included."""
        refs = dict(self.auth_headers)
        if self.bearer is not None:
            refs["Authorization"] = self.bearer
        return refs

    def resolve_auth(self) -> tuple[dict[str, str], dict[str, str]]:
        """(headers to send, secret value -> placeholder for redaction)."""
        headers: dict[str, str] = {}
        secrets: dict[str, str] = {}
        for header, ref in self.auth_headers.items():
            value = ref.resolve()
            headers[header] = value
            secrets[value] = ref.placeholder
        if self.bearer is not None:
            token = self.bearer.resolve()
            headers["Authorization"] = f"Bearer {token}"
            secrets[token] = self.bearer.placeholder
        return headers, secrets

    def with_overrides(
        self,
        *,
        url: str | None = None,
        spec: str | None = None,
        max_requests: int | None = None,
        rate_limit: float | None = None,
        timeout_s: float | None = None,
        deadline_s: float | None = None,
        allow_writes: tuple[str, ...] = (),
        headers: tuple[str, ...] = (),
    ) -> Target:
        """Command-line flags win over the file (allowed writes add up; a `--header` replaces
        the file's header of the same name)."""
        budget = self.budget
        if max_requests is not None:
            budget = replace(budget, max_requests=max_requests)
        if rate_limit is not None:
            budget = replace(budget, rate_limit=rate_limit or None)
        if timeout_s is not None:
            budget = replace(budget, timeout_s=timeout_s)
        if deadline_s is not None:
            budget = replace(budget, deadline_s=_deadline(deadline_s, "--deadline"))
        target = replace(self, budget=budget)
        if allow_writes:
            target = replace(
                target, allow_writes=(*self.allow_writes, *_writes(allow_writes, "--allow-writes"))
            )
        if headers:
            given = [_header_flag(h) for h in headers]
            named = {n.lower() for n, _ in given}
            kept = {n: v for n, v in self.headers.items() if n.lower() not in named}
            target = replace(target, headers=_plain_headers(kept | dict(given), self, "--header"))
        if url is not None:
            target = replace(target, base_url=_check_url(url, "--url"))
        if spec is not None:
            target = replace(target, spec=spec)
        return target


_TOP_KEYS = {
    "name",
    "base_url",
    "urls",
    "spec",
    "headers",
    "auth",
    "tls",
    "budget",
    "statement",
    "allow_writes",
    *SUITE_TABLES,
}
_WRITE = re.compile(r"^(\*|(POST|PUT|PATCH|DELETE) /\S*)$", re.IGNORECASE)


def _check_url(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: must be a URL string, got {type(value).__name__}")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{where}: {value!r} is not an http(s) URL (e.g. https://api.example.nl/v1)"
        )
    return value.rstrip("/")


_ADDRESS = re.compile(r"^(grpcs?://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$")


def _check_address(value: Any, where: str) -> str:
    """A URL of [urls]: http(s), or a gRPC address (``host:port``, ``grpc(s)://host:port``)."""
    if isinstance(value, str) and _ADDRESS.match(value):
        return value
    try:
        return _check_url(value, where)
    except ConfigError:
        raise ConfigError(
            f"{where}: {value!r} is neither an http(s) URL (e.g. https://api.example.nl/v1) "
            "nor a gRPC address (host:port, e.g. 127.0.0.1:4317)"
        ) from None


def _writes(values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f'{where}: a list of operations like "POST /zaken", or "*"')
    for value in values:
        if not _WRITE.match(value.strip()):
            raise ConfigError(f'{where}: {value!r} is not "POST|PUT|PATCH|DELETE /path" or "*"')
    return tuple(v.strip() for v in values)


def _header_flag(value: str) -> tuple[str, str]:
    name, colon, text = value.partition(":")
    if not colon or not name.strip():
        raise ConfigError(
            f"--header: {value!r} is not 'Name: value' (e.g. 'Accept-Crs: EPSG:4326')"
        )
    return name.strip(), text.strip()


def _plain_headers(values: Mapping[str, Any], target: Target, where: str) -> dict[str, str]:
    """Plain headers, checked: HTTP names, one-line string values, not also a credential."""
    secret = {n.lower(): f"[auth.headers] {n}" for n in target.auth_headers}
    if target.bearer is not None:
        secret["authorization"] = "[auth] bearer (the Authorization header)"
    checked: dict[str, str] = {}
    for name, value in values.items():
        if not _TOKEN.match(name):
            raise ConfigError(f"{where}: {name!r} is not a valid HTTP header name")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise ConfigError(f"{where}: {name}: the value must be a one-line string")
        if name.lower() in secret:
            raise ConfigError(
                f"{where}: {name} is also given as a credential in {secret[name.lower()]}: "
                "keep it in one place, [auth] for secrets or [headers] for plain values"
            )
        checked[name] = value
    return checked


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _unknown(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(extra)} (allowed: {', '.join(sorted(allowed))})"
        )


def secret_ref(value: Any, where: str, base_dir: Path) -> SecretRef:
    """A credential given by reference (``env:NAME``, ``file:PATH``); a ConfigError naming
    `where` for anything else. Suites read their tables' credentials with it too."""
    if not isinstance(value, str) or not _REF.match(value):
        raise ConfigError(
            f"{where}: credentials are given by reference only, as 'env:NAME' or 'file:PATH' "
            "(inline secrets would end up in files and logs)"
        )
    return SecretRef(value, base_dir)


def _number(value: Any, where: str, *, integer: bool = False) -> float:
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or value < 0:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise ConfigError(f"{where}: must be {kind}, got {value!r}")
    return float(value)


def _deadline(seconds: float, where: str) -> float:
    if seconds <= 0:
        raise ConfigError(f"{where}: must be more than 0 seconds")
    return float(seconds)


def _path(value: Any, where: str, base_dir: Path) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: must be a file path")
    path = Path(value)
    return path if path.is_absolute() else base_dir / path


def parse_target(data: Mapping[str, Any], *, source: Path | None = None) -> Target:
    where = str(source) if source else "target"
    base_dir = source.parent if source else Path.cwd()
    _unknown(data, _TOP_KEYS, where)

    name = data.get("name", source.stem if source else "target")
    if not isinstance(name, str):
        raise ConfigError(f"{where}: name: must be a string")
    base_url = _check_url(data["base_url"], f"{where}: base_url") if "base_url" in data else None
    urls = {
        k: _check_address(v, f"{where}: urls.{k}") for k, v in _table(data, "urls", where).items()
    }
    spec = data.get("spec")
    if spec is not None:
        if not isinstance(spec, str) or not spec:
            raise ConfigError(f"{where}: spec: must be a file path or URL")
        if not is_url(spec) and not Path(spec).is_absolute():
            spec = str(base_dir / spec)

    auth = _table(data, "auth", where)
    _unknown(auth, {"bearer", "headers"}, f"{where}: [auth]")
    bearer = (
        secret_ref(auth["bearer"], f"{where}: auth.bearer", base_dir) if "bearer" in auth else None
    )
    headers_table = auth.get("headers", {})
    if not isinstance(headers_table, Mapping):
        raise ConfigError(f"{where}: [auth.headers] must be a table of header = 'env:NAME'")
    auth_headers = {
        h: secret_ref(v, f"{where}: auth.headers.{h}", base_dir) for h, v in headers_table.items()
    }

    plain_headers = _table(data, "headers", where)

    tls = _table(data, "tls", where)
    _unknown(tls, {"client_cert", "client_key", "ca_bundle", "verify"}, f"{where}: [tls]")
    if ("client_cert" in tls) != ("client_key" in tls):
        raise ConfigError(f"{where}: [tls] needs both client_cert and client_key for mTLS")
    verify = tls.get("verify", True)
    if not isinstance(verify, bool):
        raise ConfigError(f"{where}: tls.verify: must be true or false")
    tls_config = TlsConfig(
        client_cert=_path(tls["client_cert"], f"{where}: tls.client_cert", base_dir)
        if "client_cert" in tls
        else None,
        client_key=_path(tls["client_key"], f"{where}: tls.client_key", base_dir)
        if "client_key" in tls
        else None,
        ca_bundle=_path(tls["ca_bundle"], f"{where}: tls.ca_bundle", base_dir)
        if "ca_bundle" in tls
        else None,
        verify=verify,
    )

    budget = _table(data, "budget", where)
    _unknown(
        budget,
        {"max_requests", "rate_limit", "timeout", "max_response_bytes", "deadline"},
        f"{where}: [budget]",
    )
    defaults = BudgetConfig()
    budget_config = BudgetConfig(
        max_requests=int(
            _number(budget["max_requests"], f"{where}: budget.max_requests", integer=True)
        )
        if "max_requests" in budget
        else defaults.max_requests,
        rate_limit=(_number(budget["rate_limit"], f"{where}: budget.rate_limit") or None)
        if "rate_limit" in budget
        else defaults.rate_limit,
        timeout_s=_number(budget.get("timeout", defaults.timeout_s), f"{where}: budget.timeout"),
        max_response_bytes=int(
            _number(
                budget.get("max_response_bytes", defaults.max_response_bytes),
                f"{where}: budget.max_response_bytes",
                integer=True,
            )
        ),
        deadline_s=_deadline(
            _number(budget["deadline"], f"{where}: budget.deadline"), f"{where}: budget.deadline"
        )
        if "deadline" in budget
        else defaults.deadline_s,
    )
    if budget_config.timeout_s <= 0:
        raise ConfigError(f"{where}: budget.timeout: must be more than 0 seconds")

    statement = _table(data, "statement", where)
    target = Target(
        name=name,
        base_url=base_url,
        urls=urls,
        spec=spec,
        bearer=bearer,
        auth_headers=auth_headers,
        tls=tls_config,
        budget=budget_config,
        statement=dict(statement),
        allow_writes=_writes(data.get("allow_writes", []), f"{where}: allow_writes"),
        suite_settings={
            name: dict(_table(data, name, where)) for name in SUITE_TABLES if name in data
        },
        source=source,
    )
    return replace(target, headers=_plain_headers(plain_headers, target, f"{where}: [headers]"))


def load_target(path: str | Path) -> Target:
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read target file {source}: {exc.strerror or exc}") from None
    import tomllib  # only a command that reads a target.toml pays for it

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    return parse_target(data, source=source.resolve())
