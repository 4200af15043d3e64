"""What to ask, as data both front ends understand: one ``Ask`` per prompt, plus answer checks.

A front end turns an ``Ask`` into a prompt and returns the chosen value, ``BACK`` (the person wants
the previous question) or ``NOTE`` (a nurse wants to add a note to this question). Checking typed
numbers lives here, so both front ends reject the same input with the same message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from ..report.wrapping import unit_for
from ..ruleset.vocabulary import MAX_NAME, MAX_TEXT, QuestionType

if TYPE_CHECKING:
    from ..ruleset.model import Question, QuestionGroup

# A group's answers: "yes" first, then "no", then "not sure", as on every yes/no question.
GROUP_OPTIONS = (("yes", "Yes, one or more"), ("no", "No, none of these"), ("not_sure", "Not sure"))


class Signal:
    """A prompt result that is not an answer."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


BACK = Signal("back")
NOTE = Signal("note")

Kind = Literal["choice", "multi", "number", "text", "confirm"]


@dataclass(frozen=True)
class Ask:
    kind: Kind
    message: str
    options: tuple[tuple[Any, str], ...] = ()
    default: Any = None
    low: int | None = None
    high: int | None = None
    hint: str | None = None  # shown with the question: help text, pain anchors
    required: bool = True
    back: bool = False  # the person may go back from here
    note: bool = False  # a nurse may attach a note here
    check: Callable[[str], str | None] | None = None  # text answers: an error message, or None
    range_text: str = ""  # numbers: 'from 0 (no pain) to 10 (worst imaginable)'
    question_id: str | None = None  # set when the prompt asks a questionnaire question

    def parse_number(self, text: str) -> tuple[int | None, str | None]:
        return parse_number(text, self.low, self.high, self.range_text or f"from {self.low} to {self.high}")


_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,6}\Z", re.ASCII)


def parse_number(text: str, low: int | None, high: int | None, range_text: str) -> tuple[int | None, str | None]:
    """(the whole number typed, None) or (None, a message saying what to type)."""
    cleaned = text.strip()
    message = f"Please type a whole number {range_text}."
    if not _WHOLE_NUMBER.match(cleaned):  # ASCII digits only: not '--5', '²' or other scripts' digits
        return None, message
    value = int(cleaned)
    if (low is not None and value < low) or (high is not None and value > high):
        return None, message
    return value, None


def question_ask(question: Question, nurse: bool, default: Any, back: bool) -> Ask:
    """The prompt for one questionnaire question, in the person's or the nurse's wording."""
    common = {"message": question.wording(nurse), "hint": _hint(question, nurse), "back": back, "note": nurse,
              "question_id": question.id}
    kind = question.type
    if kind in (QuestionType.yes_no_unsure, QuestionType.single):
        return Ask("choice", options=_options(question, nurse), default=default, **common)
    if kind is QuestionType.multi:
        return Ask("multi", options=_options(question, nurse), default=default or [], required=question.required, **common)
    if kind is QuestionType.text:
        return Ask("text", default=default or "", required=question.required, check=check_text, **common)
    low, high = question.bounds  # type: ignore[misc]
    return Ask("number", default=default, low=low, high=high, range_text=range_text(question), **common)


def group_list(members: list[Question], nurse: bool) -> str:
    """The group's questions that apply, each in full, one per line (wrapped under its dash)."""
    return "\n".join(f"- {q.wording(nurse)}" for q in members)


def group_ask(group: QuestionGroup, nurse: bool, default: Any, back: bool) -> Ask:
    """The prompt for a group screen (its list is shown just before it, by ``group_list``)."""
    hint = group.help_nurse if nurse and group.help_nurse else group.help
    return Ask("choice", group.wording(nurse), options=GROUP_OPTIONS, default=default, hint=hint, back=back,
               question_id=group.id)


UNSURE_ABOUT_OTHERS = "__unsure_about_others__"
NONE_OF_THEM = "none"  # exclusive, like every "None of these"


def which_ask(group: QuestionGroup, members: list[Question], nurse: bool, short: Mapping[str, str], ticking: str,
              first: bool) -> Ask:
    """A tick-box of a group's questions by their short names (the full questions are on the
    screen just above), after "Yes, one or more" or "Not sure".

    ``ticking`` is "yes" (which apply?) or "not_sure" (which are you not sure about?); ``first``
    is the step after the group screen: its "yes" list ends with a box for not being sure about
    some of the others, and the step that follows asks only about the members still open."""
    options = tuple((q.id, short.get(q.id) or q.wording(nurse)) for q in members)
    if ticking == "yes" and first:
        message = "Which of these apply?"
        extra = ((UNSURE_ABOUT_OTHERS, "Not sure about one or more of the others" if nurse
                  else "I am not sure about one or more of the others"),)
        hint = "Tick each one that applies. Any left unticked is recorded as no, unless the last box is ticked." if nurse \
            else "Tick each one that applies to you. Any you leave unticked counts as no, unless you tick the last box."
    elif ticking == "yes":
        message = "Do any of the others apply?"
        extra = ((NONE_OF_THEM, "None of them"),)
        hint = "Tick each one that applies; any left unticked is recorded as no." if nurse \
            else "Tick each one that applies to you; any you leave unticked counts as no."
    else:
        if nurse:
            message = "Which of these cannot be ruled out?" if first else "Which of the others cannot be ruled out?"
        else:
            message = "Which of these are you not sure about?" if first else "Which of the others are you not sure about?"
        extra = ()
        hint = ("Tick each one that cannot be ruled out; they are recorded as not sure (never as no). "
                + ("Then: do any of the others apply?" if first else "Any left unticked is recorded as no.")) if nurse else \
               ("Tick each one you cannot answer for sure; they are kept as not sure, never as no. "
                + ("Then you say if any of the others apply." if first else "Any you leave unticked counts as no."))
    return Ask("multi", message, options=options + extra, default=[], hint=hint, back=True, question_id=group.id)


