"""The summary as Markdown: readable as plain text, and safe when a Markdown viewer renders it.

Every piece of text is escaped, so a typed name or note such as ``<img src=x onerror=...>`` or
``[click](javascript:...)`` stays literal text in any CommonMark renderer (raw HTML is the usual
way Markdown carries markup into a page). Lines are wrapped at 78 columns.
"""

from __future__ import annotations

import re
import textwrap

from ..text_safety import visible
from .outline import Block, Item, disposition_lines, footer, outline, patient_lines, with_colon
from .summary import Summary

WIDTH = 78
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")  # may start markup anywhere in a line
_LINK = re.compile(r"(?i)(?<=[a-z0-9]:)(/)(?=/)|(?<![\w.])(www)(\.)|(@)")  # bare URLs and e-mail autolinks
_LINE_START = re.compile(r"(^|(?<=\s))([-+#=]+|\d{1,9}[.)])(?=\s|$)")  # may start a block where wrapping breaks a line


def render_markdown(summary: Summary) -> bytes:
    return markdown_summary(summary).encode("utf-8")


def escape(text: str, links: frozenset[str] = frozenset()) -> str:
    """Backslash-escape Markdown punctuation; collapse whitespace so nothing starts a new block.

    Inline markers are escaped everywhere; block markers (list bullets, headings, numbered items)
    only after a space, since a wrapped line may start there. Control and bidi characters are shown
    visibly (``text_safety``), and what a renderer would turn into a link by itself (``http://``,
    ``www.``, ``name@host``) has its first ``/``, its ``.`` or its ``@`` escaped: names and notes never become links.
    The only links are ``links``: the rules' own source addresses, shown as ``<url>`` wherever they occur.
    """
    return _escape_around(" ".join(text.split()), links)


def _escape_around(text: str, links: frozenset[str]) -> str:
    for url in links:
        if url in text:
            return f"<{url}>".join(_escape_around(part, links) for part in text.split(url))
    text = _INLINE.sub(r"\\\1", visible(text))
    text = _LINK.sub(lambda m: "\\" + m.group(1) if m.group(1) else (m.group(2) + "\\." if m.group(2) else "\\@"), text)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def markdown_summary(s: Summary) -> str:
    lines = [f"# {escape(s.title)}", "", "Summary to bring to your appointment.", ""]
    lines += [_wrap(f"**{label}:** {escape(value)}", "- ", "  ") for label, value in patient_lines(s)]
    lines += ["", *_disposition(s)]
    links = frozenset(source.url for finding in s.findings for source in finding.sources if source.url)
    for section in outline(s):
        lines += ["", f"## {escape(section.heading)}", ""]
        for block in section.blocks:
            lines += [*_block(block, links), ""]
    lines += ["---", "", _wrap(escape(footer(s)))]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _wrap(text: str, first: str = "", rest: str | None = None) -> str:
    rest = first if rest is None else rest
    return textwrap.fill(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False, break_long_words=False
    )


def _disposition(s: Summary) -> list[str]:
    """A block quote, so the result stands apart in any viewer; the first line is a heading."""
    (first_label, first_value), *rest = disposition_lines(s)
    lines = [f"> ## {first_label}: {escape(first_value)}", ">"]
    for label, value in rest:
        lines += [_wrap(f"**{label}:** {escape(value)}", "> ", "> "), ">"]
    return lines[:-1]


def _block(block: Block, links: frozenset[str]) -> list[str]:
    lines = [f"**{escape(block.title)}**", ""] if block.title else []
    for number, item in enumerate(block.items, 1):
        lines += _item(item, block.kind, number, links)
    return lines


def _item(item: Item, kind: str, number: int, links: frozenset[str]) -> list[str]:
    text = escape(item.text)
    if item.label:
        text = f"**{escape(with_colon(item.label))}** {text}"
    marker = {"para": "", "bullets": "- ", "grid": "- ", "numbered": f"{number}. "}[kind]
    hang = " " * len(marker)
    lines = [_wrap(text, marker, hang)]
    for detail in item.details:
        lines += ["", _wrap(escape(detail, links), hang, hang)]
    if item.details:
        lines.append("")
    return lines
