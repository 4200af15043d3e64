"""The arrow-key front end: each ``Ask`` becomes a questionary prompt.

questionary has no "back", so Ctrl-B and Escape are merged into every prompt's key bindings and end
it with ``BACK``; in nurse mode Ctrl-T ends it with ``NOTE``. ``unsafe_ask`` is used throughout, so
Ctrl-C raises ``KeyboardInterrupt`` (handled once, at the top) and is never taken for an answer.
"""

from __future__ import annotations

import asyncio
import functools
import textwrap
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.application import application as _application
from prompt_toolkit.application import get_app_session
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.output import ColorDepth

from ..report.wrapping import MIN_WIDTH, wrap_block
from ..ruleset.vocabulary import none_with_others
from ..text_safety import visible
from .asks import BACK, NOTE, Ask

MAX_SHORTCUTS = 9  # beyond 9, questionary's shortcuts turn into letters: arrows only then
# Columns questionary puts before an option's label: the pointer (" » "), then "1) " for a
# shortcut (choice) or the tick-box ("○ ", multi). Long labels are wrapped to start under the label.
POINTER_WIDTH, SHORTCUT_WIDTH, TICK_BOX_WIDTH = 3, 3, 2
DEFAULT_BINDING_LOADERS = ("load_key_bindings", "load_page_navigation_bindings")


def share_default_key_bindings() -> None:
    """Build prompt_toolkit's default key bindings once per process instead of once per prompt.

    Every prompt_toolkit ``Application`` builds its default bindings from scratch (about 2,000:
    emacs, vi, mouse, page navigation), and questionary's select and checkbox make three
    Applications per prompt, two of them only to borrow a layout. That was about 70% of the work of
    showing each question. The bindings hold no state once built: their handlers and filters look
    at the running application when a key is pressed, so every prompt can use the same set.
    Idempotent; a test checks that prompts really share them, so a prompt_toolkit release that
    builds them elsewhere fails the tests instead of silently slowing down.
    """
    for name in DEFAULT_BINDING_LOADERS:
        loader = getattr(_application, name)
        if not hasattr(loader, "cache_info"):
            setattr(_application, name, functools.cache(loader))


share_default_key_bindings()


class ArrowPrompter:
    """Prompts for a real terminal. ``NO_COLOR`` is honoured by prompt_toolkit itself."""

    interactive = True  # a person at a terminal answers: prompts may ask again, offer drafts

    def __init__(self, color: bool = True):
        self.color_depth = None if color else ColorDepth.MONOCHROME

    @property
    def width(self) -> int:
        """The terminal's columns now (it may have been resized), at least ``MIN_WIDTH``."""
        return max(MIN_WIDTH, get_app_session().output.get_size().columns)

    def show(self, text: str, style: str = "") -> None:
        # One column short of the edge: a line exactly as wide as the terminal wraps on some terminals.
        text = visible(text, keep_lines=True)  # typed names and notes: no escape sequences
        print_formatted_text(FormattedText([(style, wrap_block(text, self.width - 1))]), color_depth=self.color_depth)

    def ask(self, spec: Ask, meanwhile: Callable[[], None] | None = None) -> Any:
        """The answer to ``spec``; ``meanwhile`` runs once the prompt is on screen (``first_screen``)."""
        width = max(MIN_WIDTH - 4, self.width - 4)
        spec = asked = _visible(spec)
        spec = replace(spec, message=_fill(spec.message, width), hint=_fill(spec.hint, width, "  ") if spec.hint else None)
        question = _BUILDERS[spec.kind](spec, width, color_depth=self.color_depth)
        _add_keys(question, spec)
        # questionary would leave the question with its answer on one line, cut at the terminal's
        # edge; instead the prompt is wiped and the answer shown again below, wrapped like any text.
        question.application.erase_when_done = True
        result = question.unsafe_ask() if meanwhile is None else _ask_while(question, _Meanwhile(meanwhile))
        if result is BACK or result is NOTE:
            return result
        answer = result if spec.kind in ("choice", "confirm") else _FINISHERS[spec.kind](spec, result)
        self._echo(asked, answer)
        return answer

    def _echo(self, spec: Ask, answer: Any) -> None:
        """'? The question  The answer', wrapped at the terminal's width."""
        labels = dict(spec.options)
        if spec.kind == "confirm":
            shown = "Yes" if answer else "No"
        elif spec.kind == "choice":
            shown = labels.get(answer, str(answer))
        elif spec.kind == "multi":
            shown = ", ".join(labels.get(value, str(value)) for value in answer or ()) or "(none)"
        else:
            shown = "(skipped)" if answer is None else str(answer)
        message = " ".join(spec.message.split())
        text = wrap_block(f"? {message}  {shown}", self.width - 1)
        split = len(text) - len(shown)
        print_formatted_text(FormattedText([("bold", text[:2]), ("", text[2:split]), ("fg:ansicyan", text[split:])]),
                             color_depth=self.color_depth)


