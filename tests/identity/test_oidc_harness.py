"""The relying party's pieces on their own: the [oidc] table, the client key and its command,
the HTML forms and cookies of the headless login, and JWS verification."""

from __future__ import annotations

import argparse
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from cgconform.model.target import ConfigError, SecretRef, parse_target
from cgconform.suites.identity.harness.client_key import (
    COMMAND,
    ClientKeyError,
    generate_client_key,
    load_client_key,
    write_client_key,
)
from cgconform.suites.identity.harness.oidc_client import (
    JwtProblem,
    KeySet,
    authorization_request,
    s256,
    verify_jws,
)
from cgconform.suites.identity.harness.oidc_flows import one_character_off
from cgconform.suites.identity.harness.oidc_login import CookieJar, Page, _choose_form
from cgconform.suites.identity.harness.oidc_settings import LoginStep, load_oidc_settings


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key_path, _ = write_client_key(tmp_path_factory.mktemp("key"), generate_client_key())
    return key_path


def _target(oidc: dict[str, Any] | None, **extra: Any) -> Any:
    data: dict[str, Any] = {"urls": {"issuer": "http://127.0.0.1:3000"}, **extra}
    if oidc is not None:
        data["oidc"] = oidc
    return parse_target(data)


def _table(key_file: Path, **changes: Any) -> dict[str, Any]:
    table: dict[str, Any] = {
        "client_id": "cg-conformance",
        "client_key": str(key_file),
        "redirect_uri": "http://127.0.0.1:8089/callback",
        "scopes": ["openid"],
        "acr_values": "http://eidas.europa.eu/LoA/substantial",
        "login": [
            {"fill": {"login": "burger", "password": "env:OIDC_TEST_PASSWORD"}},
            {"submit": True},
        ],
    }
    table.update(changes)
    return {k: v for k, v in table.items() if v is not None}


# -- the [oidc] table -----------------------------------------------------------------------


def test_the_issue_s_example_table_is_read(key_file: Path) -> None:
    settings = load_oidc_settings(_target(_table(key_file)))
    assert settings.issuer == "http://127.0.0.1:3000"
    assert settings.client is not None
    assert settings.client.auth_method == "private_key_jwt"
    assert settings.client.listens and settings.client.sector == "127.0.0.1"
    first, second = settings.login
    assert first.fill["login"] == "burger"
    assert isinstance(first.fill["password"], SecretRef)
    assert second.submit is True and not second.fill
    assert settings.others == ()


def test_without_an_oidc_table_only_discovery_can_run() -> None:
    settings = load_oidc_settings(_target(None))
    assert settings.client is None and settings.clients == ()


def test_the_issuer_falls_back_to_the_base_url() -> None:
    target = parse_target({"base_url": "https://op.example.nl"})
    assert load_oidc_settings(target).issuer == "https://op.example.nl"
    with pytest.raises(ConfigError, match=r"\[urls\] issuer"):
        load_oidc_settings(parse_target({}))


def test_a_second_client_and_a_secret_client(key_file: Path) -> None:
    table = _table(
        key_file,
        clients=[
            {
                "client_id": "two",
                "client_secret": "env:TWO_SECRET",
                "redirect_uri": "http://127.0.0.2:8090/callback",
            }
        ],
    )
    settings = load_oidc_settings(_target(table))
    (other,) = settings.others
    assert other.auth_method == "client_secret_basic"
    assert other.sector == "127.0.0.2"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"client_id": None}, "client_id: missing"),
        ({"client_secret": "env:X"}, "not both"),
        ({"client_key": None, "client_secret": "hunter2"}, "by reference only"),
        ({"client_key": None}, "how does cgconform authenticate"),
        ({"client_auth": "client_secret_jwt"}, "is not one of"),
        ({"client_auth": "tls_client_auth", "client_key": None}, r"\[tls\]"),
        ({"redirect_uri": "callback"}, "not an absolute"),
        ({"redirect_uri": "http://127.0.0.1/callback"}, "needs a port"),
        ({"scopes": ["profile"]}, '"openid"'),
        ({"colour": "blue"}, "unknown key"),
        ({"login": [{"fill": {"a": "b"}, "press": "x"}]}, "step 1: unknown key"),
        ({"login": [{"submit": False}]}, "submit"),
        ({"login": [{}]}, "nothing to do"),
        ({"clients": [{"client_id": "cg-conformance", "client_secret": "env:S",
                       "redirect_uri": "http://127.0.0.2:1/cb"}]}, "its own client_id"),
        ({"client_key": "/nonexistent/client.key"}, "cannot read"),
    ],
)  # fmt: skip
def test_a_broken_table_is_a_config_error_that_says_what_to_fix(
    key_file: Path, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_oidc_settings(_target(_table(key_file, **changes)))


# -- the client key -----------------------------------------------------------------------


def test_client_key_files_round_trip(tmp_path: Path) -> None:
    key = generate_client_key("EC")
    key_path, jwks_path = write_client_key(tmp_path, key)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    jwks = json.loads(jwks_path.read_text())
    (public,) = jwks["keys"]
    assert public["kid"] == key.kid and "d" not in public
    assert load_client_key(key_path).kid == key.kid
    assert load_client_key(key_path).algorithms == ("ES256",)
    with pytest.raises(ClientKeyError, match="--force"):
        write_client_key(tmp_path, key)


def test_a_file_that_is_no_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.key").write_text("not a key")
    with pytest.raises(ClientKeyError, match="not an unencrypted PEM"):
        load_client_key(tmp_path / "x.key")


def test_the_client_key_command_writes_both_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="cgconform oidc")
    COMMAND.configure(parser)
    args = parser.parse_args(["client-key", str(tmp_path / "keys")])
    assert COMMAND.run(args) == 0
    out = capsys.readouterr().out
    assert "jwks.json" in out and "client_key =" in out
    assert (tmp_path / "keys" / "client.key").exists()
    with pytest.raises(ConfigError, match="already exists"):
        COMMAND.run(args)


