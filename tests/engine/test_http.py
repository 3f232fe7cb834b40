"""The HTTP layer: budget, rate limit, deadline, size cap, redirects, errors, evidence."""

from __future__ import annotations

import gzip
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cgtest.servers import LocalServer, Received, Reply, unused_port_url

from cgconform.fixtures.tls import TlsFiles, make_tls_files
from cgconform.http.budget import Budget, RateLimiter
from cgconform.http.client import HttpClient
from cgconform.http.evidence import TRUNCATED_MARK, Exchange, RecordedRequest, curl_command, excerpt
from cgconform.http.journal import Journal
from cgconform.http.redaction import Redactor
from cgconform.model.outcomes import BudgetExhausted, Inconclusive, NotTested, TargetUnreachable

TOKEN = "s3cr3t-token-value"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        srv.route("/ok", lambda req: Reply(200, {"Content-Type": "application/json"}, b'{"a": 1}'))
        yield srv


def make_client(**overrides: Any) -> HttpClient:
    options: dict[str, Any] = {
        "budget": Budget(None),
        "rate_limiter": RateLimiter(None),
        "redactor": Redactor({TOKEN: "${API_TOKEN}"}),
        "timeout_s": 5.0,
        "default_headers": {"Authorization": f"Bearer {TOKEN}"},
    }
    options.update(overrides)
    return HttpClient(**options)


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with make_client(journal=Journal()) as c:
        yield c


# -- the exchange -------------------------------------------------------------------------


def test_exchange_gives_raw_response_and_redacted_evidence(
    server: LocalServer, client: HttpClient
) -> None:
    exchange = client.get(server.url("/ok"), params={"q": "x"})

    assert exchange.status == 200
    assert exchange.headers["content-type"] == "application/json"  # case-insensitive
    assert exchange.json() == {"a": 1}
    assert exchange.text == '{"a": 1}'
    assert exchange.body == b'{"a": 1}'
    assert not exchange.truncated
    assert 0 < exchange.elapsed_s < 5

    evidence = exchange.to_evidence()
    assert list(evidence) == ["request", "response", "reproduce"]
    assert set(evidence["request"]) == {"method", "url", "headers"}
    assert evidence["request"]["method"] == "GET"
    assert evidence["request"]["url"] == server.url("/ok?q=x")
    assert evidence["request"]["headers"]["Authorization"] == "Bearer ${API_TOKEN}"
    assert set(evidence["response"]) == {"status", "headers", "body_excerpt", "elapsed_s"}
    assert evidence["response"]["status"] == 200
    assert evidence["response"]["body_excerpt"] == '{"a": 1}'
    assert TOKEN not in json.dumps(evidence)
    assert server.received[0].header("Authorization") == f"Bearer {TOKEN}"
    assert (server.received[0].header("User-Agent") or "").startswith("cgconform/")


def test_every_method_has_a_shortcut(server: LocalServer, client: HttpClient) -> None:
    url = server.url("/ok")
    for send in (client.get, client.head, client.options, client.post, client.put):
        send(url)
    client.patch(url, data=b"raw")
    client.delete(url, params=[("a", "1"), ("a", "2")])
    assert [r.method for r in server.received] == [
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
    ]
    assert server.received[5].body == b"raw"
    assert server.received[6].target == "/ok?a=1&a=2"
    head = client.head(url)
    assert head.status == 200 and head.body == b""
    assert head.reproduce.startswith("curl -sS -I ")


def test_the_raw_response_stays_out_of_reprs(server: LocalServer, client: HttpClient) -> None:
    server.route("/secret", lambda req: Reply(200, {}, f"bsn 999993653 {TOKEN}".encode()))
    exchange = client.get(server.url("/secret"))
    assert TOKEN in exchange.text
    assert TOKEN not in repr(exchange) and "999993653" not in repr(exchange)


