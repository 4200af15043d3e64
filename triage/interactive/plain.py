"""The ``--plain`` front end: the same questions as numbered lists, answered one line at a time.

For screen readers, ``TERM=dumb`` and pipes: nothing is redrawn, every choice has a number, and the
person types the number (or the words of the choice). ``back`` goes back; in nurse mode ``note``
adds a note. End of input raises ``EOFError``, which the caller treats like Ctrl-C (a draft is saved).

When the input is not a terminal (a pipe, a file), every line read is echoed after its prompt, so the
output is a log that can be checked, and a line that is not an answer stops the run (``PipedInputError``,
exit 2, naming the question) instead of asking again: asking again would shift every later line onto
the wrong question. Every line written is wrapped at the terminal's width (``wrapping``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from ..errors import AnswersError, UserError
from ..report.wrapping import terminal_width, wrap_block
from ..ruleset.vocabulary import none_with_others
from ..text_safety import visible
from .asks import BACK, NOTE, Ask

BACK_WORDS = ("back", "b")
NOTE_WORDS = ("note",)
YES_WORDS = ("y", "yes")
NO_WORDS = ("n", "no")


class PipedInputError(UserError):
    """A line of piped input that does not answer the question it was read for (exit 2)."""


class PlainPrompter:
    """``interactive``: a person types at a terminal (default: whether ``stdin`` is one).

    ``width``: the columns to wrap at (default: the terminal's, at least 40, read at each line)."""

    def __init__(self, stdin: TextIO, stdout: TextIO, interactive: bool | None = None, width: int | None = None):
        self.stdin, self.stdout = stdin, stdout
        self.interactive = _isatty(stdin) if interactive is None else interactive
        self._width = width
        self._meanwhile: Callable[[], None] | None = None
        self._lines_read = 0
        self._asking: Ask | None = None
        self._prompt_end = 0

    @property
    def width(self) -> int:
        return self._width or terminal_width()

    def show(self, text: str, style: str = "") -> None:
        self.stdout.write(wrap_block(visible(text, keep_lines=True), self.width) + "\n")  # typed names and notes: no escape sequences
        self.stdout.flush()

    def ask(self, spec: Ask, meanwhile: Callable[[], None] | None = None) -> Any:
        """The answer to ``spec``; ``meanwhile`` runs once the question is written (``first_screen``)."""
        self._meanwhile, self._asking = meanwhile, spec
        self.show("")
        self.show(spec.message)
        if spec.hint:
            self.show(spec.hint)
        answer = _ASKERS[spec.kind](self, spec)
        self._run_meanwhile()
        return answer

    def read(self, prompt: str) -> str:
        # The prompt is wrapped like any line; the answer is typed after its last line.
        shown = wrap_block(prompt.rstrip(), self.width - 6)  # room for a short answer after it
        self._prompt_end = len(shown.rsplit("\n", 1)[-1]) + 1
        self.stdout.write(shown + " ")
        self.stdout.flush()
        self._run_meanwhile()
        line = self.stdin.readline()
        if not line:
            if not self.interactive:
                self.stdout.write("\n")
            raise EOFError
        self._lines_read += 1
        if not self.interactive:  # nothing echoes a pipe: write the answer, so the output is a log
            typed = line.rstrip("\r\n")
            room = self._prompt_end + len(typed) <= self.width
            self.stdout.write((typed if room else "\n" + typed) + "\n")
            self.stdout.flush()
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
            if not self.interactive:
                raise PipedInputError(self._not_an_answer(line, error))
            self.show(error)

    def _not_an_answer(self, line: str, error: str) -> str:
        asked = " ".join((self._asking.message if self._asking else "").split())
        shown = line if len(line) <= 40 else line[:37] + "..."
        return (f"input line {self._lines_read}: {shown!r} does not answer {asked!r}: {error} "
                "Nothing after it was read, so no later answer lands on the wrong question.")

    def _numbered(self, spec: Ask, chosen=()) -> None:
        for n, (value, label) in enumerate(spec.options, 1):
            mark = " (chosen before)" if value in chosen else ""
            self.show(f"  {n}. {label}{mark}")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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
        answer = [value for value, _ in spec.options if value in picked]
        problem = none_with_others(spec.question_id or "answer", answer)
        if problem:  # a contradiction, not a typo: refused (exit 2), as in an answers file
            raise AnswersError(problem)
        return answer, None

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
