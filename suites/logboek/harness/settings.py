"""The `[logboek]` table of target.toml, validated (README, "Logboek Dataverwerkingen").

For `logboek-application`: where cgconform receives the application's records (`listen`,
`listen_grpc`), how long it waits for them (`flush_timeout`), the sources it plays
(`[logboek.sources.NAME]`) and the requests that start processings (`[[logboek.processings]]`).
For `logboek-dataverwerkingen`: the transports the Logboek speaks (`speaks`, by default those
its `[urls]` name) and how its read extension is queried (`[logboek.read]`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgconform.model.target import ConfigError, SecretRef, Target, secret_ref

TRANSPORTS = ("otlp-http-protobuf", "otlp-http-json", "otlp-grpc", "logboek-v1")
# How a report names each transport
TRANSPORT_NAMES = {
    "otlp-http-protobuf": "OTLP/HTTP (protobuf)",
    "otlp-http-json": "OTLP/HTTP (JSON)",
    "otlp-grpc": "OTLP/gRPC",
    "logboek-v1": "logboek.v1 (gRPC)",
}
SOURCE_KINDS = ("brp-personen", "rdw-voertuigen", "static")
DEFAULT_CALLER = "https://cgconform.example/aanroepende-applicatie"

_KEYS = {
    "listen",
    "listen_grpc",
    "flush_timeout",
    "burst",
    "caller_url",
    "speaks",
    "sources",
    "processings",
    "read",
    "tls_cert",
    "tls_key",
}
_SOURCE_KEYS = {"listen", "kind", "status", "json", "headers"}
_PROCESSING_KEYS = {
    "name",
    "method",
    "path",
    "json",
    "query",
    "headers",
    "subjects",
    "activity",
    "expect_status",
    "invalid_input",
}
_READ_KEYS = {"method", "path", "bearer", "unentitled_bearer", "activity", "max_results"}


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class SourceSpec:
    name: str
    listen: Address
    kind: str
    status: int = 200
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProcessingSpec:
    name: str
    method: str
    path: str
    json: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    subjects: tuple[str, ...] = ()
    activity: str | None = None  # the processing_activity_id the target states it records
    expect_status: int | None = None
    invalid_input: bool = False  # a request with invalid user input (user-input-not-error)

    @property
    def personal(self) -> bool:
        return bool(self.subjects)


@dataclass(frozen=True)
class ReadSpec:
    method: str = "auto"  # "POST" (the extension's OpenAPI), "GET" (query parameters), "auto"
    path: str = "/processing-activities"
    bearer: SecretRef | None = None
    unentitled_bearer: SecretRef | None = None
    activity: str | None = None  # the activity the entitled reader may read
    max_results: int | None = None


@dataclass(frozen=True)
class LogboekSettings:
    listen: Address
    listen_grpc: Address | None
    flush_timeout_s: float
    burst: int
    caller_url: str
    speaks: tuple[str, ...]
    speaks_stated: bool
    sources: tuple[SourceSpec, ...]
    processings: tuple[ProcessingSpec, ...]
    read: ReadSpec
    # The receiver's certificate and key (PEM): with them it speaks TLS (https, gRPC over TLS)
    tls: tuple[str, str] | None = None


def _tls(table: Mapping[str, Any], target: Target) -> tuple[str, str] | None:
    if "tls_cert" not in table and "tls_key" not in table:
        return None
    paths = []
    for key in ("tls_cert", "tls_key"):
        value = table.get(key)
        if not isinstance(value, str):
            raise ConfigError(
                "[logboek] tls_cert and tls_key: both, as paths to PEM files (the certificate "
                "and key the receiver presents to the application)"
            )
        path = Path(value) if Path(value).is_absolute() else target.base_dir / value
        if not path.is_file():
            raise ConfigError(f"[logboek] {key}: file not found: {path}")
        paths.append(str(path))
    return paths[0], paths[1]


def _address(value: Any, where: str) -> Address:
    if not isinstance(value, str) or ":" not in value:
        raise ConfigError(f"{where}: a host:port such as 127.0.0.1:4318, got {value!r}")
    host, _, port = value.rpartition(":")
    if not port.isdigit() or not 0 <= int(port) < 65536 or not host:
        raise ConfigError(f"{where}: {value!r} is not a host:port (port 0..65535)")
    return Address(host.strip("[]"), int(port))


def _unknown(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(extra)}; allowed: {', '.join(sorted(allowed))}"
        )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: a list of strings")
    return tuple(value)


def _mapping(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: a table of names and values")
    return {str(k): str(v) for k, v in value.items()}


def _secret(value: Any, where: str, target: Target) -> SecretRef:
    return secret_ref(value, where, target.base_dir)


def _source(name: str, table: Any, where: str) -> SourceSpec:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: a table with listen and kind")
    _unknown(table, _SOURCE_KEYS, where)
    kind = table.get("kind", "static")
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{where}.kind: one of {', '.join(SOURCE_KINDS)}, got {kind!r}")
    if "listen" not in table:
        raise ConfigError(f"{where}.listen: where cgconform plays this source (host:port)")
    status = table.get("status", 200)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise ConfigError(f"{where}.status: an HTTP status code")
    return SourceSpec(
        name=name,
        listen=_address(table["listen"], f"{where}.listen"),
        kind=kind,
        status=status,
        json=table.get("json"),
        headers=_mapping(table.get("headers", {}), f"{where}.headers"),
    )


def _processing(index: int, table: Any) -> ProcessingSpec:
    where = f"[[logboek.processings]] #{index + 1}"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: a table with name, method and path")
    _unknown(table, _PROCESSING_KEYS, where)
    for key in ("name", "path"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise ConfigError(f"{where}.{key}: required (a string)")
    if not table["path"].startswith("/"):
        raise ConfigError(f"{where}.path: a path under [urls] application, starting with /")
    method = str(table.get("method", "POST")).upper()
    expect = table.get("expect_status")
    if expect is not None and (not isinstance(expect, int) or not 100 <= expect <= 599):
        raise ConfigError(f"{where}.expect_status: an HTTP status code")
    activity = table.get("activity")
    if activity is not None and not isinstance(activity, str):
        raise ConfigError(
            f"{where}.activity: the processing_activity_id URI the application records"
        )
    return ProcessingSpec(
        name=table["name"],
        method=method,
        path=table["path"],
        json=table.get("json"),
        query=_mapping(table.get("query", {}), f"{where}.query"),
        headers=_mapping(table.get("headers", {}), f"{where}.headers"),
        subjects=_strings(table.get("subjects", []), f"{where}.subjects"),
        activity=activity,
        expect_status=expect,
        invalid_input=bool(table.get("invalid_input", False)),
    )


def _read(table: Any, target: Target) -> ReadSpec:
    where = "[logboek.read]"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: a table")
    _unknown(table, _READ_KEYS, where)
    method = str(table.get("method", "auto"))
    if method.upper() not in ("AUTO", "POST", "GET"):
        raise ConfigError(f'{where}.method: "POST", "GET" or "auto"')
    cap = table.get("max_results")
    if cap is not None and (not isinstance(cap, int) or cap < 1):
        raise ConfigError(f"{where}.max_results: a positive number (the cap the read API states)")
    return ReadSpec(
        method=method.upper() if method.upper() != "AUTO" else "auto",
        path="/" + str(table.get("path", "/processing-activities")).lstrip("/"),
        bearer=_secret(table["bearer"], f"{where}.bearer", target) if "bearer" in table else None,
        unentitled_bearer=_secret(table["unentitled_bearer"], f"{where}.unentitled_bearer", target)
        if "unentitled_bearer" in table
        else None,
        activity=str(table["activity"]) if "activity" in table else None,
        max_results=cap,
    )


def default_speaks(target: Target) -> tuple[str, ...]:
    speaks: list[str] = []
    if "logboek" in target.urls:
        speaks += ["otlp-http-protobuf", "otlp-http-json"]
    if "logboek_grpc" in target.urls:
        speaks += ["otlp-grpc", "logboek-v1"]
    return tuple(speaks)


def load_settings(target: Target) -> LogboekSettings:
    table: Mapping[str, Any] = target.suite_settings.get("logboek", {})
    _unknown(table, _KEYS, "[logboek]")
    flush = table.get("flush_timeout", 10)
    if not isinstance(flush, int | float) or not 0 < flush <= 600:
        raise ConfigError("[logboek].flush_timeout: seconds (0 < s <= 600) to wait for records")
    burst = table.get("burst", 20)
    if not isinstance(burst, int) or not 0 <= burst <= 100_000:
        raise ConfigError("[logboek].burst: how many processings the burst sends (0 .. 100000)")
    speaks = (
        _strings(table["speaks"], "[logboek].speaks")
        if "speaks" in table
        else default_speaks(target)
    )
    wrong = [s for s in speaks if s not in TRANSPORTS]
    if wrong:
        raise ConfigError(
            f"[logboek].speaks: {', '.join(wrong)}: not one of {', '.join(TRANSPORTS)}"
        )
    sources_table = table.get("sources", {})
    if not isinstance(sources_table, Mapping):
        raise ConfigError("[logboek.sources.NAME]: one table per source")
    processings = table.get("processings", [])
    if not isinstance(processings, list):
        raise ConfigError("[[logboek.processings]]: an array of tables")
    caller = table.get("caller_url", DEFAULT_CALLER)
    if not isinstance(caller, str) or not caller.startswith(("http://", "https://")):
        raise ConfigError(
            "[logboek].caller_url: the URL cgconform states as the calling application"
        )
    return LogboekSettings(
        listen=_address(table.get("listen", "127.0.0.1:0"), "[logboek].listen"),
        listen_grpc=_address(table["listen_grpc"], "[logboek].listen_grpc")
        if "listen_grpc" in table
        else None,
        flush_timeout_s=float(flush),
        burst=burst,
        caller_url=caller,
        speaks=speaks,
        speaks_stated="speaks" in table,
        sources=tuple(
            _source(str(name), spec, f"[logboek.sources.{name}]")
            for name, spec in sources_table.items()
        ),
        processings=tuple(_processing(i, p) for i, p in enumerate(processings)),
        read=_read(table.get("read", {}), target),
        tls=_tls(table, target),
    )
