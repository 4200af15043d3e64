"""The summary as Markdown: readable as plain text, and safe when a Markdown viewer renders it.

Every piece of text is escaped, so a typed name or note such as ``<img src=x onerror=...>`` or
``[click](javascript:...)`` stays literal text in any CommonMark renderer (raw HTML is the usual
way Markdown carries markup into a page). Lines are wrapped at 78 columns.
"""

from __future__ import annotations

import re
import textwrap

from .outline import Block, Item, disposition_lines, footer, outline, patient_lines, with_colon
from .summary import Summary

WIDTH = 78
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")  # may start markup anywhere in a line
_LINE_START = re.compile(r"(^|(?<=\s))([-+#=]+|\d{1,9}[.)])(?=\s|$)")  # may start a block where wrapping breaks a line


def render_markdown(summary: Summary) -> bytes:
    return markdown_summary(summary).encode("utf-8")


def escape(text: str) -> str:
    """Backslash-escape Markdown punctuation; collapse whitespace so nothing starts a new block.

    Inline markers are escaped everywhere; block markers (list bullets, headings, numbered items)
    only after a space, since a wrapped line may start there.
    """
    text = _INLINE.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def markdown_summary(s: Summary) -> str:
    lines = [f"# {escape(s.title)}", "", "Summary to bring to your appointment.", ""]
    lines += [_wrap(f"**{label}:** {escape(value)}", "- ", "  ") for label, value in patient_lines(s)]
    lines += ["", *_disposition(s)]
    for section in outline(s):
        lines += ["", f"## {escape(section.heading)}", ""]
        for block in section.blocks:
            lines += [*_block(block), ""]
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


def _block(block: Block) -> list[str]:
    lines = [f"**{escape(block.title)}**", ""] if block.title else []
    for number, item in enumerate(block.items, 1):
        lines += _item(item, block.kind, number)
    return lines


def _item(item: Item, kind: str, number: int) -> list[str]:
    text = escape(item.text)
    if item.label:
        text = f"**{escape(with_colon(item.label))}** {text}"
    marker = {"para": "", "bullets": "- ", "grid": "- ", "numbered": f"{number}. "}[kind]
    hang = " " * len(marker)
    lines = [_wrap(text, marker, hang)]
    for detail in item.details:
        lines += ["", _wrap(escape(detail), hang, hang)]
    if item.details:
        lines.append("")
    return lines
