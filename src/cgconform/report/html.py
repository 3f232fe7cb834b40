"""The HTML report: one self-contained, bilingual page rendered from report.json.

For a programme lead to read at a glance (the run verdict as a banner, a summary row per
profile) and for a developer to act on (every requirement, its checks and its evidence).

The page is rendered from report.json only and never computes a verdict. Everything in the
report is treated as hostile, because a target under test can put anything in the headers,
bodies and messages it causes:

- every value is turned into a :class:`~cgconform.report.html_text.Text` first (in
  :mod:`~cgconform.report.html_text`): control, format and bidi characters
  (Unicode categories Cc, Cf, Cs, Zl, Zp and non-characters) become visible escapes such
  as ``\\u202e``; long values are shortened (report.json keeps the full text);
- the jinja2 environment escapes every expression (``autoescape=True``, no ``|safe``);
- report data reaches an attribute only as a requirement's ``href``, and only when it is a
  plain ``http(s)`` URL; every other attribute value is fixed by the template;
- the page carries no JavaScript and a Content-Security-Policy that loads nothing from
  anywhere (``default-src 'none'``): inline CSS only, no fonts, images or frames.

This module holds the jinja2 environment and renders the template
(``templates/report.html.j2``); what the template shows is built by
:mod:`~cgconform.report.html_view` (evidence items by :mod:`~cgconform.report.html_evidence`),
in the words of :mod:`~cgconform.report.html_translations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from cgconform.report.html_translations import LANGUAGES
from cgconform.report.html_view import page_context


def render_html(report: Mapping[str, Any], *, lang: str = "en") -> str:
    """The HTML page for ``report`` (a report.json mapping) in ``lang`` (``nl`` or ``en``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    template = _environment().get_template("report.html.j2")
    return template.render(page_context(report, lang))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("cgconform.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
