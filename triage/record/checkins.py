"""A check-in: today's pain and course on top of the last recorded questionnaire, and what the
rules that depend on time make of the recorded course.

The time thresholds stay in ``rules/thresholds.yaml``: a check-in does not re-implement them. It
derives today's answers to the questions they read, then runs the same rules on the last full
answers with today's answers in their place:

- ``duration_days``: the days the questionnaire was told, plus the days since it was recorded;
- ``trend``: ``worse`` if today is worse or the pain score is above the questionnaire's, ``better``
  only if the score is below it and today is not worse, else ``same`` (so "no better" is never
  read as better);
- ``pain_now``: today's score.

The warning-sign questions asked again are the red-flag questions of ``WARNING_SECTIONS`` (the
emergency signs, the nerve signs and the other urgent signs) and the questions grouped with them,
with any follow-up they bring; the check-in asks a group on one screen, as the questionnaire does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..assessment.outcome import Assessment
from ..errors import RulesError
from ..ruleset.conditions import iter_tests
from ..ruleset.load import Ruleset
from ..ruleset.model import Question, QuestionType
from .entries import PAIN

DURATION, TREND = "duration_days", "trend"
COURSES = (("better", "Better"), ("same", "About the same"), ("worse", "Worse"))
WARNING_SECTIONS = ("emergency_signs", "nerve_symptoms", "urgent_signs")


@dataclass(frozen=True)
class Course:
    """What the record says about the course, and the answers derived from it."""

    first: date  # the questionnaire's date
    last: date  # today
    checkins: int  # recorded check-ins on top of the questionnaire, today's included
    baseline_pain: int | None
    pain: int
    told: str  # today's answer: better / same / worse
    trend: str
    duration_days: int | None

    def answers(self) -> dict[str, Any]:
        derived: dict[str, Any] = {PAIN: self.pain, TREND: self.trend}
        if self.duration_days is not None:
            derived[DURATION] = self.duration_days
        return derived

    def because(self) -> str:
        count = f"{self.checkins} check-in{'s' if self.checkins != 1 else ''}"
        scores = f"pain {self.baseline_pain} then {self.pain}" if self.baseline_pain is not None else f"pain {self.pain}"
        started = f"; pain for about {self.duration_days} days" if self.duration_days is not None else ""
        return f"questionnaire on {self.first:%Y-%m-%d}, {count} to {self.last:%Y-%m-%d} ({scores}, {self.trend}{started})"


def check_questions(ruleset: Ruleset) -> None:
    """The questions a check-in fills in must be what it expects, or it cannot run (fail safe)."""
    by_id = ruleset.question_by_id
    expected = {PAIN: (QuestionType.pain,), DURATION: (QuestionType.integer,), TREND: (QuestionType.single,)}
    for qid, kinds in expected.items():
        question = by_id.get(qid)
        if question is None or question.type not in kinds:
            raise RulesError("questions.yaml", qid, "a check-in needs this question (pain 0-10, days, or the trend)")
    if set(by_id[TREND].codes) != {code for code, _ in COURSES}:
        raise RulesError("questions.yaml", TREND, "a check-in needs the answers better, same and worse")


def recorded_course(first_at: datetime, base_answers: dict[str, Any], earlier_checkins: int, pain: int, told: str,
                    now: datetime) -> Course:
    """The course from the questionnaire recorded at ``first_at`` to ``now``."""
    first, last = first_at.astimezone().date(), now.astimezone().date()
    baseline = base_answers.get(PAIN)
    baseline = baseline if isinstance(baseline, int) else None
    if told == "worse" or (baseline is not None and pain > baseline):
        trend = "worse"
    elif baseline is not None and pain < baseline:
        trend = "better"
    else:
        trend = "same"
    told_days = base_answers.get(DURATION)
    duration = min(told_days + (last - first).days, 3650) if isinstance(told_days, int) else None
    return Course(first, last, earlier_checkins + 1, baseline, pain, told, trend, duration)


def next_warning_question(ruleset: Ruleset, answers: dict[str, Any], asked: set[str]) -> Question | None:
    """The next warning-sign question that applies to the answers and was not asked today."""
    for question in ruleset.questions:
        if _due(ruleset, question, answers, asked):
            return question
    return None


def pending_members(ruleset: Ruleset, group, answers: dict[str, Any], asked: set[str]) -> list[Question]:
    """The members of ``group`` a check-in would still ask (``next_warning_question``), in file order."""
    members = set(group.members)
    return [q for q in ruleset.questions if q.id in members and _due(ruleset, q, answers, asked)]


def _due(ruleset: Ruleset, question: Question, answers: dict[str, Any], asked: set[str]) -> bool:
    """A warning sign (a red flag, or a question screened with them in a group) of the sections a
    check-in asks again, that applies and was not asked today."""
    return (question.section in WARNING_SECTIONS and (question.red_flag or question.id in ruleset.group_of)
            and question.id not in asked and question.asked_when(answers))


def is_warning(value: Any) -> bool:
    """A warning-sign answer that is not "no" (yes, not sure, a headache of any kind, any tick other
    than "none"): the full rules then run at once."""
    if isinstance(value, list):
        return any(code != "none" for code in value)
    return value != "no"


def time_reasons(ruleset: Ruleset, assessment: Assessment, course: Course) -> list[str]:
    """'<finding>: fired because of the questionnaire on DATE1, 3 check-ins to DATE2 (...)' for each
    finding that fired on the answers derived from the course."""
    derived = {DURATION, TREND}
    reasons = []
    for finding in assessment.findings:
        rule = ruleset.finding_by_id.get(finding.id)
        if rule is not None and derived & {test.q for test in iter_tests(rule.when)}:
            reasons.append(f"{finding.title} [{finding.level.value}]: fired because of the {course.because()}")
    return reasons
