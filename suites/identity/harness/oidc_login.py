"""The headless login: from the authorization request to the authorization response, through
the provider's own pages, with plain HTTP form handling.

Like a browser without script: follow the provider's redirects (keeping its cookies, which the
run's HTTP client never stores), read each page's HTML forms with the standard library's
``html.parser``, fill and submit them as the login script of ``[[oidc.login]]`` says, until
a redirect (or a form) reaches the relying party's redirect_uri. Where the script does not
match the pages, :class:`LoginProblem` says which step failed and what page was seen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from cgconform.http.client import HttpClient
from cgconform.http.evidence import Exchange
from cgconform.http.redaction import Redactor
from cgconform.model.target import ConfigError, SecretRef
from cgconform.suites.identity.harness.oidc_settings import LoginStep

MAX_HOPS = 30  # redirects and pages of one login
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_SUBMIT_TYPES = frozenset({"submit", "image"})
_SKIPPED_TYPES = frozenset({"file", "reset", "button"})
_OAUTH_ERRORS = (
    "invalid_request", "unauthorized_client", "access_denied", "unsupported_response_type",
    "invalid_scope", "server_error", "temporarily_unavailable", "invalid_redirect_uri",
    "redirect_uri_mismatch", "invalid_client", "login_required", "consent_required",
    "interaction_required", "request_not_supported", "invalid_request_uri",
    "invalid_request_object", "registration_not_supported",
)  # fmt: skip
_META_REFRESH = re.compile(r"^\s*\d+\s*;\s*url\s*=\s*['\"]?([^'\"]+)", re.IGNORECASE)


class LoginProblem(Exception):
    """The login script does not fit the provider's pages (or no script was given)."""

    def __init__(self, message: str, evidence: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.evidence = list(evidence)


# -- pages --------------------------------------------------------------------------------


@dataclass
class Button:
    name: str | None
    value: str
    text: str

    def matches(self, wanted: str) -> bool:
        wanted = wanted.strip().casefold()
        return wanted in {
            (self.name or "").casefold(),
            self.value.strip().casefold(),
            self.text.strip().casefold(),
        }

    def label(self) -> str:
        return self.text.strip() or self.value or self.name or "(unnamed button)"


@dataclass
class Form:
    action: str | None
    method: str
    enctype: str
    id: str | None
    name: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)  # what it submits as it is
    names: list[str] = field(default_factory=list)  # every named field, filled or not
    buttons: list[Button] = field(default_factory=list)

    def describe(self) -> str:
        ident = f"#{self.id}" if self.id else (f"name={self.name}" if self.name else "")
        fields = ", ".join(dict.fromkeys(self.names)) or "no fields"
        buttons = ", ".join(repr(b.label()) for b in self.buttons) or "no buttons"
        return (
            f"form {ident} {self.method.upper()} {self.action or '(this page)'} "
            f"[{fields}; buttons {buttons}]"
        ).replace("  ", " ")

    def signature(self) -> tuple[str | None, tuple[str, ...]]:
        return (self.action, tuple(sorted(set(self.names))))


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.title = ""
        self.refresh: str | None = None
        self.text: list[str] = []
        self._form: Form | None = None
        self._in: str | None = None  # title, textarea, button, option, select
        self._button: Button | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool] | None = None
        self._buffer: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in ("script", "style"):
            self._hidden_depth += 1
        elif tag == "title":
            self._in, self._buffer = "title", []
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            m = _META_REFRESH.match(a.get("content", ""))
            if m:
                self.refresh = m[1].strip()
        elif tag == "form":
            self._form = Form(
                action=a.get("action") or None,
                method=(a.get("method") or "get").lower(),
                enctype=(a.get("enctype") or "application/x-www-form-urlencoded").lower(),
                id=a.get("id") or None,
                name=a.get("name") or None,
            )
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        form = self._form
        assert form is not None
        name = a.get("name") or None
        if "disabled" in a:
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in _SUBMIT_TYPES:
                form.buttons.append(Button(name, a.get("value", ""), a.get("value", "")))
            elif kind in _SKIPPED_TYPES or name is None:
                return
            elif kind in ("checkbox", "radio"):
                form.names.append(name)
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            else:
                form.names.append(name)
                form.fields.append((name, a.get("value", "")))
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            self._in, self._buffer = "button", []
            self._button = Button(name, a.get("value", ""), "") if kind == "submit" else None
        elif tag == "textarea" and name is not None:
            self._in, self._buffer = "textarea", []
            form.names.append(name)
            form.fields.append((name, ""))
        elif tag == "select" and name is not None:
            self._select = (name, [])
            form.names.append(name)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._in, self._buffer = "option", []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag == "title" and self._in == "title":
            self.title, self._in = " ".join("".join(self._buffer).split()), None
        elif tag == "form":
            self._form = None
        elif tag == "button" and self._in == "button":
            if self._button is not None and self._form is not None:
                self._button.text = " ".join("".join(self._buffer).split())
                self._form.buttons.append(self._button)
            self._button, self._in = None, None
        elif tag == "textarea" and self._in == "textarea" and self._form is not None:
            name, _ = self._form.fields[-1]
            self._form.fields[-1] = (name, "".join(self._buffer))
            self._in = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            text = " ".join("".join(self._buffer).split())
            self._select[1].append((value if value is not None else text, selected))
            self._option, self._in = None, None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = next((v for v, s in options if s), options[0][0] if options else None)
            if chosen is not None:
                self._form.fields.append((name, chosen))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._buffer.append(data)
        if not self._hidden_depth and data.strip():
            self.text.append(data.strip())


