"""The `[chain]` table of target.toml, validated (the shape: docs/chain-notes.md).

One `[[chain.organisations]]` per organisation: exactly one has `application` (it starts the
processing and its `outway`); the others have `source` (`brp-personen` or `rdw-voertuigen`)
and `inway`. Every organisation has `name`, `oin`, `manager`, `read_api`, and optionally
`read_bearer` (a reader that sees all its records, by reference), `activity` (its processing
activity URI), `fields_attribute` (at the BRP: the record attribute naming the requested
`fields`) and `[chain.organisations.transaction_log]` (`url`, default `{manager}/v1/logs`;
`client_cert`, `client_key`, `ca_bundle`). Citizens: `[chain.citizen] bsn` signs in with the
`[oidc]` login; `[chain.second_citizen]` has `bsn`, its own `login` steps and optional `json`
that replaces keys of the processing body. The citizens sign in with the `[oidc]` table at
`[urls] issuer`, or, where one target also tests another provider (the demo), with
`[chain.oidc]` (the same shape) at `[chain] issuer`. `[[chain.processings]]` as
`[[logboek.processings]]` (name, method, path, json, activity) plus `brp_fields` and
`bsn_field`; the checks run the first one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cgconform.model.target import ConfigError, SecretRef, Target, secret_ref

SOURCES = ("brp-personen", "rdw-voertuigen")
_ORG_KEYS = {
    "name", "oin", "application", "manager", "outway", "inway", "read_api", "read_bearer",
    "source", "activity", "fields_attribute", "transaction_log",
}  # fmt: skip
_KEYS = {
    "refetch_after", "settle", "transaction_id_attribute", "citizen", "second_citizen",
    "organisations", "processings", "issuer", "oidc",
}  # fmt: skip


@dataclass(frozen=True)
class TransactionLog:
    url: str
    client_cert: tuple[str, str] | None
    ca_bundle: str | None


@dataclass(frozen=True)
class Organisation:
    name: str
    oin: str
    manager: str
    read_api: str
    application: str | None = None
    outway: str | None = None
    inway: str | None = None
    source: str | None = None
    read_bearer: SecretRef | None = None
    activity: str | None = None
    fields_attribute: str | None = None
    transaction_log: TransactionLog | None = None

    def urls(self) -> dict[str, str]:
        named = {
            "application": self.application,
            "manager": self.manager,
            "outway": self.outway,
            "inway": self.inway,
            "read_api": self.read_api,
        }
        return {k: v for k, v in named.items() if v}


@dataclass(frozen=True)
class Processing:
    name: str
    method: str
    path: str
    json: Mapping[str, Any] | None = None
    activity: str | None = None
    brp_fields: tuple[str, ...] | None = None
    bsn_field: str | None = None


@dataclass(frozen=True)
class Citizen:
    bsn: str
    login: Sequence[Mapping[str, Any]] | None = None  # None: the [oidc] login
    json: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainSettings:
    organisations: tuple[Organisation, ...]
    processings: tuple[Processing, ...]
    citizen: Citizen
    second_citizen: Citizen | None
    refetch_after: float = 60.0
    settle: float = 2.0
    transaction_id_attribute: str | None = None

    @property
    def consumer(self) -> Organisation:
        return next(o for o in self.organisations if o.application)

    @property
    def sources(self) -> list[Organisation]:
        return [o for o in self.organisations if o.source]

    def source(self, kind: str) -> Organisation | None:
        return next((o for o in self.organisations if o.source == kind), None)


def _url(value: Any, where: str) -> str:
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        raise ConfigError(f"{where}: {value!r} is not an http(s) URL")
    return value.rstrip("/")


def _text(table: Mapping[str, Any], key: str, where: str, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} {key}: a non-empty string")
    return value


def _ref(value: Any, where: str, base: Path) -> SecretRef | None:
    return None if value is None else secret_ref(value, where, base)


def _path(value: Any, where: str, base: Path) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: a file path")
    path = Path(value) if Path(value).is_absolute() else base / value
    return str(path)


def _transaction_log(table: Any, manager: str, where: str, base: Path) -> TransactionLog | None:
    if table is None:
        return None
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: a table (url, client_cert, client_key, ca_bundle)")
    cert = key = None
    if "client_cert" in table or "client_key" in table:
        cert = _path(table.get("client_cert"), f"{where} client_cert", base)
        key = _path(table.get("client_key"), f"{where} client_key", base)
    ca = _path(table["ca_bundle"], f"{where} ca_bundle", base) if "ca_bundle" in table else None
    url = _url(table.get("url", manager + "/v1/logs"), f"{where} url")
    return TransactionLog(url, (cert, key) if cert and key else None, ca)


def _organisation(table: Any, number: int, base: Path) -> Organisation:
    where = f"[[chain.organisations]] {number}:"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} a table")
    unknown = sorted(set(table) - _ORG_KEYS)
    if unknown:
        raise ConfigError(f"{where} unknown key(s) {', '.join(unknown)}")
    manager = _url(table.get("manager"), f"{where} manager")
    source = _text(table, "source", where)
    if source is not None and source not in SOURCES:
        raise ConfigError(f"{where} source: one of {', '.join(SOURCES)}")
    optional = {
        k: _url(table[k], f"{where} {k}") for k in ("application", "outway", "inway") if k in table
    }
    return Organisation(
        name=str(_text(table, "name", where, required=True)),
        oin=str(_text(table, "oin", where, required=True)),
        manager=manager,
        read_api=_url(table.get("read_api"), f"{where} read_api"),
        source=source,
        read_bearer=_ref(table.get("read_bearer"), f"{where} read_bearer", base),
        activity=_text(table, "activity", where),
        fields_attribute=_text(table, "fields_attribute", where),
        transaction_log=_transaction_log(
            table.get("transaction_log"), manager, f"{where} transaction_log", base
        ),
        **optional,
    )


def _processing(table: Any, number: int) -> Processing:
    where = f"[[chain.processings]] {number}:"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} a table")
    path = _text(table, "path", where, required=True) or "/"
    if not path.startswith("/"):
        raise ConfigError(f"{where} path: starts with / (relative to the application's URL)")
    body = table.get("json")
    if body is not None and not isinstance(body, Mapping):
        raise ConfigError(f"{where} json: a table")
    fields = table.get("brp_fields")
    if fields is not None and not (
        isinstance(fields, list) and all(isinstance(f, str) and f for f in fields)
    ):
        raise ConfigError(f'{where} brp_fields: a list of field names, e.g. ["naam"]')
    return Processing(
        name=str(_text(table, "name", where, required=True)),
        method=(_text(table, "method", where) or "POST").upper(),
        path=path,
        json=body,
        activity=_text(table, "activity", where),
        brp_fields=tuple(fields) if fields is not None else None,
        bsn_field=_text(table, "bsn_field", where),
    )


def _citizen(table: Any, where: str, second: bool) -> Citizen:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: a table with bsn")
    bsn = _text(table, "bsn", where, required=True)
    login = table.get("login")
    if second and not (isinstance(login, list) and login):
        raise ConfigError(f"{where} login: the second citizen's login steps (as [[oidc.login]])")
    body = table.get("json", {})
    if not isinstance(body, Mapping):
        raise ConfigError(f"{where} json: a table")
    return Citizen(str(bsn), login if second else None, body)


def _seconds(table: Mapping[str, Any], key: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"[chain] {key}: a number of seconds (>= 0)")
    return float(value)


def load_chain_settings(target: Target) -> ChainSettings:
    table = target.suite_settings.get("chain")
    if not isinstance(table, Mapping):
        raise ConfigError(
            "once-only-chain needs a [chain] table in target.toml: the organisations, the "
            "citizens and the processings (docs/chain-notes.md has a complete example)"
        )
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"[chain]: unknown key(s) {', '.join(unknown)}")
    base = target.base_dir
    orgs = table.get("organisations")
    if not isinstance(orgs, list) or not orgs:
        raise ConfigError("[chain]: one [[chain.organisations]] table per organisation")
    organisations = tuple(_organisation(o, i, base) for i, o in enumerate(orgs, start=1))
    if sum(1 for o in organisations if o.application) != 1:
        raise ConfigError("[[chain.organisations]]: exactly one has `application` (the caller)")
    processings = table.get("processings")
    if not isinstance(processings, list) or not processings:
        raise ConfigError("[chain]: at least one [[chain.processings]] to start")
    second = table.get("second_citizen")
    return ChainSettings(
        organisations=organisations,
        processings=tuple(_processing(p, i) for i, p in enumerate(processings, start=1)),
        citizen=_citizen(table.get("citizen"), "[chain.citizen]", False),
        second_citizen=_citizen(second, "[chain.second_citizen]", True) if second else None,
        refetch_after=_seconds(table, "refetch_after", 60.0),
        settle=_seconds(table, "settle", 2.0),
        transaction_id_attribute=_text(table, "transaction_id_attribute", "[chain]"),
    )
