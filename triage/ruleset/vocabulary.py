"""The fixed vocabulary of the rules: the disposition scale and the kinds of question.

Plain enums, no pydantic: the first screen is drawn with them before the rule models are built.
``rules_model`` uses and re-exports them.
"""

from __future__ import annotations

from enum import Enum

# What people type: the answers file's limits, which every prompt enforces too
MAX_TEXT = 2000  # a free-text answer, a note, an override reason
MAX_NAME = 200  # a patient's or a nurse's name


class Level(str, Enum):
    """The five-level disposition scale, most urgent first (fixed by the clinical brief)."""

    emergency = "emergency"
    urgent = "urgent"
    within_24h = "within_24h"
    appointment = "appointment"
    self_care = "self_care"

    @property
    def rank(self) -> int:
        """0 for self_care up to 4 for emergency: a higher rank is more urgent."""
        return _RANK[self]

    def raised(self) -> "Level":
        """The next more urgent level (emergency stays emergency)."""
        return LEVEL_ORDER[min(self.rank + 1, len(LEVEL_ORDER) - 1)]


LEVEL_ORDER = (Level.self_care, Level.appointment, Level.within_24h, Level.urgent, Level.emergency)
_RANK = {level: rank for rank, level in enumerate(LEVEL_ORDER)}


def most_urgent(levels) -> Level:
    """The most urgent of ``levels``; ``self_care`` when there are none."""
    return max(levels, key=lambda level: level.rank, default=Level.self_care)


class QuestionType(str, Enum):
    yes_no_unsure = "yes_no_unsure"
    single = "single"
    multi = "multi"
    integer = "integer"
    pain = "pain"  # 0-10 numeric rating scale
    text = "text"


YES, NO, NOT_SURE = "yes", "no", "not_sure"
YES_NO_UNSURE_CODES = (YES, NO, NOT_SURE)


NONE = "none"  # the "None of these" code of a tick-box list: it excludes every other choice


def none_with_others(question_id: str, picked) -> str | None:
    """The one-line problem when a tick-box answer has "None of these" beside another choice."""
    if isinstance(picked, (list, tuple)) and NONE in picked and len(picked) > 1:
        others = ", ".join(str(code) for code in picked if code != NONE)
        return f"answers.{question_id}: 'none' (None of these) cannot be chosen together with {others}"
    return None
