"""Hypothesis strategies for complete, valid answer sets of any ruleset."""

from __future__ import annotations

from hypothesis import strategies as st

from triage.assessment.answers import applicable
from triage.ruleset.model import Question, QuestionType


def multi_answer(question: Question, min_size: int) -> st.SearchStrategy:
    """A tick-box answer: 'none' alone, or any other choices (never 'none' beside another: refused)."""
    others = [code for code in question.codes if code != "none"]
    ticks = st.lists(st.sampled_from(others), unique=True, min_size=min_size)
    return st.one_of(st.just(["none"]), ticks) if "none" in question.codes else ticks


def answer_for(question: Question) -> st.SearchStrategy:
    kind = question.type
    if kind in (QuestionType.yes_no_unsure, QuestionType.single):
        return st.sampled_from(question.codes)
    if kind is QuestionType.multi:
        return multi_answer(question, 1 if question.required else 0)
    if kind is QuestionType.text:
        return st.text(max_size=40)
    low, high = question.bounds
    return st.integers(low, high)


@st.composite
def answer_sets(draw, ruleset):
    """Walk the questions in asking order and answer each one that applies, like a person would."""
    answers: dict = {}
    for question in ruleset.questions:
        if not applicable(question, answers):
            continue
        if not question.required and draw(st.booleans()):
            continue
        answers[question.id] = draw(answer_for(question))
    return answers
