"""The HTML report (cgconform.report.html): bilingual, complete, and safe against a hostile
target, checked by parsing its output and by loading it in headless Chromium."""

from __future__ import annotations

import contextlib
import copy
import http.server
import io
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from cgtest.browser import demo_screenshot, dump_dom, png_size, require_chromium, screenshot
from cgtest.clirun import assert_valid_report
from cgtest.reportdata import make_evidence, make_report, make_result
from markupsafe import escape

from cgconform.report.html import render_html
from cgconform.report.html_text import LIMIT_TEXT, clean, link_target
from cgconform.report.html_translations import RUN_VERDICT_LABELS, TEXTS, VERDICT_LABELS
from cgconform.report.html_view import VERDICTS

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "src/cgconform/report/templates"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
WAIVER = {
    "requirement": "/core/error-handling/problem-details",
    "reason": "legacy error format until release 3.0",
    "owner": "team-percelen@example.nl",
    "expires": "2027-03-31",
}
DOCUMENT_EVIDENCE = {
    "document": {"source": "openapi.yaml", "pointer": "/paths/~1percelen", "line": 38, "column": 3},
    "note": "Percelen zoeken",
}


# --- reports ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """report.json of `cgconform demo`, schema-valid."""
    from cgconform.cli.main import main

    out = tmp_path_factory.mktemp("demo")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--report-dir", str(out)]) == 0
    report: dict[str, Any] = json.loads((out / "report.json").read_text("utf-8"))
    assert_valid_report(report)
    return report


def every_verdict_report() -> dict[str, Any]:
    """Two profiles, every verdict, a waived fail, HTTP and document evidence."""
    results = [
        make_result("/core/semver", "pass"),
        make_result(
            "/core/version-header",
            "fail",
            message="GET /v1/percelen answered without an API-Version header\nsecond line",
            evidence=[
                make_evidence(
                    "GET",
                    "/percelen?page=2",
                    200,
                    headers={"Content-Type": "application/json", "Vary": "Accept"},
                    body='{"_embedded": {"percelen": [{"id": 1}]}}',
                )
            ],
        ),
        make_result("/core/uri-version", "warning", level="SHOULD"),
        make_result("/core/no-trailing-slash", "inconclusive", reason="429 Too Many Requests"),
        make_result("/core/doc-openapi-contact", "not_applicable"),
        make_result("/core/naming-resources", "not_tested"),
        make_result(
            "/core/interface-language",
            "needs_review",
            level="SHOULD",
            evidence=[DOCUMENT_EVIDENCE],
            message="review: resources SHOULD be named in Dutch",
        ),
        make_result("/core/transport/tls", "error", message="fixture certificate missing"),
        make_result(
            "/core/error-handling/problem-details",
            "fail",
            message="404 without application/problem+json",
            waiver=WAIVER,
        ),
        make_result("/core/doc-openapi", "pass", profile="adr-openapi"),
    ]
    report = make_report(results)
    assert_valid_report(report)
    return report


PWNED = "PWNED"
MARKER = "cg-pwned"  # an element a payload would create
RUN = (  # what every payload runs, if it ever runs
    f"document.title='{PWNED}';document.documentElement.append(document.createElement('{MARKER}'))"
)


def payloads(beacon: str = "http://127.0.0.1:9") -> list[str]:
    """Markup a target could return; each one would set the title to PWNED, create a
    <cg-pwned> element or load something from ``beacon`` if it reached the page as markup."""
    run = RUN
    return [
        f"<script>{run}</script>",
        f'<img src=x onerror="{run}">',
        f"javascript:{run}",
        f"</pre><script>{run}</script><pre>",
        f'"><svg onload="{run}"><{MARKER}></{MARKER}>',
        f'\'><iframe srcdoc="<script>parent.{run}</script>"></iframe>',
        f'<!-- --><a href="javascript:{run}">click</a>',
        f'</textarea></title></style></details></table><details open ontoggle="{run}">',
        f"<style>@import url({beacon}/import.css);body{{background:url({beacon}/bg.png)}}</style>",
        f'<link rel=stylesheet href="{beacon}/link.css"><img src="{beacon}/img.png">',
        f'<meta http-equiv="refresh" content="0;url=javascript:{run}">',
        '<base href="javascript:/"><form action="javascript:alert(1)"><button>go</button></form>',
        "<![CDATA[ ]]> <?php echo 1 ?> <!DOCTYPE x> &lt;already&gt; &amp; &#x3c;script&#x3e;",
        "{{ 7*7 }} {% raw %} ${7*7} <%= 7*7 %>",
        "\u202eevil\u202c\u2066x\u2069 \u200b\u200d\ufeff \x00\x1b[31mred\x07 \x85\u2028\u2029",
        "\U000e0041\U000e0042 tag characters, \ud800 a lone surrogate, \ufffe a non-character",
    ]


