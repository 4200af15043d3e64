"""The ``--plain`` front end: the same questions as numbered lists, answered one line at a time.

For screen readers, ``TERM=dumb`` and pipes: nothing is redrawn, every choice has a number, and the
person types the number (or the words of the choice). ``back`` goes back; in nurse mode ``note``
adds a note. End of input raises ``EOFError``, which the caller treats like Ctrl-C (a draft is saved).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from ..text_safety import visible
from .asks import BACK, NOTE, Ask

BACK_WORDS = ("back", "b")
NOTE_WORDS = ("note",)
YES_WORDS = ("y", "yes")
NO_WORDS = ("n", "no")


class PlainPrompter:
    def __init__(self, stdin: TextIO, stdout: TextIO):
        self.stdin, self.stdout = stdin, stdout
        self._meanwhile: Callable[[], None] | None = None

    def show(self, text: str, style: str = "") -> None:
        self.stdout.write(visible(text, keep_lines=True) + "\n")  # typed names and notes: no escape sequences
        self.stdout.flush()

    def ask(self, spec: Ask, meanwhile: Callable[[], None] | None = None) -> Any:
        """The answer to ``spec``; ``meanwhile`` runs once the question is written (``first_screen``)."""
        self._meanwhile = meanwhile
        self.show("")
        self.show(spec.message)
        if spec.hint:
            self.show(spec.hint)
        answer = _ASKERS[spec.kind](self, spec)
        self._run_meanwhile()
        return answer

    def read(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        self._run_meanwhile()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.strip()

    def _run_meanwhile(self) -> None:
        work, self._meanwhile = self._meanwhile, None
        if work is not None:
            work()

    def until_valid(self, spec: Ask, prompt: str, parse) -> Any:
        """Read lines until ``parse`` accepts one; 'back' and 'note' are answered here."""
        while True:
            line = self.read(prompt)
            signal = _signal(spec, line)
            if signal is not None:
                return signal
            value, error = parse(line)
            if error is None:
                return value
            self.show(error)

    def _numbered(self, spec: Ask, chosen=()) -> None:
        for n, (value, label) in enumerate(spec.options, 1):
            mark = " (chosen before)" if value in chosen else ""
            self.show(f"  {n}. {label}{mark}")


def _signal(spec: Ask, line: str):
    word = line.lower()
    if spec.back and word in BACK_WORDS:
        return BACK
    if spec.note and word in NOTE_WORDS:
        return NOTE
    return None


def _commands(spec: Ask) -> str:
    words = [w for w, on in (("'back'", spec.back), ("'note'", spec.note)) if on]
    return f", or {' or '.join(words)}" if words else ""


def _keeps(spec: Ask, shown: str | None) -> str:
    return f" [Enter keeps {shown}]" if shown else ""


def _choice(p: PlainPrompter, spec: Ask) -> Any:
    p._numbered(spec)
    default = next(((n, label) for n, (value, label) in enumerate(spec.options, 1) if value == spec.default), None)
    keeps = f" [Enter = {default[0]}]" if default else ""
    prompt = f"Type a number from 1 to {len(spec.options)}{_commands(spec)}{keeps}: "

    def parse(line: str):
        if not line and default:
            return spec.options[default[0] - 1][0], None
        found = _option_for(spec, line)
        return (found, None) if found is not None else (None, f"Please type a number from 1 to {len(spec.options)}.")

    return p.until_valid(spec, prompt, parse)


def _option_for(spec: Ask, word: str) -> Any:
    if word.isdigit() and 1 <= int(word) <= len(spec.options):
        return spec.options[int(word) - 1][0]
    for value, label in spec.options:
        if word.lower() in (label.lower(), str(value).lower()):
            return value
    return None


def _multi(p: PlainPrompter, spec: Ask) -> Any:
    chosen = tuple(spec.default or ())
    p._numbered(spec, chosen)
    numbers = " ".join(str(n) for n, (value, _) in enumerate(spec.options, 1) if value in chosen)
    empty = f"Enter keeps {numbers}" if numbers else "Enter for none" if not spec.required else "at least one"
    prompt = f"Type the numbers of all that apply, separated by spaces ({empty}){_commands(spec)}: "

    def parse(line: str):
        if not line and chosen:
            return list(chosen), None
        if not line:
            return (None, None) if not spec.required else (None, "Please choose at least one number.")
        picked = [_option_for(spec, word) for word in line.replace(",", " ").split()]
        if None in picked:
            return None, f"Please type numbers from 1 to {len(spec.options)}, separated by spaces."
        return [value for value, _ in spec.options if value in picked], None

    return p.until_valid(spec, prompt, parse)


def _number(p: PlainPrompter, spec: Ask) -> Any:
    kept = None if spec.default is None else str(spec.default)
    prompt = f"Type a number {spec.range_text}{_commands(spec)}{_keeps(spec, kept)}: "

    def parse(line: str):
        if not line and kept is not None:
            return spec.default, None
        return spec.parse_number(line)

    return p.until_valid(spec, prompt, parse)


def _text(p: PlainPrompter, spec: Ask) -> Any:
    how = "" if spec.required else " (Enter to skip)"
    prompt = f"Type your answer{how}{_commands(spec)}{_keeps(spec, spec.default or None)}: "

    def parse(line: str):
        text = line or (spec.default or "")
        if not text:
            return (None, None) if not spec.required else (None, "Please type an answer.")
        error = spec.check(text) if spec.check else None
        return (None, error) if error else (text, None)

    return p.until_valid(spec, prompt, parse)


def _confirm(p: PlainPrompter, spec: Ask) -> Any:
    prompt = "Type y or n" + (" [Enter = yes]: " if spec.default else " [Enter = no]: ")

    def parse(line: str):
        word = line.lower()
        if not word:
            return bool(spec.default), None
        if word in YES_WORDS or word in NO_WORDS:
            return word in YES_WORDS, None
        return None, "Please type y (yes) or n (no)."

    return p.until_valid(spec, prompt, parse)


_ASKERS = {"choice": _choice, "multi": _multi, "number": _number, "text": _text, "confirm": _confirm}