def range_text(question: Question) -> str:
    """'from 0 (no pain) to 10 (worst pain imaginable)' or 'from 0 to 120 (years)'."""
    low, high = question.bounds  # type: ignore[misc]
    anchors = question.anchors or {}
    if anchors:
        return f"from {low} ({anchors.get(low, low)}) to {high} ({anchors.get(high, high)})"
    unit = f" ({question.unit})" if question.unit else ""
    return f"from {low} to {high}{unit}"


def _options(question: Question, nurse: bool) -> tuple[tuple[str, str], ...]:
    return tuple((code, question.choice_label(code, nurse)) for code in shown_order(question))


def shown_order(question: Question) -> tuple[str, ...]:
    """The choice codes in the order they are shown: on every question that is answered yes or no,
    the "yes" answers first, then "no", then "not sure", as on the yes/no/not sure questions, so
    the same answer is in the same place everywhere. Other questions keep the rules' order."""
    codes = question.codes
    if question.type is not QuestionType.single:
        return codes

    def kind(code: str) -> int:
        label = question.choice_label(code).lower()
        if code == "not_sure":
            return 2
        if code == "no" or label == "no" or label.startswith("no,"):
            return 1
        return 0 if label == "yes" or label.startswith("yes,") else -1

    kinds = [kind(code) for code in codes]
    if 1 not in kinds or 0 not in kinds or -1 in kinds:
        return codes
    return tuple(sorted(codes, key=lambda code: kinds[codes.index(code)]))


def _hint(question: Question, nurse: bool = False) -> str | None:
    parts = []
    if question.type is QuestionType.pain and question.anchors:
        parts.append("   ".join(f"{n} = {text}" for n, text in sorted(question.anchors.items())))
    if question.help_text(nurse):
        parts.append(question.help_text(nurse))
    return "\n".join(parts) or None


def answer_text(question: Question, value: Any, nurse: bool = False) -> str:
    """An answer as the person would say it: 'Not sure', 'Desk work, Phone cradling', '6 / 10'."""
    if value is None:
        return "(skipped)"
    kind = question.type
    if kind is QuestionType.multi:
        return ", ".join(question.choice_label(code, nurse) for code in value) or "(none)"
    if kind in (QuestionType.yes_no_unsure, QuestionType.single):
        return question.choice_label(value, nurse)
    if kind is QuestionType.pain:
        return f"{value} / 10"
    if kind is QuestionType.integer and question.unit:
        return f"{value} {unit_for(value, question.unit)}"
    return str(value)


def check_date_of_birth(text: str) -> str | None:
    """None if ``text`` is empty or a past date written YYYY-MM-DD; otherwise what to type."""
    if not text.strip():
        return None
    try:
        born = date.fromisoformat(text.strip())
    except ValueError:
        return "Please type the date as YYYY-MM-DD (for example 1980-04-02), or leave it empty."
    if born > date.today():
        return "That date is in the future. Please type the date of birth as YYYY-MM-DD."
    if born.year < 1880:
        return "Please check the year of birth."
    return None


def check_not_empty(text: str) -> str | None:
    return None if text.strip() else "Please type something here."


def _too_long(text: str, limit: int) -> str | None:
    length = len(text.strip())
    return f"Please shorten this to at most {limit} characters (it has {length})." if length > limit else None


def check_text(text: str) -> str | None:
    """A free-text answer or a note: at most MAX_TEXT characters, like an answers file."""
    return _too_long(text, MAX_TEXT)


def check_name(text: str) -> str | None:
    """A nurse's name: not empty, at most MAX_NAME characters."""
    return check_not_empty(text) or _too_long(text, MAX_NAME)


def check_optional_name(text: str) -> str | None:
    """A patient's name (may be left empty): at most MAX_NAME characters."""
    return _too_long(text, MAX_NAME)


def check_reason(text: str) -> str | None:
    """The written reason for lowering a disposition: words (letters), at most MAX_TEXT characters."""
    if not any(char.isalpha() for char in text):
        return "Please write the reason in words."
    return _too_long(text, MAX_TEXT)
