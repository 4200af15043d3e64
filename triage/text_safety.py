"""Text from people and files, made safe to show: control and bidi characters become visible.

A name, a note, an override reason or a file name may hold terminal escape sequences (a window
title, clear-screen, colours, the 8-bit CSI U+009B) or bidi controls (U+202E turns the rest of a
line around). Every output boundary that shows such text on a terminal or writes it to a .txt or
.md summary passes it through ``visible``: each such character is written as ``\\x1b`` or
``U+202E``, so nothing is lost and nothing acts on the terminal or the reader.
"""

from __future__ import annotations

import re

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls, DEL, C1 controls (U+0080-U+009F, U+009B is the 8-bit CSI), the line and paragraph
# separators (which end a line on some terminals), and the bidi controls
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI}]")
_UNSAFE_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}]")


def _shown(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"U+{code:04X}"


def visible(text: str, keep_lines: bool = False) -> str:
    """``text`` with every control and bidi character shown as ``\\x1b`` / ``U+202E``.

    ``keep_lines`` keeps newlines and tabs (for text that is laid out in lines, like a note).
    """
    pattern = _UNSAFE_KEEP_LINES if keep_lines else _UNSAFE
    return pattern.sub(_shown, text) if pattern.search(text) else text


def json_visible(text: str) -> str:
    """JSON text with every such character written as a ``\\uXXXX`` escape: the same JSON value.

    Outside string literals JSON holds only ASCII, so any such character is inside a string, where
    the escape means exactly that character: nothing is lost, and nothing reaches the terminal raw.
    """
    return _UNSAFE_KEEP_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _UNSAFE_KEEP_LINES.search(text) else text
