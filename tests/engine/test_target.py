"""target.toml: what is accepted, and that every mistake is one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from cgconform.model.target import ConfigError, SecretRef, load_target, parse_target


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "target.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_target_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "key.txt").write_text("file-secret\n")
    monkeypatch.setenv("CG_TEST_TOKEN", "env-secret")
    target = load_target(
        write(
            tmp_path,
            """
name = "Parkeren test"
base_url = "https://api.example.nl/parkeren/v1/"
spec = "openapi.json"
[urls]
manager = "https://manager.example.nl:8443"
[auth]
bearer = "env:CG_TEST_TOKEN"
[auth.headers]
X-Api-Key = "file:key.txt"
[budget]
max_requests = 100
rate_limit = 2.5
timeout = 3
[statement]
public_api = false
""",
        )
    )
    assert target.name == "Parkeren test"
    assert target.base_url == "https://api.example.nl/parkeren/v1"
    assert target.spec == str(tmp_path / "openapi.json")
    assert target.urls == {"manager": "https://manager.example.nl:8443"}
    assert target.budget.max_requests == 100 and target.budget.rate_limit == 2.5
    assert target.statement == {"public_api": False}
    headers, secrets = target.resolve_auth()
    assert headers == {"X-Api-Key": "file-secret", "Authorization": "Bearer env-secret"}
    assert secrets == {"file-secret": "<contents of key.txt>", "env-secret": "${CG_TEST_TOKEN}"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('base_url = "ftp://x"', "base_url: 'ftp://x' is not an http(s) URL"),
        ('bas_url = "https://x"', "unknown key(s) bas_url"),
        ('[auth]\nbearer = "abc123"', "credentials are given by reference only"),
        ("[auth.headers]\nX-Key = 5", "auth.headers.X-Key: credentials are given by reference"),
        ('[tls]\nclient_cert = "a.pem"', "needs both client_cert and client_key"),
        ("[budget]\nmax_requests = -1", "budget.max_requests: must be a non-negative integer"),
        ("[budget]\nmax_requests = 1.5", "budget.max_requests: must be a non-negative integer"),
        ("[budget]\ntimeout = 0", "budget.timeout: must be more than 0"),
        ("[budget]\nrps = 3", "[budget]: unknown key(s) rps"),
        ("base_url = ", "not valid TOML"),
        ('urls = "x"', "[urls] must be a table"),
    ],
)
def test_config_errors_name_the_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_target(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value) or "TOML" in str(info.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read target file"):
        load_target(tmp_path / "nope.toml")


def test_unset_environment_variable_says_how_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CG_UNSET_VAR", raising=False)
    with pytest.raises(ConfigError, match="export CG_UNSET_VAR="):
        SecretRef("env:CG_UNSET_VAR").resolve()


def test_unreadable_secret_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        SecretRef("file:missing.txt", tmp_path).resolve()


def test_flags_override_the_file() -> None:
    target = parse_target({"base_url": "https://a.example/v1", "budget": {"max_requests": 9}})
    changed = target.with_overrides(
        url="https://b.example/v2", spec="x.yaml", max_requests=3, rate_limit=0
    )
    assert changed.base_url == "https://b.example/v2"
    assert changed.spec == "x.yaml"
    assert changed.budget.max_requests == 3
    assert changed.budget.rate_limit is None
    with pytest.raises(ConfigError, match="--url"):
        target.with_overrides(url="not a url")


# -- plain headers: [headers] and --header --------------------------------------------------


def test_plain_headers_and_the_header_flag_overriding_them() -> None:
    target = parse_target({"headers": {"Accept-Crs": "EPSG:28992", "X-Trace": "cg"}})
    assert target.headers == {"Accept-Crs": "EPSG:28992", "X-Trace": "cg"}
    changed = target.with_overrides(headers=("accept-crs: EPSG:4326", "Accept-Language:nl"))
    assert changed.headers == {"X-Trace": "cg", "accept-crs": "EPSG:4326", "Accept-Language": "nl"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"headers": {"X-Api-Key": "plain"}, "auth": {"headers": {"x-api-key": "env:K"}}},
            r"X-Api-Key is also given as a credential in \[auth.headers\] x-api-key",
        ),
        (
            {"headers": {"Authorization": "Token abc"}, "auth": {"bearer": "env:T"}},
            r"Authorization is also given as a credential in \[auth\] bearer",
        ),
        ({"headers": {"Bad Name": "x"}}, "not a valid HTTP header name"),
        ({"headers": {"X": 4326}}, "X: the value must be a one-line string"),
        ({"headers": "Accept-Crs"}, r"\[headers\] must be a table"),
    ],
)
def test_plain_header_mistakes(data: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_target(data)


def test_header_flag_mistakes() -> None:
    target = parse_target({"auth": {"headers": {"X-Api-Key": "env:K"}}})
    with pytest.raises(ConfigError, match="--header: 'Accept-Crs' is not 'Name: value'"):
        target.with_overrides(headers=("Accept-Crs",))
    with pytest.raises(ConfigError, match="--header: x-api-key is also given as a credential"):
        target.with_overrides(headers=("x-api-key: abc",))


def test_urls_take_grpc_addresses_beside_urls() -> None:
    target = parse_target(
        {
            "urls": {
                "logboek": "https://127.0.0.1:4318/",
                "logboek_grpc": "127.0.0.1:4317",
                "other_grpc": "grpcs://logboek.example.nl:443",
            },
            "logboek": {"listen": "127.0.0.1:4318"},
        }
    )
    assert target.urls == {
        "logboek": "https://127.0.0.1:4318",
        "logboek_grpc": "127.0.0.1:4317",
        "other_grpc": "grpcs://logboek.example.nl:443",
    }
    with pytest.raises(ConfigError, match=r"neither an http\(s\) URL .* nor a gRPC address"):
        parse_target({"urls": {"logboek": "ftp://x"}})