def test_the_assertion_algorithm_follows_the_provider(key_file: Path) -> None:
    key = load_client_key(key_file)
    assert key.pick_algorithm(None) == "PS256"
    assert key.pick_algorithm(["RS256", "ES256"]) == "RS256"


# -- the authorization request --------------------------------------------------------------


def test_the_authentication_request_carries_pkce_state_and_nonce(key_file: Path) -> None:
    settings = load_oidc_settings(_target(_table(key_file)))
    assert settings.client is not None
    request = authorization_request(settings, settings.client)
    assert request.code_verifier is not None and len(request.code_verifier) == 43
    assert request.params["code_challenge"] == s256(request.code_verifier)
    assert request.params["code_challenge_method"] == "S256"
    assert len(request.state) >= 43 and request.state != request.nonce
    plain = authorization_request(settings, settings.client, pkce="plain")
    assert plain.params["code_challenge"] == plain.code_verifier
    none = authorization_request(settings, settings.client, pkce=None)
    assert "code_challenge" not in none.params and none.code_verifier is None


def test_a_redirect_uri_one_character_off() -> None:
    assert one_character_off("http://127.0.0.1:8089/callback") == "http://127.0.0.1:8089/callbacx"
    assert one_character_off("http://127.0.0.1:8089/cbx?a=1") == "http://127.0.0.1:8089/cby?a=1"
    assert one_character_off("http://127.0.0.1:8089/") == "http://127.0.0.1:8089/x"


