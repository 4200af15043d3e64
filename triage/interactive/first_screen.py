"""A new questionnaire's first screen, shown while the rules are loaded and validated.

Loading the rules builds some 30 pydantic models and validates and cross-checks every rule file:
most of the work before the first question. Yet a new questionnaire always opens on the same
screen: for a person, the first section's heading and the first question; for a nurse, the first
question about the visit. ``triage rules compile`` records both screens by running the real session
on the validated rules up to its first question, and saves them in ``rules/first_screen.json`` with
the digest of the rule files they came from.

At start-up, while the rule files still have that digest, the recorded screen is drawn at once and
the rules are loaded while the person reads it. Nothing is taken from unvalidated rules:

- the prompt returns its answer only after the rules have loaded and passed every check; if they
  fail, the prompt ends at once with the error, which fails safe as before;
- the session then runs on the validated rules through ``Replay``, which gives it the recorded
  answer only when the session shows exactly the recorded screen and asks exactly the recorded
  question. Anything else (a stale recording, changed code) is shown and asked for real.

A prompter used here takes ``ask(spec, meanwhile=work)``: it calls ``work()`` once the prompt is on
screen and before it returns the answer, and an error from ``work`` ends the prompt.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from ..errors import RulesError
from ..ruleset.files import digest_of
from .asks import Ask, check_date_of_birth, check_name, check_not_empty

FIRST_SCREEN = "first_screen.json"
FIRST_SCREEN_FORMAT = 2
MODES = {"patient": False, "nurse": True}  # screen name -> nurse mode
CHECKS = {check.__name__: check for check in (check_not_empty, check_name, check_date_of_birth)}  # recorded by name

Loaded = TypeVar("Loaded")


@dataclass(frozen=True)
class FirstScreen:
    shows: tuple[tuple[str, str], ...]  # (text, style) shown before the question
    ask: Ask

    @classmethod
    def saved(cls, directory: Path, nurse: bool = False) -> FirstScreen | None:
        """The recorded first screen of the rules in ``directory``; None unless it is theirs as they are now."""
        try:
            content = json.loads((directory / FIRST_SCREEN).read_bytes())
            if content["format"] != FIRST_SCREEN_FORMAT or content["rules_sha256"] != digest_of(directory):
                return None
            return cls.from_json(content["screens"]["nurse" if nurse else "patient"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RulesError):  # no usable recording
            return None

    def show_while(self, prompter, load: Callable[[], Loaded]) -> tuple[Loaded, Replay]:
        """Show this screen, run ``load`` while it is up: what it loaded, and the prompter to go on with."""
        for text, style in self.shows:
            prompter.show(text, style)
        loaded: list[Loaded] = []
        answer = prompter.ask(self.ask, meanwhile=lambda: loaded.append(load()))
        if not loaded:
            raise RuntimeError(f"{type(prompter).__name__} returned an answer without loading the rules first")
        return loaded[0], Replay(prompter, self, answer)

    def to_json(self) -> dict:
        ask = {f.name: getattr(self.ask, f.name) for f in fields(Ask)}
        ask["check"] = self.ask.check and self.ask.check.__name__
        return {"show": [list(shown) for shown in self.shows], "ask": ask}

    @classmethod
    def from_json(cls, data: dict) -> FirstScreen:
        ask = dict(data["ask"])
        ask["options"] = tuple(tuple(option) for option in ask["options"])
        ask["check"] = ask["check"] and CHECKS[ask["check"]]
        return cls(shows=tuple((text, style) for text, style in data["show"]), ask=Ask(**ask))


class Replay:
    """A prompter for the session that answers the first screen with what the person already chose.

    Only while the session's calls are exactly the recorded ones, in order: the recorded texts are
    not shown twice and the recorded question returns its answer. From the first call that differs,
    everything goes to the real prompter.
    """

    def __init__(self, prompter, screen: FirstScreen, answer: Any):
        self.prompter = prompter
        self.answer = answer
        self._expected: list[tuple] = [("show", text, style) for text, style in screen.shows] + [("ask", screen.ask)]

    @property
    def interactive(self) -> bool:
        return getattr(self.prompter, "interactive", True)

    def show(self, text: str, style: str = "") -> None:
        if not self._replays(("show", text, style)):
            self.prompter.show(text, style)

    def ask(self, spec: Ask) -> Any:
        return self.answer if self._replays(("ask", spec)) else self.prompter.ask(spec)

    def _replays(self, call: tuple) -> bool:
        if self._expected and self._expected[0] == call:
            self._expected.pop(0)
            return True
        self._expected.clear()
        return False


# --- recording (``triage rules compile``) ----------------------------------------------------------


class _Recorded(Exception):
    """Raised at the first question: the screen is recorded."""


class _Recorder:
    def __init__(self):
        self.shows: list[tuple[str, str]] = []
        self.ask_spec: Ask | None = None

    def show(self, text: str, style: str = "") -> None:
        self.shows.append((text, style))

    def ask(self, spec: Ask) -> Any:
        self.ask_spec = spec
        raise _Recorded


def record_first_screen(ruleset, nurse: bool = False) -> FirstScreen:
    """The screen a new questionnaire on ``ruleset`` opens with, from the real session."""
    from ..assessment.assess import Assessor  # recording needs the whole session; start-up never records
    from .session import Session
    from .store import DraftStore

    recorder = _Recorder()
    with tempfile.TemporaryDirectory() as unused:  # the session saves nothing before its first answer
        session = Session(ruleset, Assessor(ruleset, lazy=True), recorder, DraftStore(Path(unused)), nurse=nurse)
        try:
            session.run()
        except _Recorded:
            pass
    spec = recorder.ask_spec
    if spec is None or (spec.check is not None and CHECKS.get(spec.check.__name__) is not spec.check):
        raise ValueError("a new questionnaire must open with a question that can be recorded")
    screen = FirstScreen(tuple(recorder.shows), spec)
    if FirstScreen.from_json(json.loads(json.dumps(screen.to_json()))) != screen:
        raise ValueError("the first screen does not survive being saved as JSON")
    return screen


def first_screen_text(ruleset) -> str:
    """The content of first_screen.json for ``ruleset``."""
    from ..ruleset.load import REGENERATE_PARSED

    note = (f"Generated from the rule files by `{REGENERATE_PARSED}`; shown while the rules load, only while "
            "rules_sha256 matches them, and checked against the loaded rules before its answer is used.")
    screens = {name: record_first_screen(ruleset, nurse).to_json() for name, nurse in MODES.items()}
    content = {"format": FIRST_SCREEN_FORMAT, "note": note, "rules_sha256": ruleset.digest, "screens": screens}
    return json.dumps(content, ensure_ascii=False, indent=1) + "\n"