def test_reproduce_is_a_redacted_curl_line(tmp_path: Path, server: LocalServer) -> None:
    cert, key, ca = tmp_path / "client.pem", tmp_path / "client.key", tmp_path / "ca.pem"
    for path in (cert, key, ca):
        path.write_text("not used for http://")
    with make_client(client_cert=(str(cert), str(key)), verify=str(ca)) as client:
        exchange = client.post(server.url("/ok"), json={"naam": "Jan"})

    line = exchange.reproduce
    assert line.startswith("curl ")
    assert "-X POST" in line
    assert "-H 'Authorization: Bearer ${API_TOKEN}'" in line
    assert "-H 'Content-Type: application/json'" in line
    assert f"--cert {cert} --key {key}" in line
    assert f"--cacert {ca}" in line
    assert """--data-binary '{"naam": "Jan"}'""" in line
    assert line.endswith(f"'{server.url('/ok')}'") or line.endswith(server.url("/ok"))
    assert TOKEN not in line
    assert exchange.to_evidence()["request"]["body_excerpt"] == '{"naam": "Jan"}'


def test_curl_line_quotes_and_marks_long_bodies() -> None:
    request = RecordedRequest("HEAD", "https://x.example/a?b=${KEY}", {"Accept": "*/*"})
    line = curl_command(request, verify=False)
    assert line.startswith("curl -sS -I -k ")
    assert "-g" in line.split()  # braces in the URL are not a curl glob
    post = RecordedRequest("POST", "https://x.example/", {}, "@not-a-file")
    assert "--data-raw @not-a-file" in curl_command(post, body="@not-a-file")
    assert "too long" in curl_command(post, body="x" * 10, body_complete=False)


def test_json_of_a_non_json_body_is_a_clear_value_error(
    server: LocalServer, client: HttpClient
) -> None:
    server.route("/html", lambda req: Reply(200, {"Content-Type": "text/html"}, b"<p>hoi</p>"))
    exchange = client.get(server.url("/html"))
    with pytest.raises(ValueError, match=r"GET http://127\.0\.0\.1:\d+/html: .*not JSON"):
        exchange.json()


def test_authenticated_false_sends_no_credentials(server: LocalServer) -> None:
    with make_client(
        default_headers={
            "Authorization": f"Bearer {TOKEN}",
            "X-Custom-Key": TOKEN,  # not a sensitive name, but a known secret
            "Accept-Language": "nl",
        }
    ) as client:
        client.get(server.url("/ok"), authenticated=False)
        client.get(server.url("/ok"))
    anonymous, authenticated = server.received
    assert anonymous.header("Authorization") is None
    assert anonymous.header("X-Custom-Key") is None
    assert anonymous.header("Accept-Language") == "nl"
    assert authenticated.header("Authorization") == f"Bearer {TOKEN}"


def test_a_header_given_as_none_is_not_sent(server: LocalServer, client: HttpClient) -> None:
    client.get(server.url("/ok"), headers={"authorization": None, "X-Extra": "1"})
    assert server.received[0].header("Authorization") is None
    assert server.received[0].header("X-Extra") == "1"


def test_cookies_from_the_target_are_not_sent_back(server: LocalServer, client: HttpClient) -> None:
    server.route("/login", lambda req: Reply(200, {"Set-Cookie": "session=abc; Path=/"}))
    exchange = client.get(server.url("/login"))
    client.get(server.url("/ok"))
    assert server.received[1].header("Cookie") is None
    assert exchange.to_evidence()["response"]["headers"]["Set-Cookie"] == "[REDACTED]"


# -- budget -------------------------------------------------------------------------------


def test_budget_is_never_exceeded(server: LocalServer) -> None:
    budget = Budget(5)
    refused = 0
    with make_client(budget=budget) as client:
        for _ in range(8):
            try:
                client.get(server.url("/ok"))
            except BudgetExhausted as exc:
                refused += 1
                assert "budget of 5 requests" in exc.message
                assert "not sent" in exc.message
                assert server.url("/ok") in exc.message
                assert isinstance(exc, NotTested)
    assert len(server.received) == 5
    assert refused == 3
    assert (budget.sent, budget.refused) == (5, 3)
    assert budget.as_dict() == {"max_requests": 5, "requests_sent": 5}


def test_budget_is_thread_safe() -> None:
    budget = Budget(20)
    start = threading.Barrier(16)
    granted: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        start.wait()
        for _ in range(10):
            try:
                budget.reserve()
            except BudgetExhausted:
                continue
            with lock:
                granted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == budget.sent == 20
    assert budget.refused == 16 * 10 - 20