# -- the login's HTML and cookies -------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><title>Inloggen &amp; meer</title>
<script>var x = "<form>";</script></head><body>
<form id="lang" action="/lang" method="get"><select name="lang"><option value="nl">NL</option>
<option value="en" selected>EN</option></select><button>Kies</button></form>
<form id="login" action="/interaction/abc/login" method="post">
<input type="hidden" name="csrf" value="t0k">
<input type="text" name="login"><input type="password" name="password">
<input type="checkbox" name="remember" value="1">
<input type="checkbox" name="terms" value="ok" checked>
<textarea name="note">hallo</textarea>
<input type="submit" name="action" value="Inloggen">
<button type="submit" name="action" value="cancel">Annuleren</button>
</form></body></html>"""


def test_forms_are_read_as_a_browser_would_submit_them() -> None:
    page = Page.parse("http://op/interaction/abc", 200, PAGE)
    assert page.title == "Inloggen & meer"
    lang, login = page.forms
    assert lang.fields == [("lang", "en")] and lang.method == "get"
    assert ("csrf", "t0k") in login.fields and ("terms", "ok") in login.fields
    assert ("note", "hallo") in login.fields
    assert "remember" in login.names and ("remember", "1") not in login.fields
    assert [b.label() for b in login.buttons] == ["Inloggen", "Annuleren"]
    assert "form #login POST /interaction/abc/login" in page.describe()


@pytest.mark.parametrize(
    ("step", "chosen", "reason"),
    [
        (LoginStep(1, fill={"login": "x"}), "login", ""),
        (LoginStep(1, form="lang"), "lang", ""),
        (LoginStep(1, form="/login"), "login", ""),
        (LoginStep(1, submit=True), None, "2 forms"),
        (LoginStep(1, fill={"username": "x"}), None, "field(s) username"),
    ],
)
def test_a_step_picks_its_form(step: LoginStep, chosen: str | None, reason: str) -> None:
    page = Page.parse("http://op/x", 200, PAGE)
    form, why = _choose_form(page, step)
    assert (form.id if form else None) == chosen
    assert reason in why


def test_cookies_follow_their_paths_and_expire() -> None:
    jar = CookieJar()
    jar.store(
        "http://op/auth",
        "_session=s1; path=/; expires=Wed, 01 Jan 2031 00:00:00 GMT; httponly, "
        "_interaction=i1; path=/interaction/abc; httponly, _resume=r1; path=/auth/abc",
    )
    assert jar.header("http://op/interaction/abc") == "_interaction=i1; _session=s1"
    assert jar.header("http://op/auth/abc") == "_resume=r1; _session=s1"
    assert jar.header("http://other/") is None
    jar.store("http://op/", "_session=; path=/; max-age=0")
    assert jar.header("http://op/token") is None


# -- JWS verification -----------------------------------------------------------------------


def _keyset(key: RSAKey) -> KeySet:
    public = dict(key.as_dict(private=False), kid="k1")
    return KeySet("http://op/jwks", (), (RSAKey.import_key(public),), (public,))


def test_a_token_signed_by_a_jwks_key_verifies() -> None:
    key = RSAKey.generate_key(2048, private=True)
    token = jwt.encode({"alg": "PS256", "kid": "k1"}, {"sub": "x"}, key, algorithms=["PS256"])
    assert verify_jws(token, _keyset(key)).claims == {"sub": "x"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("none", "unsigned"),
        ("hs256", "shared secret"),
        ("other-kid", "no key with kid"),
        ("other-key", "does not verify"),
    ],
)
def test_what_is_not_the_provider_s_signature_says_why(make: str, message: str) -> None:
    key = RSAKey.generate_key(2048, private=True)
    other = RSAKey.generate_key(2048, private=True)
    if make == "none":
        token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
    elif make == "hs256":
        token = jwt.encode({"alg": "HS256"}, {"sub": "x"}, OctKey.generate_key(256))
    else:
        kid = "k2" if make == "other-kid" else "k1"
        token = jwt.encode({"alg": "RS256", "kid": kid}, {"sub": "x"}, other, algorithms=["RS256"])
    with pytest.raises(JwtProblem, match=message):
        verify_jws(token, _keyset(key))


# -- client authentication at the token endpoint ---------------------------------------------


@pytest.mark.parametrize(
    "method", ["private_key_jwt", "client_secret_basic", "client_secret_post", "unauthenticated"]
)
def test_token_requests_authenticate_as_configured(
    method: str, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.parse import parse_qsl

    from cgtest.servers import LocalServer, Reply

    from cgconform.run.context import build_context
    from cgconform.suites.identity.harness.oidc_client import TokenClient

    monkeypatch.setenv("CG_TEST_SECRET", "s3cr3t:+/")
    changes: dict[str, Any] = {}
    if method.startswith("client_secret"):
        changes = {"client_key": None, "client_secret": "env:CG_TEST_SECRET", "client_auth": method}
    answer = json.dumps({"access_token": "at-123", "token_type": "Bearer"}).encode()
    with LocalServer() as server:
        server.route("/token", lambda _: Reply(200, {"Content-Type": "application/json"}, answer))
        target = _target(_table(key_file, **changes))
        context = build_context(target, [])
        settings = load_oidc_settings(target)
        assert settings.client is not None
        client = TokenClient(context.http, settings.client, server.url("/token"), context.redactor)
        response = client.redeem(
            "the-code",
            code_verifier="v" * 43,
            redirect_uri=settings.client.redirect_uri,
            authenticate=method != "unauthenticated",
        )
        assert response.ok and response.token("access_token") == "at-123"
        (received,) = server.received
    form = dict(parse_qsl(received.body.decode()))
    assert form["grant_type"] == "authorization_code" and form["code"] == "the-code"
    assert form["code_verifier"] == "v" * 43
    basic = received.header("Authorization")
    if method == "private_key_jwt":
        assert form["client_assertion_type"].endswith("jwt-bearer")
        public = load_client_key(key_file).public_jwks()["keys"][0]
        token = jwt.decode(
            form["client_assertion"], RSAKey.import_key(public), algorithms=["PS256"]
        )
        assert token.claims["iss"] == token.claims["sub"] == "cg-conformance"
        assert token.claims["aud"] == server.url("/token")
        assert token.claims["exp"] - token.claims["iat"] == 60 and token.claims["jti"]
    elif method == "client_secret_basic":
        import base64

        assert basic is not None and basic.startswith("Basic ")
        pair = base64.b64decode(basic.split()[1]).decode()
        assert pair == "cg-conformance:s3cr3t%3A%2B%2F"  # RFC 6749 §2.3.1: form-encoded first
        assert "client_secret" not in form
    elif method == "client_secret_post":
        assert form["client_secret"] == "s3cr3t:+/" and basic is None
    else:
        assert set(form) == {"grant_type", "code", "redirect_uri", "code_verifier", "client_id"}
        assert basic is None
    # what the evidence keeps: no secret, no assertion, no token
    shown = json.dumps([e.to_evidence() for e in context.journal.for_check(None)])
    for secret in ("s3cr3t", "at-123", form.get("client_assertion", "no-assertion")):
        assert secret not in shown


# -- hostile or unexpected login pages -------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("loop", "did not reach the redirect_uri within 30"),
        ("script", "javascript:alert(1)"),
        ("scripted-page", "without a form to continue with"),
        ("moved", "without a Location"),
    ],
)
def test_a_login_that_cannot_go_on_says_why(route: str, message: str) -> None:
    from cgtest.servers import LocalServer, Reply

    from cgconform.run.context import build_context
    from cgconform.suites.identity.harness.oidc_login import LoginDriver, LoginProblem

    html = b"<html><body><script>document.forms[0].submit()</script></body></html>"
    routes = {
        "loop": Reply(302, {"Location": "/loop"}),
        "script": Reply(302, {"Location": "javascript:alert(1)"}),
        "scripted-page": Reply(200, {"Content-Type": "text/html"}, html),
        "moved": Reply(302),
    }
    with LocalServer() as server:
        server.route(f"/{route}", lambda _: routes[route])
        context = build_context(parse_target({"budget": {"rate_limit": 0}}), [])
        driver = LoginDriver(
            http=context.http,
            redactor=context.redactor,
            steps=(LoginStep(1, fill={"login": "x"}),),
            client_origin="http://127.0.0.1:1",
            deliver=lambda method, url, form: None,
        )
        with pytest.raises(LoginProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
            driver.authorize(server.url(f"/{route}"))


# -- subjects that are public sectoral identifiers -------------------------------------------


@pytest.mark.parametrize(
    ("sub", "bsn_shaped"),
    [
        ("999993653", True),
        ("s00000000:999993653", True),
        ("urn:nl-eid-gdi:1.0:id:BSN:999993653", True),
        ("999993654", False),  # fails the eleven-test
        ("9f999993653a0c", False),  # digits inside a hex string turn up by chance
        ("0999993653", False),  # ten digits
    ],
)
def test_a_bsn_is_recognised_alone_or_set_off_by_separators(sub: str, bsn_shaped: bool) -> None:
    from cgconform.http.redaction import is_bsn
    from cgconform.suites.identity.oidc.subjects import _NINE_DIGITS

    assert any(is_bsn(run) for run in _NINE_DIGITS.findall(sub)) is bsn_shaped


def test_random_pairwise_subjects_never_look_like_a_bsn() -> None:
    import hashlib
    import secrets

    from cgconform.http.redaction import is_bsn
    from cgconform.suites.identity.oidc.subjects import _NINE_DIGITS

    for _ in range(5000):
        for sub in (hashlib.sha256(secrets.token_bytes(8)).hexdigest(), secrets.token_urlsafe(32)):
            assert not any(is_bsn(run) for run in _NINE_DIGITS.findall(sub)), sub


def test_a_form_post_response_is_carried_to_the_redirect_uri() -> None:
    from cgtest.servers import LocalServer, Reply

    from cgconform.run.context import build_context
    from cgconform.suites.identity.harness.oidc_login import LoginDriver

    page = (
        b'<html><body onload="document.forms[0].submit()">'
        b'<form method="post" action="http://127.0.0.1:9/callback">'
        b'<input type="hidden" name="code" value="abc"><input type="hidden" name="state" '
        b'value="s1"></form></body></html>'
    )
    delivered: list[tuple[str, str, list[tuple[str, str]] | None]] = []
    with LocalServer() as server:
        server.route("/auth", lambda _: Reply(200, {"Content-Type": "text/html"}, page))
        context = build_context(parse_target({"budget": {"rate_limit": 0}}), [])
        driver = LoginDriver(
            http=context.http,
            redactor=context.redactor,
            steps=(),
            client_origin="http://127.0.0.1:9",
            deliver=lambda method, url, form: delivered.append((method, url, form)),
        )
        outcome = driver.authorize(server.url("/auth"))
    assert outcome.code == "abc" and outcome.params["state"] == "s1"
    assert outcome.delivered_to == "http://127.0.0.1:9/callback"
    assert delivered == [
        ("POST", "http://127.0.0.1:9/callback", [("code", "abc"), ("state", "s1")])
    ]
