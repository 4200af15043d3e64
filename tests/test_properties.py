"""Properties of whole assessments over the whole answer space (hypothesis, real engine).

Answer sets are drawn the way a person answers: walking the questions in order and answering each
one that applies. Properties: more red flags never lower the level, "not sure" never ranks below
"no", the same answers always give the same assessment, any valid answer set gives a complete
outcome, and the durable-rules engine gives the same assessment as the plain-Python oracle.
"""

from __future__ import annotations

import random

import pytest
from answer_sets import answer_for, multi_answer
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from triage.assessment.answers import applicable, parse_answers
from triage.assessment.assess import Assessor, ReferenceEvaluator
from triage.assessment.outcome import Assessment
from triage.report.terminal import assessment_text
from triage.ruleset.model import NO, NOT_SURE, Level, QuestionType

PROPERTY = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
def valid_answer_for(question) -> st.SearchStrategy:
    """Any answer the answers file accepts (a required tick-box question needs one choice or more)."""
    if question.type is QuestionType.multi and question.required:
        return multi_answer(question, 1)
    return answer_for(question)


@st.composite
def answer_sets(draw, ruleset, given: dict | None = None) -> dict:
    """Walk the questions in order and answer each one that applies, as a person would.

    With ``given`` (answers from an earlier walk, one of them changed), keep the answers that still
    apply, answer newly applicable questions, and drop answers to questions that no longer apply.
    """
    answers: dict = {}
    for question in ruleset.questions:
        if not applicable(question, answers):
            continue
        if given is not None and question.id in given:
            answers[question.id] = given[question.id]
        elif question.required or (given is None and draw(st.booleans())):
            answers[question.id] = draw(valid_answer_for(question))
    return answers


def red_flags_answered(ruleset, answers: dict, code: str) -> list[str]:
    return [
        q.id
        for q in ruleset.questions
        if q.red_flag and q.type is QuestionType.yes_no_unsure and answers.get(q.id) == code
    ]


@pytest.mark.parametrize("new_answer", ["yes", "not_sure"])
@PROPERTY
@given(data=st.data())
def test_switching_a_red_flag_from_no_never_lowers_the_level(rules_and_engine, new_answer, data):
    """More red flags never lower the level; 'not sure' never ranks below 'no' on a red-flag question."""
    ruleset, assessor = rules_and_engine
    base = data.draw(answer_sets(ruleset), label="base answers")
    candidates = red_flags_answered(ruleset, base, NO)
    assume(candidates)
    flipped_id = data.draw(st.sampled_from(candidates), label="red flag switched")
    flipped = data.draw(answer_sets(ruleset, {**base, flipped_id: new_answer}), label="answers after the switch")
    before = assessor.assess_answers(base).disposition
    after = assessor.assess_answers(flipped).disposition
    assert after.rank >= before.rank, f"{flipped_id}: no -> {new_answer} lowered {before.value} to {after.value}"


@PROPERTY
@given(data=st.data())
def test_same_answers_same_assessment(rules_and_engine, data):
    """Deterministic: the same answers, in any key order, on any engine instance, give the same JSON."""
    ruleset, assessor = rules_and_engine
    answers = data.draw(answer_sets(ruleset))
    first = assessor.assess_answers(answers).model_dump_json()
    shuffled = list(answers.items())
    random.Random(len(answers)).shuffle(shuffled)
    assert assessor.assess_answers(dict(shuffled)).model_dump_json() == first
    assert _second_engine(ruleset).assess_answers(answers).model_dump_json() == first


_SECOND_ENGINES: dict = {}


def _second_engine(ruleset) -> Assessor:
    """Another durable-rules engine for the same rules, built once (building one takes ~50 ms)."""
    if id(ruleset) not in _SECOND_ENGINES:
        _SECOND_ENGINES[id(ruleset)] = Assessor(ruleset)
    return _SECOND_ENGINES[id(ruleset)]


