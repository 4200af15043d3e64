"""Text fitted to the terminal: every line wrapped at its real width, words never broken.

The program's texts are written as logical lines (one paragraph, one bullet, one numbered step a
line) and wrapped only when they are shown, at the width of the terminal at that moment, so the
same text fits 40, 60 or 120 columns. A line keeps its indent, and the further lines of a bullet
("- ", "* ") or a numbered step ("1. ") start under its first word. A line made only of "=" is a
rule across the whole width. A line that starts with "$ " is a command to type: it is shown whole,
indented by two spaces instead of the "$ ", and never wrapped (a broken command cannot be pasted).
Imports nothing heavy: the first screen uses it before the rules load.
"""

from __future__ import annotations

import re
import shutil
import textwrap

MIN_WIDTH = 40
_LEAD = re.compile(r"^(\s*)((?:[-*•]|\d{1,2}[.)])\s+)?")


def terminal_width(fallback: int = 80) -> int:
    """The terminal's columns (``COLUMNS`` first, then standard output), at least ``MIN_WIDTH``."""
    return max(MIN_WIDTH, shutil.get_terminal_size((fallback, 24)).columns)


COMMAND = "$ "


def command_line(command: str) -> str:
    """``command`` as a line of its own that ``wrap_block`` shows whole."""
    return COMMAND + command


def wrap_line(line: str, width: int) -> str:
    if line.startswith(COMMAND):
        return "  " + line[len(COMMAND):]
    if line and set(line) == {"="}:
        return "=" * width
    if len(line) <= width:
        return line
    lead = _LEAD.match(line)
    indent, marker = lead.group(1), lead.group(2) or ""
    hanging = indent + " " * len(marker)
    if len(hanging) > width // 2:  # a deep indent on a narrow screen: keep the words, not the indent
        indent = hanging = ""
    body = line[lead.end():]
    return textwrap.fill(body, width, initial_indent=indent + marker, subsequent_indent=hanging,
                         break_long_words=False, break_on_hyphens=False)


def wrap_block(text: str, width: int | None = None) -> str:
    """Every line of ``text`` wrapped at ``width`` (default: the terminal's)."""
    width = max(20, width) if width else terminal_width()
    return "\n".join(wrap_line(line, width) for line in text.split("\n"))


def unit_for(value: int, unit: str) -> str:
    """'1 day', '2 days', '1 hour a day': a plural unit made singular for one."""
    if value != 1:
        return unit
    first, _, rest = unit.partition(" ")
    if first.endswith("s") and len(first) > 2:
        first = first[:-1]
    return f"{first} {rest}".strip()