def test_budget_holds_for_concurrent_requests(server: LocalServer) -> None:
    budget = Budget(10)
    errors: list[BaseException] = []
    with make_client(budget=budget) as client:

        def worker() -> None:
            for _ in range(3):
                try:
                    client.get(server.url("/ok"))
                except BudgetExhausted:
                    pass
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert len(server.received) == 10
    assert budget.refused == 8 * 3 - 10


def test_unlimited_budget() -> None:
    budget = Budget(None)
    for _ in range(100):
        budget.reserve()
    assert budget.as_dict() == {"max_requests": None, "requests_sent": 100}


# -- rate limit ---------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_requests_with_a_fake_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(5):
        limiter.wait()
        starts.append(clock.now)
    assert starts == pytest.approx([1000.0, 1000.25, 1000.5, 1000.75, 1001.0])
    clock.now += 10  # idle time is not saved up for a burst
    limiter.wait()
    limiter.wait()
    assert clock.now - starts[-1] == pytest.approx(10.25)


def test_no_rate_limit_never_sleeps() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.wait()
    assert clock.sleeps == []


def test_rate_limiter_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_rate_limit_against_a_server(server: LocalServer) -> None:
    n, rps = 6, 20.0
    with make_client(rate_limiter=RateLimiter(rps)) as client:
        started = time.monotonic()
        for _ in range(n):
            client.get(server.url("/ok"))
        took = time.monotonic() - started
    assert took >= (n - 1) / rps
    assert len(server.received) == n


def test_rate_limit_holds_across_threads(server: LocalServer) -> None:
    clock_starts: list[float] = []
    lock = threading.Lock()
    rps = 25.0
    limiter = RateLimiter(rps)

    def worker() -> None:
        for _ in range(3):
            limiter.wait()
            with lock:
                clock_starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    clock_starts.sort()
    gaps = [b - a for a, b in itertools.pairwise(clock_starts)]
    assert clock_starts[-1] - clock_starts[0] >= 11 / rps
    assert min(gaps) >= 1 / rps - 0.005  # the recorded time is taken just after wait()


# -- size cap and deadline ----------------------------------------------------------------


def test_response_size_cap_truncates(server: LocalServer) -> None:
    server.route("/big", lambda req: Reply(200, {"Content-Type": "text/plain"}, b"x" * 10_000))
    server.route("/exact", lambda req: Reply(200, {"Content-Type": "text/plain"}, b"y" * 1000))
    with make_client(max_response_bytes=1000) as client:
        big = client.get(server.url("/big"))
        exact = client.get(server.url("/exact"))
        after = client.get(server.url("/ok"))  # the connection pool is still fine
    assert big.truncated and len(big.body) == 1000
    assert big.to_evidence()["response"]["body_excerpt"] == "x" * 1000 + TRUNCATED_MARK
    assert not exact.truncated and exact.body == b"y" * 1000
    assert after.json() == {"a": 1}
    with pytest.raises(ValueError, match="it was cut, so it was not judged"):
        big.json()


def test_size_cap_applies_to_the_decoded_body(server: LocalServer) -> None:
    zipped = gzip.compress(b"0" * 1_000_000)
    server.route("/zip", lambda req: Reply(200, {"Content-Encoding": "gzip"}, zipped))
    with make_client(max_response_bytes=5000) as client:
        exchange = client.get(server.url("/zip"))
    assert exchange.truncated
    assert exchange.body == b"0" * 5000


def test_a_dribbling_body_is_bounded_by_the_deadline(server: LocalServer) -> None:
    server.route(
        "/slow",
        lambda req: Reply(200, {"Content-Length": "100"}, (b"x" for _ in range(100)), delay_s=0.1),
    )
    with make_client(timeout_s=1.0, journal=Journal()) as client:
        started = time.monotonic()
        with pytest.raises(TargetUnreachable) as caught:
            client.get(server.url("/slow"))
        took = time.monotonic() - started
    assert took < 2.5
    message = caught.value.message
    assert "deadline" in message and server.url("/slow") in message
    assert "\n" not in message
    evidence = caught.value.evidence[0]
    assert evidence["request"]["url"] == server.url("/slow")
    assert evidence["response"]["status"] == 200
    assert evidence["error"] == message