def _poison(value: Any, texts: Iterator[str]) -> Any:
    """``value`` with a payload appended to every string, key of a headers/statement mapping
    included."""
    if isinstance(value, str):
        return value + next(texts)
    if isinstance(value, list):
        return [_poison(v, texts) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v, texts) for k, v in value.items()}
    return value


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


# Keys the schema pins down (enums, patterns): left alone in the schema-valid hostile report.
_PINNED = {
    "report_version",
    "verdict",
    "level",
    "profile",
    "id",
    "url",
    "method",
    "automation",
    "started_at",
    "finished_at",
    "expires",
    "pointer",
}


def _poison_free_text(value: Any, texts: Iterator[str], key: str = "") -> Any:
    if isinstance(value, str):
        return value if key in _PINNED else value + next(texts)
    if isinstance(value, list):
        return [_poison_free_text(v, texts, key) for v in value]
    if isinstance(value, dict):
        keys_too = key in ("headers", "statement")
        return {
            (k + next(texts) if keys_too else k): _poison_free_text(v, texts, k)
            for k, v in value.items()
        }
    return value


def hostile_report(beacon: str = "http://127.0.0.1:9") -> dict[str, Any]:
    """Every string of the every-verdict report poisoned, the schema's pinned fields too:
    verdicts, levels, requirement and profile ids, URLs, methods, counts' keys, headers."""
    base = every_verdict_report()
    base["target"]["statement"] = {"supports": "everything", "contact": "x"}
    items = payloads(beacon)
    report: dict[str, Any] = _poison(base, _cycle(items))
    report["results"][0]["url"] = f"javascript:document.title='{PWNED}'"
    report["results"][1]["url"] = 'https://example.nl/"onmouseover="alert(1)'
    report["results"][2]["url"] = "data:text/html,<script>alert(1)</script>"
    report["results"][3]["url"] = "https://example.nl/adr#ok"  # a link that stays a link
    report["results"][4]["url"] = " https://example.nl/leading-space"
    report["results"][5]["url"] = "HTTPS://example.nl/\u202eevil"
    report["results"][1]["evidence"][0]["response"]["headers"] = {
        f"X-{n}": items[n % len(items)] for n in range(8)
    } | {"X-Long": "A" * 50_000, items[0]: items[1], "Set-Cookie": ["a=1", items[2]]}
    report["results"][1]["evidence"][0]["response"]["body_excerpt"] = "B" * 50_000 + items[0]
    report["profiles"][0]["counts"] = {items[0]: 3, "pass": "many", "fail": -1, "warning": 1}
    report["run"]["seed"] = items[1]
    report["run"]["budget"] = {"max_requests": items[2], "requests_sent": items[3]}
    report["results"].append("not a result")
    return report


def hostile_valid_report() -> dict[str, Any]:
    """Payloads in every free-text field, the report still schema-valid."""
    report: dict[str, Any] = _poison_free_text(every_verdict_report(), _cycle(payloads()))
    for result in report["results"]:
        if "waiver" in result:
            result["waiver"]["requirement"] = result["requirement"]
    assert_valid_report(report)
    return report


# --- parsing the output -------------------------------------------------------------------

TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section",
    "div", "p", "h1", "h2", "h3", "h4", "span", "strong", "small", "ul", "li", "dl", "dt", "dd",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tr", "th", "td", "a", "details",
    "summary", "pre", "code", "br",
    # the chain picture (inline SVG, no script)
    "svg", "defs", "marker", "path", "g", "rect", "text", "line",
}  # fmt: skip
VOID = {"meta", "col", "br"}
ATTRIBUTES = {
    "html": {"lang"},
    "meta": {"charset", "http-equiv", "content", "name"},
    "a": {"href", "rel"},
    "span": {"class", "aria-hidden", "style"},
    "div": {"class", "aria-hidden"},
    "section": {"class", "id", "aria-labelledby"},
    "th": {"scope"},
    "td": {"class", "colspan"},
    "svg": {"viewbox", "width", "height", "xmlns", "aria-labelledby", "role"},
    "marker": {"viewbox", "refx", "refy", "markerwidth", "markerheight", "orient"},
    "path": {"d"},
    "rect": {"x", "y", "width", "height", "rx"},
    "text": {"x", "y", "text-anchor"},
    "line": {"x1", "y1", "x2", "y2", "marker-end"},
}
GLOBAL_ATTRIBUTES = {"class", "id"}
META_CONTENT = {
    "Content-Security-Policy": CSP,
}
_ID = re.compile(
    r"(profile-\d+(-heading)?|run-verdict|run-heading|profiles-heading|chain(-heading)?"
    r"|arrow-[a-z_]+|coverage-\d+(-heading)?)"
)
_CLASS = re.compile(r"[a-z][a-z0-9_-]*")
_STYLE = re.compile(r"width: \d+(\.\d+)?%")