@dataclass(frozen=True)
class Page:
    """An HTML page of the provider, as far as the login needs it."""

    url: str
    status: int
    title: str
    forms: tuple[Form, ...]
    text: str
    refresh: str | None

    @classmethod
    def parse(cls, url: str, status: int, html: str) -> Page:
        parser = _PageParser()
        try:
            parser.feed(html)
            parser.close()
        except Exception:  # html.parser is lenient; a pathological page must not be a traceback
            pass
        return cls(
            url=url,
            status=status,
            title=parser.title,
            forms=tuple(parser.forms),
            text=" ".join(" ".join(parser.text).split())[:600],
            refresh=parser.refresh,
        )

    def describe(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        forms = "; ".join(f.describe() for f in self.forms) if self.forms else "no forms"
        text = f"; text: {self.text[:200]!r}" if self.text else ""
        return f"HTTP {self.status} page{title} at {self.url} with {forms}{text}"

    def oauth_error(self) -> str | None:
        """An OAuth error code the page names, if any (error pages of providers)."""
        lowered = f"{self.title} {self.text}".lower()
        return next((code for code in _OAUTH_ERRORS if code in lowered), None)


# -- cookies ------------------------------------------------------------------------------


_COOKIE_SPLIT = re.compile(r",\s*(?=[!#$%&'*+\-.^_`|~0-9A-Za-z]+=)")


class CookieJar:
    """The provider's cookies for one login (name and path; the host is the provider's)."""

    def __init__(self) -> None:
        self._cookies: dict[tuple[str, str, str], str] = {}  # (host, path, name) -> value

    def store(self, url: str, set_cookie: str | None) -> None:
        if not set_cookie:
            return
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        default_path = parts.path.rsplit("/", 1)[0] or "/"
        for line in _COOKIE_SPLIT.split(set_cookie):
            pair, *attributes = [p.strip() for p in line.split(";")]
            name, eq, value = pair.partition("=")
            if not eq or not name:
                continue
            path, expired = default_path, False
            for attribute in attributes:
                key, _, val = attribute.partition("=")
                key = key.strip().lower()
                if key == "path" and val.startswith("/"):
                    path = val.strip()
                elif key == "max-age" and val.strip().lstrip("-").isdigit():
                    expired = int(val) <= 0
                elif key == "expires" and ("1970" in val or "Jan 1970" in val):
                    expired = True
            key3 = (host, path, name.strip())
            if expired or value.strip() == "":
                self._cookies.pop(key3, None)
            else:
                self._cookies[key3] = value.strip().strip('"')

    def header(self, url: str) -> str | None:
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path or "/"
        matching = [
            (p, n, v)
            for (h, p, n), v in self._cookies.items()
            if h == host and (path == p or path.startswith(p.rstrip("/") + "/") or p == "/")
        ]
        matching.sort(key=lambda c: -len(c[0]))  # longer paths first (RFC 6265 §5.4)
        return "; ".join(f"{n}={v}" for _, n, v in matching) or None


# -- the login ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizationOutcome:
    """How an authorization request ended.

    ``delivered_to`` set: the provider sent the browser to the relying party (a redirect or a
    form to an address on the redirect_uri's origin) with ``params`` (code, state, error, iss).
    Otherwise the provider stopped with an HTTP error page (``page``).
    """

    params: Mapping[str, str]
    delivered_to: str | None
    page: Page | None
    evidence: tuple[Mapping[str, Any], ...]
    logins: int  # how many login steps were submitted on the way

    @property
    def code(self) -> str | None:
        return self.params.get("code")

    @property
    def error(self) -> str | None:
        if self.delivered_to is None and self.page is not None:
            return self.page.oauth_error()
        return self.params.get("error")

    def describe(self) -> str:
        if self.delivered_to is None:
            assert self.page is not None
            return f"the provider answered with an error page: {self.page.describe()}"
        shown = {k: ("..." if k == "code" else v) for k, v in self.params.items()}
        return f"the provider redirected to {self.delivered_to} with {shown}"


Deliver = Callable[[str, str, list[tuple[str, str]] | None], Exchange | None]


@dataclass
class LoginDriver:
    """Drives one authorization request through redirects and login pages.

    `client_origin` is the redirect_uri's scheme://host:port: a redirect or form there ends the
    login. `deliver` sends that last request to the relying party's listener (or None when
    cgconform does not listen there) and returns its exchange.
    """

    http: HttpClient
    redactor: Redactor
    steps: Sequence[LoginStep]
    client_origin: str
    deliver: Deliver

    def authorize(self, url: str) -> AuthorizationOutcome:
        jar = CookieJar()
        evidence: list[Mapping[str, Any]] = []
        method, body = "GET", None
        step_index, logins = 0, 0
        last_form: tuple[LoginStep, tuple[str | None, tuple[str, ...]]] | None = None
        for _ in range(MAX_HOPS):
            if urlsplit(url).scheme not in ("http", "https"):
                raise LoginProblem(
                    f"the provider sent the browser to {url[:200]!r}, not an http(s) URL: the "
                    "headless login cannot follow",
                    evidence,
                )
            if _origin(url) == self.client_origin:
                return self._delivered(url, method, body, evidence, logins)
            exchange = self._send(method, url, body, jar)
            evidence.append(exchange.to_evidence())
            status = exchange.status
            location = exchange.headers.get("Location")
            if status in _REDIRECTS and location:
                url = urljoin(url, location)
                if status not in (307, 308):
                    method, body = "GET", None
                continue
            if status >= 400:
                page = Page.parse(url, status, exchange.text)
                return AuthorizationOutcome({}, None, page, tuple(evidence), logins)
            if not 200 <= status < 300:
                raise LoginProblem(
                    f"{method} {url} answered HTTP {status} without a Location to follow",
                    evidence,
                )
            page = Page.parse(url, status, exchange.text)
            if page.refresh:
                url, method, body = urljoin(url, page.refresh), "GET", None
                continue
            if not page.forms:
                raise LoginProblem(
                    "the provider showed a page without a form to continue with (it may need "
                    f"script, which cgconform's headless login does not run): {page.describe()}",
                    evidence,
                )
            response = self._response_form(page)
            if response is not None:  # response_mode=form_post: the page posts it onwards
                method, url, body = response
                continue
            if last_form is not None and any(f.signature() == last_form[1] for f in page.forms):
                raise LoginProblem(
                    f"{last_form[0].describe()}: after it was submitted, the provider showed the "
                    f"same form again (wrong credentials, or a value the form refuses?): "
                    f"{page.describe()}",
                    evidence,
                )
            step_index, step, form = self._step_for(page, step_index, evidence)
            method, url, body = self._submission(page, form, step, evidence)
            last_form = (step, form.signature())
            step_index += 1
            logins += 1
        raise LoginProblem(
            f"the login did not reach the redirect_uri within {MAX_HOPS} redirects and pages",
            evidence,
        )

    # -- steps --------------------------------------------------------------------------

    def _response_form(self, page: Page) -> tuple[str, str, str | None] | None:
        """The submission of a form that carries the authorization response to the relying
        party (its action is on the redirect_uri's origin), as a browser's script would send
        it; None when the page has no such form."""
        for form in page.forms:
            action = urljoin(page.url, form.action) if form.action else page.url
            if _origin(action) == self.client_origin and form.method == "post":
                return "POST", action, urlencode(form.fields)
        return None

    def _step_for(
        self, page: Page, index: int, evidence: list[Mapping[str, Any]]
    ) -> tuple[int, LoginStep, Form]:
        if not self.steps:
            raise LoginProblem(
                "the provider shows a login page, and target.toml has no login script: add "
                'one [[oidc.login]] table per page (fill = { field = "value" }, submit = '
                f"true). The page: {page.describe()}",
                evidence,
            )
        if index >= len(self.steps):
            raise LoginProblem(
                f"the login script ended after {len(self.steps)} step(s), but the provider "
                f"showed another page: {page.describe()}",
                evidence,
            )
        reasons = []
        for i in range(index, len(self.steps)):
            step = self.steps[i]
            form, reason = _choose_form(page, step)
            if form is not None:
                return i, step, form
            reasons.append(f"{step.describe()}: {reason}")
            if not step.optional:
                break
        raise LoginProblem(
            "; ".join(reasons) + f". The page: {page.describe()}",
            evidence,
        )

    def _submission(
        self, page: Page, form: Form, step: LoginStep, evidence: list[Mapping[str, Any]]
    ) -> tuple[str, str, str | None]:
        if form.enctype not in ("application/x-www-form-urlencoded", "text/plain"):
            raise LoginProblem(
                f"{step.describe()}: the form is sent as {form.enctype}, which the headless "
                f"login does not send. The page: {page.describe()}",
                evidence,
            )
        fields = list(form.fields)
        for name, value in step.fill.items():
            if name not in form.names:
                raise LoginProblem(
                    f"{step.describe()}: the form has no field {name!r}. The page: "
                    f"{page.describe()}",
                    evidence,
                )
            text = self._resolve(value, step)
            fields = [(n, v) for n, v in fields if n != name] + [(name, text)]
        button = _button(form, step)
        if isinstance(step.submit, str) and button is None:
            raise LoginProblem(
                f"{step.describe()}: the form has no button {step.submit!r}. The page: "
                f"{page.describe()}",
                evidence,
            )
        if button is not None and button.name:
            fields.append((button.name, button.value))
        action = urljoin(page.url, form.action) if form.action else page.url
        encoded = urlencode(fields)
        if form.method == "post":
            return "POST", action, encoded
        target = action.split("#", 1)[0]
        joiner = "&" if "?" in target else "?"
        return "GET", target + (joiner + encoded if encoded else ""), None

    def _resolve(self, value: str | SecretRef, step: LoginStep) -> str:
        if isinstance(value, str):
            return value
        try:
            text = value.resolve()
        except ConfigError as exc:
            raise ConfigError(f"[[oidc.login]] step {step.number}: {exc}") from None
        self.redactor.add_secret(text, value.placeholder)
        return text

    # -- transport ----------------------------------------------------------------------

    def _send(self, method: str, url: str, body: str | None, jar: CookieJar) -> Exchange:
        headers: dict[str, str | None] = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
        cookie = jar.header(url)
        if cookie:
            headers["Cookie"] = cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        exchange = self.http.request(method, url, headers=headers, data=body, authenticated=False)
        jar.store(url, exchange.headers.get("Set-Cookie"))
        return exchange

    def _delivered(
        self,
        url: str,
        method: str,
        body: str | None,
        evidence: list[Mapping[str, Any]],
        logins: int,
    ) -> AuthorizationOutcome:
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        params.update(parse_qsl(parts.fragment, keep_blank_values=True))
        form = parse_qsl(body, keep_blank_values=True) if body else None
        if form:
            params.update(form)
        code = params.get("code")
        if code:
            self.redactor.add_secret(code, "<authorization code>")
        exchange = self.deliver(method, url, form)
        if exchange is not None:
            evidence.append(exchange.to_evidence())
        delivered_to = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return AuthorizationOutcome(params, delivered_to, None, tuple(evidence), logins)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def client_origin(redirect_uri: str) -> str:
    """The scheme://host:port a login ends at (the relying party's side)."""
    return _origin(redirect_uri)


def _choose_form(page: Page, step: LoginStep) -> tuple[Form | None, str]:
    forms = list(page.forms)
    if step.form:
        wanted = step.form
        for form in forms:
            action = form.action or ""
            if wanted in (form.id, form.name) or (action and wanted in action):
                return form, ""
        return None, f"no form with id, name or action {wanted!r} on the page"
    if step.fill:
        for form in forms:
            if all(name in form.names for name in step.fill):
                return form, ""
        return None, f"no form with the field(s) {', '.join(sorted(step.fill))} on the page"
    if len(forms) == 1:
        return forms[0], ""
    return None, (f'the page has {len(forms)} forms; say which with form = "id, name or action"')


def _button(form: Form, step: LoginStep) -> Button | None:
    if isinstance(step.submit, str):
        return next((b for b in form.buttons if b.matches(step.submit)), None)
    return form.buttons[0] if form.buttons else None