def test_dribbled_headers_are_bounded_by_the_deadline(server: LocalServer) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
    server.route("/slow-head", lambda req: Reply(raw=(bytes([b]) for b in head), delay_s=0.1))
    with make_client(timeout_s=1.0) as client:
        started = time.monotonic()
        with pytest.raises(TargetUnreachable, match="deadline"):
            client.get(server.url("/slow-head"))
        assert time.monotonic() - started < 2.5


def test_a_silent_server_times_out(server: LocalServer) -> None:
    server.route("/silent", lambda req: Reply(raw=[b"HTTP/1.1 200 OK\r\n"], delay_s=3))
    with make_client(timeout_s=0.5) as client:
        started = time.monotonic()
        with pytest.raises(TargetUnreachable):
            client.get(server.url("/silent"))
        assert time.monotonic() - started < 2


# -- network errors and redirects ---------------------------------------------------------


def test_connection_refused_is_target_unreachable() -> None:
    url = unused_port_url("/v1/things")
    journal = Journal()
    with (
        make_client(journal=journal) as client,
        journal.check("test_refused"),
        pytest.raises(TargetUnreachable) as caught,
    ):
        client.get(url, params={"token": "abc"})
    exc = caught.value
    assert isinstance(exc, Inconclusive)
    assert exc.message == f"GET {url}?token=[REDACTED]: connection refused"
    assert exc.evidence[0]["request"]["method"] == "GET"
    assert "response" not in exc.evidence[0]
    assert exc.evidence[0]["error"] == exc.message
    assert exc.evidence[0]["reproduce"].startswith("curl ")
    recorded = journal.for_check("test_refused")
    assert len(recorded) == 1 and recorded[0].error == exc.message
    with pytest.raises(RuntimeError, match="no response"):
        recorded[0].status  # noqa: B018


def test_unresolvable_host_is_target_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # no real DNS query in tests
    with make_client(timeout_s=2.0) as client, pytest.raises(TargetUnreachable) as caught:
        client.get("http://does-not-exist.invalid/")
    assert caught.value.message == (
        "GET http://does-not-exist.invalid/: the host name could not be resolved"
    )


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    pytest.importorskip("cryptography")
    return make_tls_files(tmp_path_factory.mktemp("tls"))


def _ok(req: Received) -> Reply:
    return Reply(200, {"Content-Type": "text/plain"}, b"ok")


def test_an_untrusted_certificate_is_target_unreachable(tls_files: TlsFiles) -> None:
    with LocalServer(tls=tls_files.server_context(), default=_ok) as server:
        with make_client() as client, pytest.raises(TargetUnreachable) as caught:
            client.get(server.url("/ok"))
        assert server.received == []
    assert caught.value.message.startswith(f"GET {server.url('/ok')}: TLS certificate")
    assert "\n" not in caught.value.message


def test_mutual_tls(tls_files: TlsFiles) -> None:
    context = tls_files.server_context(require_client_cert=True)
    cert = (str(tls_files.client_cert), str(tls_files.client_key))
    with LocalServer(tls=context, default=_ok) as server:
        with make_client(verify=str(tls_files.ca), client_cert=cert) as client:
            exchange = client.get(server.url("/ok"))
        assert exchange.text == "ok"
        assert f"--cert {cert[0]} --key {cert[1]}" in exchange.reproduce
        assert f"--cacert {tls_files.ca}" in exchange.reproduce

        with (
            make_client(verify=str(tls_files.ca)) as client,
            pytest.raises(TargetUnreachable) as caught,
        ):
            client.get(server.url("/ok"))
        assert caught.value.message.startswith(f"GET {server.url('/ok')}: TLS error")
        assert len(server.received) == 1


def test_tls_to_a_plain_http_server(server: LocalServer) -> None:
    with make_client() as client, pytest.raises(TargetUnreachable) as caught:
        client.get(server.url("/ok").replace("http://", "https://"))
    assert caught.value.message.endswith("TLS error: the server does not speak TLS (plain HTTP?)")