def _visible(spec: Ask) -> Ask:
    """The prompt's own text with control and bidi characters shown (typed text stays editable as it is)."""
    options = tuple((value, visible(label)) for value, label in spec.options)
    hint = visible(spec.hint, keep_lines=True) if spec.hint else spec.hint
    return replace(spec, message=visible(spec.message, keep_lines=True), hint=hint, options=options)


class _Meanwhile:
    """Work run once while a prompt is up; its error is kept to end the prompt with."""

    def __init__(self, work: Callable[[], None]):
        self.work, self.done, self.error = work, False, None

    def run(self) -> None:
        if not self.done:
            self.done = True
            try:
                self.work()
            except BaseException as error:  # noqa: BLE001 - raised from the prompt, whatever it is
                self.error = error

    def run_in(self, app) -> None:
        """Run inside the prompt's event loop; an error ends the prompt at once."""
        self.run()
        if self.error is not None and app.future is not None and not app.future.done():
            app.exit(exception=self.error)

    def finish(self) -> None:
        """Run now if the answer came first; raise the work's error."""
        self.run()
        if self.error is not None:
            raise self.error


def _ask_while(question: questionary.Question, meanwhile: _Meanwhile) -> Any:
    """Ask, running ``meanwhile`` in the prompt's event loop right after the prompt is first drawn.

    prompt_toolkit fires ``after_render`` once the screen has been written and flushed; the work is
    queued behind that redraw, so the question is on screen while it runs. Keys typed meanwhile wait
    in the input and are handled as soon as it is done."""
    app = question.application
    queued = False

    def after_render(_app) -> None:
        nonlocal queued
        if not queued:
            queued = True
            asyncio.get_running_loop().call_soon(meanwhile.run_in, app)

    app.after_render.add_handler(after_render)
    result = question.unsafe_ask()
    meanwhile.finish()
    return result


def _fill(text: str, width: int, indent: str = "") -> str:
    """Wrap at word boundaries (the terminal would break words), keeping the text's own lines."""
    return wrap_block("\n".join(indent + line for line in text.splitlines()), width)


def _label(label: str, width: int, indent: int) -> str:
    """An option's label wrapped at word boundaries, its further lines under its first word.

    prompt_toolkit cuts a line at the terminal's edge, and the part cut off may be the part that
    matters ("... or medicines that lower your immunity"), so every word must stay on screen."""
    return ("\n" + " " * indent).join(textwrap.wrap(label, max(20, width - indent), break_long_words=False)) or label


def _instruction(spec: Ask, keys: str, width: int) -> str:
    """Shown while the prompt waits: the question's help (on its own lines), then the keys."""
    extra = [keys] if keys else []
    if spec.back:
        extra.append("Ctrl-B back")
    if spec.note:
        extra.append("Ctrl-T note")
    line = f"({'; '.join(extra)})" if extra else ""
    if spec.hint:
        return f"\n{spec.hint}\n  {line}" if line else f"\n{spec.hint}\n "
    if len(spec.message.splitlines()[-1]) + len(line) + 4 > width:
        return f"\n  {line}"
    return line


def _choice(spec: Ask, width: int, **kwargs) -> questionary.Question:
    shortcuts = len(spec.options) <= MAX_SHORTCUTS
    keys = f"arrows or 1-{len(spec.options)}, then Enter" if shortcuts else "arrows, then Enter"
    values = [value for value, _ in spec.options]
    indent = POINTER_WIDTH + (SHORTCUT_WIDTH if shortcuts else 0)
    return questionary.select(
        spec.message,
        choices=[questionary.Choice(title=_label(label, width, indent), value=value) for value, label in spec.options],
        default=spec.default if spec.default in values else None,
        use_shortcuts=shortcuts,
        instruction=_instruction(spec, keys, width),
        **kwargs,
    )