class Page(HTMLParser):
    """Every element, attribute and text node of an HTML page, and what the parser found
    that a page of ours never holds (comments, processing instructions, declarations)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.oddities: list[str] = []
        self.stack: list[str] = []
        self.in_pre: list[str] = []  # tags found inside <pre>
        self.title = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if "pre" in self.stack:
            self.in_pre.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.oddities.append(f"self-closing <{tag}/>")
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.oddities.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.stack and self.stack[-1] == "title":
            self.title += data

    def handle_comment(self, data: str) -> None:
        self.oddities.append(f"comment {data[:40]!r}")

    def handle_decl(self, decl: str) -> None:
        if decl.lower() != "doctype html":
            self.oddities.append(f"declaration {decl[:40]!r}")

    def handle_pi(self, data: str) -> None:
        self.oddities.append(f"processing instruction {data[:40]!r}")

    def unknown_decl(self, data: str) -> None:
        self.oddities.append(f"declaration {data[:40]!r}")

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def assert_only_our_markup(html: str, report: Mapping[str, Any]) -> Page:
    """Only the elements and attributes the template writes, with values it writes: report
    data reaches no attribute except a requirement URL that is a plain http(s) URL."""
    page = Page(html)
    assert not page.oddities, page.oddities
    assert not page.stack, f"unclosed elements: {page.stack}"
    assert not page.in_pre or set(page.in_pre) == {"span"}, page.in_pre
    assert html.startswith("<!DOCTYPE html>\n<html lang=")
    urls = {
        r.get("url")
        for r in report.get("results", [])
        if isinstance(r, Mapping) and link_target(r.get("url"))
    }
    for tag, attrs in page.elements:
        assert tag in TAGS, f"<{tag}> is not an element the template writes"
        allowed = ATTRIBUTES.get(tag, set()) | GLOBAL_ATTRIBUTES
        for name, value in attrs.items():
            assert name in allowed, f"<{tag} {name}=...> is not written by the template"
            assert value is not None, f"<{tag} {name}> without a value"
            assert "javascript:" not in value.lower()
            if name == "class":
                assert all(_CLASS.fullmatch(c) for c in value.split()), value
            elif name in ("id", "aria-labelledby"):
                assert _ID.fullmatch(value), value
            elif name == "style":
                assert _STYLE.fullmatch(value), value
            elif name == "href":
                assert re.fullmatch(r"#profile-\d+", value) or value in urls, value
                if not value.startswith("#"):
                    assert attrs.get("rel") == "noopener noreferrer"
            elif name == "aria-hidden":
                assert value == "true"
            elif name == "scope":
                assert value in ("col", "row")
            elif name == "lang":
                assert value in ("nl", "en")
    metas = {a.get("http-equiv") or a.get("name") or "charset": a for a in page.tags("meta")}
    assert metas["Content-Security-Policy"]["content"] == CSP
    assert len(page.tags("style")) == 1 and len(page.tags("title")) == 1
    return page


def render(report: Mapping[str, Any], lang: str = "en") -> tuple[str, Page]:
    html = render_html(report, lang=lang)
    return html, assert_only_our_markup(html, report)


# --- (1) content --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_demo_report_renders_in_both_languages(demo_report: dict[str, Any], lang: str) -> None:
    html, page = render(demo_report, lang)
    assert html.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">')
    text = page.all_text
    assert RUN_VERDICT_LABELS[lang]["conformant"] in text
    assert TEXTS[lang]["requirements"] in text
    for result in demo_report["results"]:
        assert result["title"][lang] in text
        assert result["requirement"] in text
    # every requirement URL is a link that opens nothing else
    links = {a["href"] for a in page.tags("a") if not str(a["href"]).startswith("#")}
    assert links == {r["url"] for r in demo_report["results"]}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_verdict_translated_and_labelled(lang: str) -> None:
    report = every_verdict_report()
    html, page = render(report, lang)
    assert html.startswith(f'<!DOCTYPE html>\n<html lang="{lang}">')
    badges = set(_badge_texts(html))
    for verdict in VERDICTS:
        assert VERDICT_LABELS[lang][verdict] in badges, verdict
    assert RUN_VERDICT_LABELS[lang][report["verdict"]] in badges  # profile verdict badges
    assert RUN_VERDICT_LABELS[lang]["conformant"] in badges
    for key in ("requirements", "evidence", "checks", "message", "waiver", "reproduce"):
        assert TEXTS[lang][key] in page.all_text, key
    for result in report["results"]:
        assert result["title"][lang] in page.all_text  # "Eis ..." / "Requirement ..."


def _badge_texts(html: str) -> list[str]:
    """The label of every verdict badge (the symbol excluded)."""
    return [
        re.sub(r"\s+", " ", m).strip()
        for m in re.findall(
            r'<span class="badge v-[a-z_]+"><span class="sym" aria-hidden="true">[^<]*</span>'
            r"([^<]*)</span>",
            html,
        )
    ]


def test_dutch_page_has_no_english_fixed_texts() -> None:
    _, page = render(every_verdict_report(), "nl")
    for key in ("requirements", "reproduce", "details", "waiver_note", "run_verdict"):
        if TEXTS["en"][key] != TEXTS["nl"][key]:
            assert TEXTS["en"][key] not in page.all_text, key


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown language"):
        render_html(every_verdict_report(), lang="de")


def test_worst_verdicts_come_first_waived_after_unwaived() -> None:
    report = every_verdict_report()
    html, _ = render(report)
    section = html[html.index('id="profile-1"') :]
    order = [
        "/core/transport/tls",  # error
        "/core/version-header",  # fail
        "/core/error-handling/problem-details",  # fail, waived
        "/core/no-trailing-slash",  # inconclusive
        "/core/interface-language",  # needs_review
        "/core/naming-resources",  # not_tested
        "/core/uri-version",  # warning
        "/core/semver",  # pass
        "/core/doc-openapi-contact",  # not_applicable
    ]
    positions = [section.index(f">{rid}</a>") for rid in order]
    assert positions == sorted(positions)


def test_banner_profile_summary_and_run_facts() -> None:
    report = every_verdict_report()
    html, page = render(report)
    text = page.all_text
    banner = html[html.index('<section class="banner') : html.index("</section>")]
    assert 'class="banner b-error"' in banner  # the run verdict, as report.json says
    assert RUN_VERDICT_LABELS["en"]["error"] in banner
    for fact in (
        report["target"]["name"],
        report["target"]["base_url"],
        report["target"]["spec"],
        report["tool"]["version"],
        report["run"]["id"],
        "1234",  # seed
        "812 / 5000",  # requests sent / budget
        "2026-11-29 10:00:00 UTC",
        "2 min 30 s",
        report["run"]["command"],
    ):
        assert fact in text, fact
    summary = html[html.index('<table class="profiles">') : html.index("</table>")]
    assert summary.count('<tr>\n<th scope="row">') == 2
    assert "ADR 2.2.0" in summary
    assert 'class="s-fail" style="width: ' in summary  # a bar segment ...
    assert "voldoet" not in summary and "fail: <strong>2</strong>" in summary  # ... and its label
    # the verdict the report states is shown, even one the results would not give
    forged = copy.deepcopy(report)
    forged["verdict"] = "conformant"
    forged["profiles"][0]["verdict"] = "conformant"
    assert 'class="banner b-conformant"' in render_html(forged)


def test_row_details_message_reason_checks_and_waiver() -> None:
    report = every_verdict_report()
    html, page = render(report)
    text = page.all_text
    assert len(page.tags("details")) == len(report["results"])
    assert "GET /v1/percelen answered without an API-Version header\nsecond line" in text
    # the table shows the message's first line only
    assert '<td class="msg">GET /v1/percelen answered without an API-Version header</td>' in html
    assert "429 Too Many Requests" in text  # reason
    waived = html[html.index(">/core/error-handling/problem-details<") :]
    waived = waived[: waived.index("</tbody>")]
    row = html[: html.index(">/core/error-handling/problem-details<")]
    assert row[row.rindex("<tbody") :].startswith('<tbody class="result r-fail">')
    assert '<span class="tag">waived</span>' in row[row.rindex("<tbody") :]
    for value in WAIVER["reason"], WAIVER["owner"], WAIVER["expires"]:
        assert value in waived
    assert TEXTS["en"]["waiver_note"] in waived
    assert "suites/api/test_checks.py::check_core_version-header" in text
    assert "250 ms" in text


def test_http_and_document_evidence() -> None:
    report = every_verdict_report()
    html, _ = render(report)
    assert (
        '<pre class="http">GET https://api.example.nl/v1/percelen?page=2\n'
        "Accept: application/json</pre>"
    ) in html
    assert (
        '<pre class="http">HTTP 200  (42 ms)\nContent-Type: application/json\nVary: Accept\n\n'
        "{&#34;_embedded&#34;: {&#34;percelen&#34;: [{&#34;id&#34;: 1}]}}</pre>"
    ) in html
    assert (
        '<pre class="curl">curl -X GET &#39;https://api.example.nl/v1/percelen?page=2&#39; '
        "-H &#39;Accept: application/json&#39;</pre>"
    ) in html
    assert "<code>openapi.yaml:38:3</code> <code>/paths/~1percelen</code>" in html
    assert "Percelen zoeken" in html


def test_printable_accessible_and_self_contained() -> None:
    html, page = render(every_verdict_report())
    style = html[html.index("<style>") : html.index("</style>")]
    assert "@media print" in style and "details::details-content" in style
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert not page.tags("script") and not page.tags("img") and not page.tags("link")
    for tag, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), tag
        if tag == "th":
            assert attrs.get("scope") in ("col", "row")
    headings = [tag for tag, _ in page.elements if re.fullmatch(r"h[1-6]", tag)]
    assert headings.count("h1") == 1 and headings[1] == "h2"
    # every badge has a text label next to its colour
    assert all(_badge_texts(html))


def test_template_and_module_never_mark_report_data_safe() -> None:
    for path in TEMPLATES.iterdir():
        source = path.read_text("utf-8")
        assert "|safe" not in source.replace(" ", ""), path
        assert "autoescape false" not in source, path
    module = (REPO / "src/cgconform/report/html.py").read_text("utf-8")
    assert "Markup(" not in module and "autoescape=True" in module


@pytest.mark.parametrize(
    "report",
    [
        {},
        {"results": "x", "profiles": [1, None], "tool": [], "run": "x", "target": None},
        {"verdict": None, "results": [{"verdict": None, "checks": [None], "evidence": [{}]}]},
        make_report(profiles=["extra"]) | {"verdict": 7},
    ],
    ids=["empty", "wrong-types", "nulls", "unknown-run-verdict"],
)
def test_incomplete_reports_render_without_a_verdict_of_their_own(report: dict[str, Any]) -> None:
    html, page = render(report)
    assert "b-unknown" in html or "b-conformant" in html
    if "b-unknown" in html:
        assert "unknown verdict" in page.all_text  # never a made-up verdict


def test_huge_and_odd_counts() -> None:
    report = every_verdict_report()
    report["profiles"][0]["counts"] = {"pass": 10**30, "fail": 2**62, "warning": True}
    html, _ = render(report)
    summary = html[html.index(">adr-runtime</a>") : html.index(">adr-openapi</a>")]
    assert "fail: <strong>4611686018427387904</strong>" in summary
    assert "pass: <strong>" not in summary and "warning: <strong>" not in summary


# --- (2) a hostile report -----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("build", [hostile_valid_report, hostile_report])
def test_hostile_report_renders_as_text(build: Callable[[], dict[str, Any]], lang: str) -> None:
    report = build()
    html, page = render(report, lang)
    lower = html.lower()
    assert "<script" not in lower and "<img" not in lower and "<svg" not in lower
    assert "<iframe" not in lower and "<base" not in lower and "<link" not in lower
    assert f"<{MARKER}" not in lower
    assert page.title.startswith(TEXTS[lang]["document_title"])
    html.encode("utf-8")  # no lone surrogate left
    for char in "\x00\x1b\x07\x85\u202e\u202c\u2066\u2069\u200b\u200d\ufeff\u2028\u2029\ufffe":
        assert char not in html, repr(char)
    assert "\\u202eevil\\u202c" in html and "\\x1b[31mred\\x07" in html
    assert "\\U000e0041\\U000e0042" in html and "\\ud800" in html
    text = page.all_text
    for payload in payloads():
        if clean(payload) == payload:
            assert payload in text, payload  # shown, as text
            assert str(escape(payload)) in html, payload  # because it was escaped
    assert "{{ 7*7 }}" in text


def test_hostile_report_links_and_lengths() -> None:
    report = hostile_report()
    html, page = render(report)
    hrefs = [a["href"] for a in page.tags("a") if not str(a["href"]).startswith("#")]
    assert hrefs == ["https://example.nl/adr#ok"]  # the one plain https URL
    assert page.tags("a")[-1]["rel"] == "noopener noreferrer"
    # 50,000 characters of header and body are cut, and the page says so
    header = "X-Long: " + "A" * 50_000
    omitted = len(header) - LIMIT_TEXT
    assert (
        f'{header[:LIMIT_TEXT]}<span class="cut"> … [shortened: {omitted} more characters in '
        "report.json]</span>"
    ) in html
    assert "B" * LIMIT_TEXT + '<span class="cut"> … [shortened: ' in html
    assert "B" * (LIMIT_TEXT + 1) not in html
    assert "shortened: " in page.all_text and "more characters in report.json" in page.all_text
    assert len(html) < 1_000_000
    # counts that are not counts of a verdict draw no bar segment
    summary = html[html.index('<table class="profiles">') : html.index("</table>")]
    assert "warning: <strong>1</strong>" in summary
    assert 'class="s-warning" style="width: 100.0%"' in summary


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://logius-standaarden.github.io/API-Design-Rules/#/core/semver", True),
        ("http://example.nl/a?b=c&d=e", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("//example.nl/x", False),
        ("https:///nohost", False),
        ("https://example.nl/\u202e", False),
        ("https://example.nl/a b", False),
        ('https://example.nl/"x', False),
        ("https://example.nl/" + "a" * 3000, False),
        (None, False),
        (42, False),
    ],
)
def test_only_plain_http_urls_become_links(url: Any, link: bool) -> None:
    assert (link_target(url) is not None) is link


def test_clean_makes_invisible_characters_visible() -> None:
    assert clean("a\u202eb\x00c\td\ne") == "a\\u202eb\\x00c\td\\x0ae"
    assert clean("a\r\nb\rc", multiline=True) == "a\nb\\x0dc"
    assert clean("\U000e0041") == "\\U000e0041"
    assert clean({"b": 1, "a": [None]}) == '{"a": [null], "b": 1}'


# --- (3) a real browser -------------------------------------------------------------------


class _Beacon:
    """A local HTTP server that counts the requests a page makes to it."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Beacon:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def beacon() -> Iterator[_Beacon]:
    with _Beacon() as server:
        yield server


