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

    def __init__(self, color: bool = True):
        self.color_depth = None if color else ColorDepth.MONOCHROME

    def show(self, text: str, style: str = "") -> None:
        print_formatted_text(FormattedText([(style, visible(text, keep_lines=True))]), color_depth=self.color_depth)

    def ask(self, spec: Ask, meanwhile: Callable[[], None] | None = None) -> Any:
        """The answer to ``spec``; ``meanwhile`` runs once the prompt is on screen (``first_screen``)."""
        width = max(40, get_app_session().output.get_size().columns - 4)
        spec = _visible(spec)
        spec = replace(spec, message=_fill(spec.message, width), hint=_fill(spec.hint, width, "  ") if spec.hint else None)
        question = _BUILDERS[spec.kind](spec, width, color_depth=self.color_depth)
        _add_keys(question, spec)
        result = question.unsafe_ask() if meanwhile is None else _ask_while(question, _Meanwhile(meanwhile))
        if result is BACK or result is NOTE or spec.kind in ("choice", "confirm"):
            return result
        return _FINISHERS[spec.kind](spec, result)


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
    return "\n".join(textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent) for line in text.splitlines())


def _label(label: str, width: int, indent: int) -> str:
    """An option's label wrapped at word boundaries, its further lines under its first word.

    prompt_toolkit cuts a line at the terminal's edge, and the part cut off may be the part that
    matters ("... or medicines that lower your immunity"), so every word must stay on screen."""
    return ("\n" + " " * indent).join(textwrap.wrap(label, max(20, width - indent))) or label


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

    def validate(picked: list) -> bool | str:
        return bool(picked) or not spec.required or "Please tick at least one (use Space), then press Enter."

    return questionary.checkbox(
        spec.message,
        choices=[
            questionary.Choice(title=_label(label, width, POINTER_WIDTH + TICK_BOX_WIDTH), value=value, checked=value in chosen)
            for value, label in spec.options
        ],
        validate=validate,
        instruction=_instruction(spec, "Space to tick, Enter when done", width),
        **kwargs,
    )


def _number(spec: Ask, width: int, **kwargs) -> questionary.Question:
    def validate(text: str) -> bool | str:
        return spec.parse_number(text)[1] or True

    default = "" if spec.default is None else str(spec.default)
    keys = f"a number {spec.low}-{spec.high}"
    return questionary.text(spec.message, default=default, validate=validate, instruction=_instruction(spec, keys, width), **kwargs)


def _text(spec: Ask, width: int, **kwargs) -> questionary.Question:
    def validate(text: str) -> bool | str:
        if spec.required and not text.strip():
            return "Please type an answer."
        return (spec.check(text) if spec.check else None) or True

    keys = "" if spec.required else "Enter to skip"
    return questionary.text(spec.message, default=spec.default or "", validate=validate, instruction=_instruction(spec, keys, width), **kwargs)


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
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings, bindings])


def _leave_with(signal):
    """A key handler that ends the prompt with ``signal`` and wipes it (it was not answered)."""

    def leave(event) -> None:
        event.app.erase_when_done = True
        event.app.exit(result=signal)

    return leave