def _multi(spec: Ask, width: int, **kwargs) -> questionary.Question:
    chosen = set(spec.default or ())

    keys = "Space or its number" if len(spec.options) <= MAX_SHORTCUTS else "Space"

    # questionary shows these on one line at the foot of the list: short enough for 60 columns
    def validate(picked: list) -> bool | str:
        if none_with_others(spec.question_id or "answer", picked):
            return "'None of these' goes alone: untick the others (Space)."
        return bool(picked) or not spec.required or f"Tick at least one ({keys}), then Enter."

    return questionary.checkbox(
        spec.message,
        choices=[
            questionary.Choice(title=_label(label, width, POINTER_WIDTH + TICK_BOX_WIDTH), value=value, checked=value in chosen)
            for value, label in spec.options
        ],
        validate=validate,
        instruction=_instruction(spec, _tick_keys(spec), width),
        **kwargs,
    )


def _tick_keys(spec: Ask) -> str:
    if len(spec.options) <= MAX_SHORTCUTS:
        return f"Space or 1-{len(spec.options)} to tick, Enter when done"
    return "Space to tick, Enter when done"


def _number(spec: Ask, width: int, **kwargs) -> questionary.Question:
    def validate(text: str) -> bool | str:
        return spec.parse_number(text)[1] or True

    default = "" if spec.default is None else str(spec.default)
    keys = f"a number {spec.low}-{spec.high}"
    return questionary.text(spec.message, default=default, validate=validate, instruction=_instruction(spec, keys, width),
                            reserve_space_for_menu=0, **kwargs)


def _text(spec: Ask, width: int, **kwargs) -> questionary.Question:
    def validate(text: str) -> bool | str:
        if spec.required and not text.strip():
            return "Please type an answer."
        return (spec.check(text) if spec.check else None) or True

    keys = "" if spec.required else "Enter to skip"
    return questionary.text(spec.message, default=spec.default or "", validate=validate, instruction=_instruction(spec, keys, width),
                            reserve_space_for_menu=0, **kwargs)


def _confirm(spec: Ask, width: int, **kwargs) -> questionary.Question:
    return questionary.confirm(spec.message, default=bool(spec.default), **kwargs)


_BUILDERS = {"choice": _choice, "multi": _multi, "number": _number, "text": _text, "confirm": _confirm}
_FINISHERS = {
    "multi": lambda spec, picked: list(picked) or None,
    "number": lambda spec, text: spec.parse_number(text)[0],
    "text": lambda spec, text: text.strip() or None,
}


def _add_keys(question: questionary.Question, spec: Ask) -> None:
    """Ctrl-B / Escape end the prompt with BACK; Ctrl-T (nurse) ends it with NOTE."""
    bindings = KeyBindings()
    if spec.back:
        for key in ("c-b", "escape"):
            bindings.add(key, eager=True)(_leave_with(BACK))
    if spec.note:
        bindings.add("c-t", eager=True)(_leave_with(NOTE))
    if spec.kind == "multi" and len(spec.options) <= MAX_SHORTCUTS:
        _add_number_ticks(bindings, question)
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings])


def _leave_with(signal):
    """A key handler that ends the prompt with ``signal`` and wipes it (it was not answered)."""

    def leave(event) -> None:
        event.app.erase_when_done = True
        event.app.exit(result=signal)

    return leave


def _add_number_ticks(bindings: KeyBindings, question: questionary.Question) -> None:
    """In a tick-box list, typing an item's number moves to it and ticks (or unticks) it.

    questionary's checkbox has no number keys; its own Space binding does the ticking, so the
    state and the validation stay exactly questionary's."""
    control = _choices_control(question)
    if control is None:
        return
    space = next((b for b in question.application.key_bindings.bindings if b.keys == (" ",)), None)

    def tick(number: int):
        def handler(event) -> None:
            control.pointed_at = number - 1
            if space is not None:
                space.handler(event)

        return handler

    for number in range(1, len(control.choices) + 1):
        bindings.add(str(number), eager=True)(tick(number))


def _choices_control(question: questionary.Question):
    from questionary.prompts.common import InquirerControl

    for window in question.application.layout.find_all_windows():
        if isinstance(window.content, InquirerControl):
            return window.content
    return None
