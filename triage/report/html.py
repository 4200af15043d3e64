"""The summary as one self-contained HTML page (inline CSS, nothing loaded from the network).

Jinja2 autoescaping is on for the whole template, so names, notes and any other typed text are
shown as text and can never add markup or script. The CSS carries print rules for A4 and Letter.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .chart import scores_text, svg_chart
from .outline import GRID_COLUMNS, SUBTITLE, disposition_lines, footer, outline, patient_lines, running_footer, running_header, with_colon
from .summary import Summary


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("triage.report", "templates"),
        autoescape=True,  # every template here is HTML: escape all values, whatever the file name
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["with_colon"] = with_colon
    return environment


@lru_cache(maxsize=1)
def stylesheet() -> str:
    return resources.files("triage.report").joinpath("templates/summary.css").read_text(encoding="utf-8")


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: every character but ASCII letters and digits hex-escaped,
    so typed text can neither end the string nor the style element."""
    return '"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in text) + '"'


def page_rules(s: Summary) -> str:
    """The running header and footer of every printed page (CSS page margin boxes, Chromium 131+)."""
    head, foot = css_string(running_header(s)), css_string(running_footer(s))
    box = "font: 7pt/1.2 'DejaVu Sans', 'Noto Sans', Arial, sans-serif; color: #555;"
    return (f"@page {{ @top-left {{ content: {head}; {box} }} "
            f"@top-right {{ content: \"page \" counter(page) \" of \" counter(pages); {box} }} "
            f"@bottom-center {{ content: {foot}; {box} text-align: center; }} }}")


def render_html(summary: Summary) -> bytes:
    return html_summary(summary).encode("utf-8")


def html_summary(s: Summary) -> str:
    template = _environment().get_template("summary.html.j2")
    return template.render(
        s=s,
        css=stylesheet().strip(),
        page_rules=page_rules(s),
        patient=patient_lines(s),
        disposition=disposition_lines(s),
        sections=outline(s, brief=True),
        grid_columns=GRID_COLUMNS,
        footer=footer(s),
        subtitle=SUBTITLE,
        trend_svg=trend_svg(s),
        trend_words=scores_text(s.trend_series),
    )


def trend_svg(s: Summary) -> Markup:
    """The pain chart as inline SVG (empty without a trend). Marked safe: ``chart.svg_chart`` writes only
    numbers and dates from the validated scores, and escapes its title; nothing in it loads anything."""
    return Markup(svg_chart(s.trend_series, width=372, height=120)) if s.has_trend else Markup("")