@PROPERTY
@given(data=st.data())
def test_any_valid_answer_set_gives_a_complete_safe_outcome(rules_and_engine, data):
    ruleset, assessor = rules_and_engine
    answers = data.draw(answer_sets(ruleset))
    parsed = parse_answers(ruleset, {"answers": answers}, source="generated")
    assert parsed.answers == answers
    outcome = assessor.assess(parsed)
    _check_outcome(ruleset, answers, outcome)
    assert Assessment.model_validate_json(outcome.model_dump_json()) == outcome
    assert assessor.to_json(outcome) == outcome.model_dump_json().encode()  # batch mode's quicker JSON
    text = assessment_text(outcome)
    assert outcome.level.if_worse in " ".join(text.split()) and outcome.disclaimer.split()[0] in text


def _check_outcome(ruleset, answers: dict, outcome: Assessment) -> None:
    levels = [f.level for f in outcome.findings]
    assert all(outcome.disposition.rank >= level.rank for level in levels)
    assert outcome.disposition.rank <= max([lvl.rank for lvl in levels] + [0]) + 1  # at most one level raised
    if outcome.disposition is Level.self_care:
        assert not outcome.findings or all(f.level is Level.self_care for f in outcome.findings)
    if outcome.exercises:
        assert outcome.disposition.rank <= Level.appointment.rank
    assert outcome.safety_net.items and outcome.disclaimer and outcome.level.if_worse
    unsure = {q.id for q in ruleset.questions if q.type is QuestionType.yes_no_unsure and answers.get(q.id) == NOT_SURE}
    assert {u.id for u in outcome.unknowns} == unsure  # every 'not sure' is listed as an unknown
    red_no = set(red_flags_answered(ruleset, answers, NO))
    assert {n.id for n in outcome.pertinent_negatives} == red_no


@PROPERTY
@given(data=st.data())
def test_durable_rules_and_the_python_oracle_give_the_same_assessment(rules_and_engine, data):
    ruleset, assessor = rules_and_engine
    answers = data.draw(answer_sets(ruleset))
    oracle = _oracle(ruleset)
    assert assessor.assess_answers(answers).model_dump_json() == oracle.assess_answers(answers).model_dump_json()


_ORACLES: dict = {}


def _oracle(ruleset) -> Assessor:
    if id(ruleset) not in _ORACLES:
        _ORACLES[id(ruleset)] = Assessor(ruleset, ReferenceEvaluator(ruleset))
    return _ORACLES[id(ruleset)]


def test_no_answers_fire_nothing(rules_and_engine):
    """The questionnaire skips assessing before the first answer because of this."""
    ruleset, assessor = rules_and_engine
    assert assessor.fired({}) == set()
    assert ReferenceEvaluator(ruleset).fired({}) == []


@PROPERTY
@given(data=st.data())
def test_no_red_flag_question_is_unreachable_for_the_people_its_source_covers(ruleset, data):
    """Every red-flag question is asked of everyone its source applies to (issue 13).

    Without an ask_when: asked for every answer set. Refining a symptom: decided by the answers to
    that symptom alone (a yes or not sure on a yes/no question always asks it). A population limit: asked for everyone inside the limit,
    whatever else they answered (the limit is evaluated on the answers about the person alone).
    """
    from triage.ruleset.load import POPULATION_SECTION

    answers = data.draw(answer_sets(ruleset))
    about_person = {q.id: answers[q.id] for q in ruleset.questions if q.section == POPULATION_SECTION and q.id in answers}
    for question in ruleset.questions:
        if not question.red_flag:
            continue
        reason = question.ask_when_reason
        if question.ask_when is None:
            must_ask = True
        elif reason and reason.refines:  # decided by the refined symptom's answer alone
            refined = {qid: answers[qid] for qid in reason.refines if qid in answers}
            must_ask = question.asked_when(refined)
            assert not refined or must_ask or not any(answers[qid] in ("yes", "not_sure") for qid in refined
                                                      if not isinstance(answers[qid], list)), f"{question.id}: yes/not sure on {sorted(refined)} but not asked"
        else:
            assert reason and reason.population, f"{question.id}: hidden red flag without a reason"
            must_ask = question.asked_when(about_person)
        if must_ask:
            assert question.id in answers, f"{question.id} was not asked although its source covers this person"
