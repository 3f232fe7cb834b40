"""Redaction: no secret and no BSN survives into evidence (DESIGN.md §6)."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from cgtest.servers import LocalServer, Received, Reply
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cgconform.http.budget import Budget, RateLimiter
from cgconform.http.client import HttpClient
from cgconform.http.redaction import BSN_MASK, MASK, Redactor, is_bsn, secret_forms

PLACEHOLDER = "${API_TOKEN}"

# -- is_bsn -------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["999993653", "111222333", "123456782", "012345672"])
def test_valid_bsns(number: str) -> None:
    assert is_bsn(number)


@pytest.mark.parametrize(
    "number",
    ["123456789", "987654321", "999993654", "000000000", "99999365", "9999936530", "99999365a", ""],
)
def test_not_bsns(number: str) -> None:
    assert not is_bsn(number)


def test_only_bsn_shaped_numbers_are_masked() -> None:
    redactor = Redactor()
    assert redactor.text("bsn 999993653.") == f"bsn {BSN_MASK}."
    assert redactor.text('{"bsn":"111222333"}') == f'{{"bsn":"{BSN_MASK}"}}'
    assert redactor.text("id999993653x") == f"id{BSN_MASK}x"
    assert redactor.text("q=%20999993653") == f"q=%20{BSN_MASK}"  # after a percent-escape
    # Nine digits failing the eleven-test, and longer numbers, stay as they are.
    for untouched in ["123456789", "987654321", "1999993653", "9999936531", "tel 0612345678"]:
        assert redactor.text(untouched) == untouched


# -- secrets ------------------------------------------------------------------------------


def test_secrets_are_replaced_longest_first() -> None:
    redactor = Redactor({"abcdefgh": "${SHORT}", "abcdefghij": "${LONG}"})
    assert redactor.text("x abcdefghij y abcdefgh z") == "x ${LONG} y ${SHORT} z"


def test_encoded_forms_of_secrets_are_replaced() -> None:
    secret = 'p@ss w/rd"&x'
    redactor = Redactor({secret: "${PW}"})
    for form in (secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]):
        assert redactor.text(f"<{form}>") == "<${PW}>", form
    assert redactor.text(quote(secret, safe="").lower()) == "${PW}"  # lower-case hex too
    assert secret_forms(secret) >= {secret, quote(secret, safe=""), quote_plus(secret, safe="")}


def test_a_placeholder_never_reveals_its_secret() -> None:
    redactor = Redactor({"API_TOKEN": "${API_TOKEN}"})
    assert redactor.text("x API_TOKEN y") == f"x {MASK} y"


def test_secrets_learnt_during_the_run() -> None:
    redactor = Redactor()
    redactor.add_secret("eyJhbGciOiJSUzI1NiJ9.access", "${ACCESS_TOKEN}")
    assert redactor.text("got eyJhbGciOiJSUzI1NiJ9.access") == "got ${ACCESS_TOKEN}"
    assert redactor.contains_secret("a eyJhbGciOiJSUzI1NiJ9.access")
    assert not redactor.contains_secret("nothing here")


def test_secret_named_values_are_masked() -> None:
    redactor = Redactor()
    assert (
        redactor.text("/cb?code=abc&state=1&Access-Token=x&api_key=k")
        == f"/cb?code={MASK}&state=1&Access-Token={MASK}&api_key={MASK}"
    )
    assert (
        redactor.text('{"password": "hunter2", "client_secret":"a\\"b", "naam": "Jan"}')
        == f'{{"password": "{MASK}", "client_secret":"{MASK}", "naam": "Jan"}}'
    )
    assert redactor.text('{"pin": 1234, "code": 42}') == f'{{"pin": 1234, "code": {MASK}}}'
    # Names that merely contain a secret-looking word are left alone.
    assert redactor.text("tokenizer=x&monkey=y") == "tokenizer=x&monkey=y"


def test_private_keys_are_masked() -> None:
    redactor = Redactor()
    pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----"
    assert (
        redactor.text(f"key: {pem} done")
        == f"key: -----BEGIN EC PRIVATE KEY-----{MASK}-----END EC PRIVATE KEY----- done"
    )
    cut_off = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"
    assert "MIIE" not in redactor.text(cut_off)
    public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----"
    assert redactor.text(public) == public


def test_a_cut_text_loses_a_trailing_partial_secret_or_number() -> None:
    redactor = Redactor({"s3cr3t-token": PLACEHOLDER})
    for i in range(1, len("s3cr3t-token")):
        assert redactor.text("abc s3cr3t-token"[: 4 + i], cut=True) == "abc "
    for i in range(1, 9):
        assert redactor.text("bsn " + "999993653"[:i], cut=True) == "bsn "
    assert redactor.text("a%2", cut=True) == "a"
    assert redactor.text("abc s3cr3t-to") == "abc s3cr3t-to"  # not cut: nothing to trim


# -- headers, URLs, values ----------------------------------------------------------------


def test_sensitive_headers_are_masked() -> None:
    redactor = Redactor({"s3cr3t-token": PLACEHOLDER}, sensitive_headers=["X-Gemeente-Key"])
    shown = redactor.headers(
        {
            "authorization": "Bearer s3cr3t-token",
            "Proxy-Authorization": "Basic dXNlcjpwYXNzd29yZA==",
            "Cookie": "session=abc; theme=dark",
            "Set-Cookie": "session=abc",
            "X-API-Key": "unknown-key",
            "FSC-Authorization": "Bearer unknown.jwt.value",
            "X-Gemeente-Key": "k",
            "Location": "/cb?code=abc",
            "X-Request-Id": "999993653",
            "Content-Type": "application/json",
        }
    )
    assert shown == {
        "authorization": f"Bearer {PLACEHOLDER}",
        "Proxy-Authorization": f"Basic {MASK}",
        "Cookie": MASK,
        "Set-Cookie": MASK,
        "X-API-Key": MASK,
        "FSC-Authorization": f"Bearer {MASK}",
        "X-Gemeente-Key": MASK,
        "Location": f"/cb?code={MASK}",
        "X-Request-Id": BSN_MASK,
        "Content-Type": "application/json",
    }


def test_urls_are_redacted_also_where_percent_encoded() -> None:
    redactor = Redactor({"s3cr3t-token": PLACEHOLDER})
    assert (
        redactor.url(
            "https://user:pw@api.example/a/s3cr3t%2Dtoken/%39%39%39%39%39%33%36%35%33"
            "?apikey=zzz&q=s3cr3t-token&page=2#s3cr3t-token"
        )
        == f"https://user:{MASK}@api.example/a/{PLACEHOLDER}/{BSN_MASK}"
        f"?apikey={MASK}&q={PLACEHOLDER}&page=2#{PLACEHOLDER}"
    )
    assert redactor.url("https://api.example/v1/?token=s3cr3t-token") == (
        f"https://api.example/v1/?token={PLACEHOLDER}"
    )
    plain = "https://api.example/v1/percelen?pagina=2&sorteer=-datum"
    assert redactor.url(plain) == plain


def test_json_values_are_redacted_recursively() -> None:
    redactor = Redactor({"s3cr3t-token": PLACEHOLDER})
    value: Any = {
        "token": "abc",
        "key": "s3cr3t-token",
        "password": None,
        "nested": [{"bsn": 999993653}, "s3cr3t-token", ("111222333", 123456789), True],
        "999993653": "key is a BSN",
    }
    assert redactor.value(value) == {
        "token": MASK,
        "key": PLACEHOLDER,
        "password": None,
        "nested": [{"bsn": BSN_MASK}, PLACEHOLDER, [BSN_MASK, 123456789], True],
        BSN_MASK: "key is a BSN",
    }


# -- properties ---------------------------------------------------------------------------

SECRET_CHARS = string.ascii_letters + string.digits + string.punctuation
secrets = st.text(alphabet=SECRET_CHARS, min_size=8, max_size=40)
# Texts a masked value is shown as: a secret hidden inside one of them cannot be told apart.
MARKERS = (PLACEHOLDER, f"Bearer {PLACEHOLDER}", f'"{MASK}"', f"={MASK}&", BSN_MASK)


@st.composite
def bsns(draw: st.DrawFn) -> str:
    """Valid BSNs: eight digits and the check digit that passes the eleven-test."""
    digits = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    check = sum(d * (9 - i) for i, d in enumerate(digits)) % 11
    assume(check != 10 and any(digits))
    number = "".join(map(str, digits)) + str(check)
    assert is_bsn(number)
    return number


def usable(secret: str) -> bool:
    return not any(secret in marker for marker in MARKERS)


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON-able structure, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assert_hidden(secret: str, bsn: str, texts: list[str]) -> None:
    encoded = {quote(secret, safe=""), quote_plus(secret), quote(secret)}
    forms = {secret, json.dumps(secret)[1:-1], *encoded, *(f.lower() for f in encoded)}
    for text in texts:
        for form in forms:
            assert form not in text, f"secret form {form!r} survived in {text!r}"
        assert bsn not in text, f"BSN {bsn} survived in {text!r}"


@settings(max_examples=50)
@given(
    secret=secrets,
    bsn=bsns(),
    before=st.text(alphabet=SECRET_CHARS + " \n", max_size=30),
    after=st.text(alphabet=SECRET_CHARS + " \n", max_size=30),
    encode=st.sampled_from([str, lambda s: quote(s, safe=""), quote_plus, json.dumps]),
)
def test_text_never_lets_a_secret_or_bsn_through(
    secret: str, bsn: str, before: str, after: str, encode: Any
) -> None:
    assume(usable(secret))
    redactor = Redactor({secret: PLACEHOLDER})
    shown = redactor.text(f"{before}{encode(secret)}{after} bsn={bsn} {{'bsn': '{bsn}'}} {bsn}")
    assert_hidden(secret, bsn, [shown])


@pytest.fixture(scope="module")
def echo_server() -> Iterator[LocalServer]:
    """A server that echoes everything it received, in its body and its headers."""

    def echo(req: Received) -> Reply:
        body = json.dumps(
            {
                "target": req.target,
                "query": dict(req.query),
                "headers": dict(req.headers),
                "body": req.body.decode("utf-8", errors="replace"),
            }
        ).encode()
        headers = [("Content-Type", "application/json"), ("X-Echo-Target", req.target)]
        headers += [(f"X-Echo-{name}", value) for name, value in req.headers]
        headers += [("Set-Cookie", f"echo={req.target}"), ("Location", req.target)]
        return Reply(200, headers, body)

    with LocalServer(default=echo) as server:
        yield server


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=secrets, bsn=bsns())
def test_no_secret_or_bsn_survives_an_echoing_server(
    echo_server: LocalServer, secret: str, bsn: str
) -> None:
    assume(usable(secret))
    client = HttpClient(
        budget=Budget(None),
        rate_limiter=RateLimiter(None),
        redactor=Redactor({secret: PLACEHOLDER}),
        timeout_s=5.0,
        default_headers={"Authorization": f"Bearer {secret}", "X-Api-Key": secret},
    )
    with client:
        exchanges = [
            client.get(
                echo_server.url(f"/zaken/{bsn}"),
                params={"q": secret, "bsn": bsn, "token": secret},
                headers={"X-Echo": secret, "X-Bsn": bsn},
            ),
            client.post(
                echo_server.url("/token"),
                json={"client_secret": secret, "note": secret, "bsn": bsn, "nr": int(bsn)},
            ),
            client.post(echo_server.url("/form"), data={"password": secret, "burger": bsn}),
        ]
    for exchange in exchanges:
        # The raw response does carry them: the test exercises the redaction.
        assert json.dumps(secret)[1:-1] in exchange.text and bsn in exchange.text
        evidence = exchange.to_evidence()
        dumped = json.dumps(evidence)
        assert secret not in dumped and bsn not in dumped
        assert_hidden(secret, bsn, [*strings(evidence), exchange.reproduce])
        assert PLACEHOLDER in exchange.reproduce


def test_error_codes_stay_readable_but_codes_that_look_secret_do_not() -> None:
    """FSC and OAuth error bodies carry `"code": "ERROR_CODE_..."`: a constant, not a
    credential; an OAuth authorization code (random) is still masked."""
    redactor = Redactor({})
    text = '{"code": "ERROR_CODE_ACCESS_TOKEN_MISSING", "message": "no token"} code=Zx81kQ_9'
    shown = redactor.text(text)
    assert "ERROR_CODE_ACCESS_TOKEN_MISSING" in shown
    assert "Zx81kQ_9" not in shown
    assert redactor.value({"code": "TRANSACTION_LOG_WRITE_ERROR"}) == {
        "code": "TRANSACTION_LOG_WRITE_ERROR"
    }
    assert redactor.value({"code": "s3cr3t-code"}) == {"code": MASK}