@pytest.fixture
def chromium() -> str:
    return require_chromium()


def _injection(beacon: str) -> str:
    run = RUN
    return (
        f'<script>{run}</script><img src=x onerror="{run}">'
        f'<img src="{beacon}/img.png"><link rel=stylesheet href="{beacon}/link.css">'
    )


def _without_csp(html: str) -> str:
    start = html.index('<meta http-equiv="Content-Security-Policy"')
    return html[:start] + html[html.index(">", start) + 1 :]


def _ran(dom: str) -> bool:
    page = Page(dom)
    return page.title.strip() == PWNED or any(tag == MARKER for tag, _ in page.elements)


def test_browser_control_page_shows_that_scripts_would_be_caught(
    chromium: str, tmp_path: Path, beacon: _Beacon
) -> None:
    """The harness can see a script run and a request go out; otherwise the tests below
    would prove nothing."""
    page = tmp_path / "control.html"
    page.write_text(f"<!DOCTYPE html><title>x</title>{_injection(beacon.url)}", "utf-8")
    dom = dump_dom(page)
    assert _ran(dom), dom[:2000]
    assert beacon.hits, "the control page loaded nothing from the local server"


def test_hostile_report_runs_no_script_in_chromium(
    chromium: str, tmp_path: Path, beacon: _Beacon
) -> None:
    report = hostile_report(beacon.url)
    html = render_html(report)
    for name, text in (("report.html", html), ("no-csp.html", _without_csp(html))):
        page = tmp_path / name
        page.write_text(text, "utf-8")
        dom = dump_dom(page)
        assert "</html>" in dom
        assert not _ran(dom), f"{name}: a payload ran"
        found = {tag for tag, _ in Page(dom).elements}
        assert found <= TAGS, f"{name}: elements the template never writes: {found - TAGS}"
    # escaping alone (no CSP) kept every payload inert, and nothing was loaded
    assert beacon.hits == []


