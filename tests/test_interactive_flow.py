"""The questionnaire's course without any screen: order, follow-ups, back, edits, finishing quickly."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_interactive_support import calm_answers, candidates, screens

from triage.assessment.answers import applicable, parse_answers
from triage.interactive.flow import Flow, _effective_urgency, asking_order, essential_ids
from triage.ruleset.conditions import iter_tests
from triage.ruleset.load import load_ruleset
from triage.ruleset.model import Level
from triage.ruleset.yamlio import load_yaml


def _section_ranks(ruleset):
    urgency = _effective_urgency(ruleset)
    best: dict[str, int] = {}
    for q in ruleset.questions:
        best[q.section] = max(best.get(q.section, -1), urgency[q.id])
    return best


def _check_order(ruleset):
    order = asking_order(ruleset)
    assert sorted(q.id for q in order) == sorted(q.id for q in ruleset.questions)
    position = {q.id: i for i, q in enumerate(order)}
    for q in order:
        for test in iter_tests(q.ask_when):
            assert position[test.q] < position[q.id], f"{q.id} asked before {test.q}, which it depends on"
    ranks = _section_ranks(ruleset)
    seen = [ranks[q.section] for q in order]
    assert seen == sorted(seen, reverse=True), "a less urgent section is asked before a more urgent one"
    sections = [q.section for q in order]
    assert len({s for s in sections}) == len([s for i, s in enumerate(sections) if i == 0 or sections[i - 1] != s])
    return order


def test_order_asks_the_most_urgent_sections_first_and_follow_ups_after_their_parents(ruleset, mini_ruleset):
    order = _check_order(ruleset)
    first = order[0]
    assert first.red_flag and _effective_urgency(ruleset)[first.id] == Level.emergency.rank
    _check_order(mini_ruleset)


def test_order_does_not_depend_on_where_a_section_is_written(rules_copy):
    """Moving the warning-sign section to the end of the file does not delay its questions."""
    path = rules_copy / "questions.yaml"
    document = load_yaml(path.read_text())
    sections = document["sections"]
    document["sections"] = {k: sections[k] for k in [*list(sections)[1:], list(sections)[0]]}
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    ruleset = load_ruleset(rules_copy)
    order = _check_order(ruleset)
    assert order[0].id == "chest"


def test_back_takes_back_the_last_answer_and_remembers_it(mini_ruleset, mini_assessor):
    flow = Flow(mini_ruleset, mini_assessor)
    assert flow.back() is None  # nothing to take back at the first question
    for qid, value in (("chest", "no"), ("injury", "yes"), ("numb", "no")):
        assert flow.next_question().id == qid
        flow.answer(qid, value)
    assert flow.back().id == "numb"
    assert "numb" not in flow.answers and flow.default_for(flow.next_question()) == "no"
    assert flow.back().id == "injury"
    flow.answer("injury", "no")  # the follow-up about numbness no longer applies
    assert flow.next_question().id == "cancer"
    assert flow.history == ["chest", "injury"]
    flow.back()
    flow.answer("injury", "yes")  # asked again, with the earlier answer offered
    assert flow.next_question().id == "numb" and flow.default_for(flow.next_question()) == "no"


def test_an_edit_from_the_review_drops_follow_ups_that_no_longer_apply(mini_ruleset, mini_assessor):
    flow = Flow(mini_ruleset, mini_assessor)
    answers = {"chest": "no", "injury": "yes", "numb": "no", "cancer": "no", "night_pain": "no", "age": 40,
               "pain_now": 3, "sleep": "side"}
    while (q := flow.next_question()) is not None:
        flow.answer(q.id, answers.get(q.id))
    assert flow.is_finished() and "numb" in flow.answers
    flow.edit("injury")
    assert flow.editing and flow.next_question().id == "injury" and flow.default_for(flow.next_question()) == "yes"
    flow.answer("injury", "no")
    assert "numb" not in flow.answers and "numb" not in flow.history and flow.is_finished()
    flow.edit("age")
    assert flow.back() is None and not flow.editing and flow.answers["age"] == 40  # back cancels an edit


def test_assessment_so_far_is_the_assessors(ruleset, assessor):
    answers = calm_answers(ruleset, assessor)
    flow = Flow(ruleset, assessor)
    while (q := flow.next_question()) is not None:
        screens(flow, q, answers)
    assert flow.answers == answers
    complete = parse_answers(ruleset, {"answers": answers})
    assert flow.assessment() == assessor.assess(complete)
    assert flow.assessment().disposition is Level.self_care


def test_finishing_quickly_still_asks_every_red_flag_and_every_question_a_finding_reads(ruleset, assessor):
    essential = essential_ids(ruleset)
    read_by_findings = {t.q for f in ruleset.findings for t in iter_tests(f.when)}
    assert {q.id for q in ruleset.questions if q.red_flag} <= essential and read_by_findings <= essential
    flow = Flow(ruleset, assessor, grouped=False)
    flow.finish_quickly()
    asked = []
    while (q := flow.next_question()) is not None:
        asked.append(q.id)
        flow.answer(q.id, candidates(q)[0])
    assert set(asked) <= essential
    assert not [q for q in ruleset.questions if q.red_flag and applicable(q, flow.answers) and q.id not in flow.answers]
    flow.reconsider_quick(Level.within_24h)
    assert not flow.quick and flow.next_question() is not None  # the everyday questions come back


def test_state_round_trips_through_a_draft(mini_ruleset, mini_assessor):
    flow = Flow(mini_ruleset, mini_assessor)
    for qid, value in (("chest", "no"), ("injury", "yes"), ("numb", "not_sure")):
        flow.answer(qid, value)
    flow.back()
    again = Flow(mini_ruleset, mini_assessor)
    again.restore(flow.state())
    assert again.state() == flow.state() and again.next_question().id == "numb"


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_walk_with_backs_ends_with_only_applicable_answers(mini_ruleset, mini_assessor, data):
    """Whatever the person does (answer, back, edit), no stale follow-up answer survives."""
    flow = Flow(mini_ruleset, mini_assessor)
    for _ in range(data.draw(st.integers(5, 30))):
        question = flow.next_question()
        action = data.draw(st.sampled_from(["answer", "answer", "back", "edit"]))
        if question is None or action == "edit":
            if flow.answers:
                flow.edit(data.draw(st.sampled_from(sorted(flow.answers))))
            continue
        if action == "back":
            flow.back()
            continue
        choices = candidates(question) + ([None] if not question.required else [])
        flow.answer(question.id, data.draw(st.sampled_from(choices)))
        for qid in flow.answers:
            assert applicable(mini_ruleset.question_by_id[qid], flow.answers)
        assert sorted(flow.history) == sorted(set(flow.answers) | flow.declined)
