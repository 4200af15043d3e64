"""The summary as plain text: readable in any editor or terminal, wrapped at 78 columns."""

from __future__ import annotations

import textwrap

from ..text_safety import visible
from .outline import Block, Item, disposition_lines, footer, outline, patient_lines, with_colon
from .summary import Summary

WIDTH = 78
RULE = "=" * WIDTH


def render_text(summary: Summary) -> bytes:
    return text_summary(summary).encode("utf-8")


def text_summary(s: Summary) -> str:
    lines = [s.title.upper(), "Summary to bring to your appointment", ""]
    lines += [_field(label, value) for label, value in patient_lines(s)]
    lines += ["", RULE, *(_field(label.upper() if i == 0 else label, value) for i, (label, value) in enumerate(disposition_lines(s))), RULE]
    for section in outline(s):
        lines += ["", section.heading.upper(), "-" * len(section.heading)]
        for block in section.blocks:
            lines += _block(block)
    lines += ["", _wrap(footer(s))]
    return visible("\n".join(lines) + "\n", keep_lines=True)  # escape sequences in names or notes: shown, inert


def _wrap(text: str, first: str = "", rest: str | None = None) -> str:
    rest = first if rest is None else rest
    return textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False)


def _field(label: str, value: str) -> str:
    return _wrap(f"{label}: {value}", "", "    ")


def _block(block: Block) -> list[str]:
    lines = [_wrap(with_colon(block.title))] if block.title else []
    for number, item in enumerate(block.items, 1):
        lines += _item(item, block.kind, number, indent="  " if block.title else "")
    return lines


def _item(item: Item, kind: str, number: int, indent: str) -> list[str]:
    text = f"{with_colon(item.label)} {item.text}".rstrip() if item.label else item.text
    marker = {"para": "", "bullets": "- ", "grid": "- ", "numbered": f"{number}. "}[kind]
    hang = indent + " " * len(marker)
    lines = [_wrap(text, indent + marker, hang)]
    lines += [_wrap(detail, hang + "  ", hang + "  ") for detail in item.details]
    return lines