def test_csp_blocks_scripts_and_loads_even_if_markup_got_through(
    chromium: str, tmp_path: Path, beacon: _Beacon
) -> None:
    """The second line of defence: markup injected into a rendered page runs nothing and
    loads nothing, because of the page's Content-Security-Policy alone."""
    html = render_html(every_verdict_report())
    injected = html.replace("<body>", "<body>" + _injection(beacon.url), 1)
    page = tmp_path / "injected.html"
    page.write_text(injected, "utf-8")
    assert not _ran(dump_dom(page))
    assert beacon.hits == []
    control = tmp_path / "injected-no-csp.html"
    control.write_text(_without_csp(injected), "utf-8")
    assert _ran(dump_dom(control))
    assert beacon.hits


def test_screenshot_of_hostile_and_demo_reports(
    chromium: str, tmp_path: Path, demo_report: dict[str, Any]
) -> None:
    for name, report in (("hostile", hostile_report()), ("demo", demo_report)):
        page = tmp_path / f"{name}.html"
        page.write_text(render_html(report), "utf-8")
        shot = screenshot(page, tmp_path / f"{name}.png", width=1280, height=1600)
        assert png_size(shot) == (1280, 1600)
        assert shot.stat().st_size > 10_000  # a page, not a blank image


def test_demo_screenshot_helper(chromium: str, tmp_path: Path) -> None:
    shot = demo_screenshot(tmp_path / "demo.png", lang="nl")
    assert png_size(shot) == (1280, 1600)


def test_missing_browser_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CG_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium()
    monkeypatch.setenv("CG_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="CG_REQUIRE_BROWSER=1"):
        require_chromium()


# --- (4) the screenshot in the docs -------------------------------------------------------


def test_docs_hold_a_screenshot_of_the_demo_report() -> None:
    shot = REPO / "docs/demo-report.png"
    assert shot.is_file(), "regenerate: .venv/bin/python tests/browser.py docs/demo-report.png"
    assert png_size(shot) == (1280, 1600)