def test_the_deadline_holds_over_tls(tls_files: TlsFiles) -> None:
    def slow(req: Received) -> Reply:
        return Reply(200, {"Content-Length": "50"}, (b"x" for _ in range(50)), delay_s=0.1)

    with (
        LocalServer(tls=tls_files.server_context(), default=slow) as server,
        make_client(timeout_s=1.0, verify=str(tls_files.ca)) as client,
    ):
        started = time.monotonic()
        with pytest.raises(TargetUnreachable, match="deadline"):
            client.get(server.url("/slow"))
        assert time.monotonic() - started < 2.5


def test_redirects_are_not_followed_unless_asked(server: LocalServer) -> None:
    server.route("/old", lambda req: Reply(302, {"Location": "/ok"}, b"moved"))
    budget = Budget(None)
    with make_client(budget=budget) as client:
        exchange = client.get(server.url("/old"))
        assert exchange.status == 302
        assert exchange.text == "moved"
        assert [r.path for r in server.received] == ["/old"]

        followed = client.get(server.url("/old"), allow_redirects=True)
    assert followed.status == 200 and followed.json() == {"a": 1}
    assert [r.path for r in server.received] == ["/old", "/old", "/ok"]
    assert budget.sent == 3  # every hop is a request


def test_followed_redirects_respect_the_budget(server: LocalServer) -> None:
    server.route("/loop", lambda req: Reply(302, {"Location": "/loop"}))
    with make_client(budget=Budget(4)) as client, pytest.raises(BudgetExhausted):
        client.get(server.url("/loop"), allow_redirects=True)
    assert len(server.received) == 4


def test_credentials_do_not_follow_a_redirect_to_another_host(server: LocalServer) -> None:
    with LocalServer() as other:
        other.route("/there", lambda req: Reply(200))
        server.route("/away", lambda req: Reply(307, {"Location": other.url("/there")}))
        with make_client() as client:
            client.get(server.url("/away"), allow_redirects=True)
        assert other.received[0].header("Authorization") is None
    assert server.received[0].header("Authorization") == f"Bearer {TOKEN}"


def test_invalid_urls_are_usage_errors_not_target_errors(client: HttpClient) -> None:
    with pytest.raises(Exception) as caught:
        client.get("not a url")
    assert not isinstance(caught.value, TargetUnreachable)


def test_missing_certificate_files_are_refused_up_front(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="client certificate"):
        make_client(client_cert=(str(tmp_path / "nope.pem"), str(tmp_path / "nope.key")))


# -- journal ------------------------------------------------------------------------------


def test_journal_keeps_exchanges_per_check_bounded(server: LocalServer) -> None:
    journal = Journal(max_per_check=3)
    with make_client(journal=journal) as client:
        with journal.check("a"):
            for i in range(5):
                client.get(server.url("/ok"), params={"i": str(i)})
        journal.begin("b")
        client.get(server.url("/ok"))
        journal.end()
        client.get(server.url("/ok"))
    kept = journal.for_check("a")
    assert [e.request.url.rsplit("=", 1)[1] for e in kept] == ["2", "3", "4"]
    assert journal.dropped("a") == 2
    assert len(journal.for_check("b")) == 1
    assert len(journal.for_check(None)) == 1
    assert all(e.raw is None for e in kept)  # raw bodies are not kept in memory
    assert kept[0].to_evidence()["response"]["status"] == 200
    assert len(journal.pop("a")) == 3 and journal.for_check("a") == []


# -- excerpts -----------------------------------------------------------------------------


def test_excerpt_is_printable_bounded_and_marked() -> None:
    redactor = Redactor()
    assert excerpt(b"a\x00b\x1bc\r\nd\te", redactor) == "abc\nd\te"
    assert excerpt("x\u202ey", redactor) == "xy"
    long = excerpt(b"z" * 5000, redactor)
    assert long == "z" * 2000 + TRUNCATED_MARK
    assert excerpt(b"\xff\xfeok", redactor) == "\ufffd\ufffdok"
    assert excerpt(b"cut", redactor, cut=True) == "cut" + TRUNCATED_MARK


def test_exchange_without_response_has_error_evidence() -> None:
    request = RecordedRequest("GET", "https://x.example/", {})
    exchange = Exchange(request, None, "curl https://x.example/", error="connection refused")
    assert exchange.to_evidence() == {
        "request": {"method": "GET", "url": "https://x.example/", "headers": {}},
        "error": "connection refused",
        "reproduce": "curl https://x.example/",
    }
