"""Grouped screening (issue 15): warning signs of one section on one screen, NHS 111 style.

The group's answer is not a clinical answer: "No, none of these" answers each listed question
"no", and "Yes" or "Not sure" opens each one. The property tests walk the real ``Flow`` with the
real engine for a person whose true answers are an answer set, once one by one and once grouped,
and require the same answers, disposition and findings.
"""

from __future__ import annotations

import shutil

import pytest
from answer_sets import answer_sets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_interactive_support import EOF, Reply, calm_answers, group_value, planned, start_plain

from triage.errors import RulesError
from triage.interactive.flow import Flow
from triage.interactive.store import DraftStore
from triage.ruleset.files import rules_dir as default_rules_dir
from triage.ruleset.load import load_ruleset
from triage.ruleset.model import QuestionGroup

@pytest.fixture
def shipped_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def walk(flow: Flow, truths: dict, group_answer=None) -> list:
    """Answer as a person whose answers are ``truths``; ``group_answer`` forces every group's answer."""
    asked = []
    while (item := flow.next_question()) is not None:
        asked.append(item.id)
        if isinstance(item, QuestionGroup):
            members = [q.id for q in flow.due_members(item)]
            flow.answer_group(item.id, group_answer or group_value(members, truths))
        else:
            flow.answer(item.id, truths.get(item.id))
    return asked


def outcome(flow: Flow):
    assessment = flow.assessment()
    return assessment.disposition, sorted(f.id for f in assessment.findings)


@FAST
@given(data=st.data())
def test_grouped_and_one_by_one_give_the_same_answers_disposition_and_findings(ruleset, assessor, data):
    truths = data.draw(answer_sets(ruleset))
    single, grouped = Flow(ruleset, assessor, grouped=False), Flow(ruleset, assessor)
    walk(single, truths)
    walk(grouped, truths)
    assert grouped.answers == single.answers
    assert outcome(grouped) == outcome(single)


@FAST
@given(data=st.data())
def test_not_sure_on_every_group_opens_every_item_and_changes_nothing(ruleset, assessor, data):
    truths = data.draw(answer_sets(ruleset))
    single, unsure = Flow(ruleset, assessor, grouped=False), Flow(ruleset, assessor)
    walk(single, truths)
    asked = walk(unsure, truths, group_answer="not_sure")
    assert unsure.answers == single.answers and outcome(unsure) == outcome(single)
    for group in ruleset.groups:  # every member that applies was asked on its own
        assert all(m in asked for m in group.members if m in single.answers)


def test_none_of_these_answers_every_item_that_applies_no_and_back_returns_to_the_group(ruleset, assessor):
    flow = Flow(ruleset, assessor)
    group = flow.next_question()
    assert isinstance(group, QuestionGroup) and group.id == "emergency_signs_group"
    listed = [q.id for q in flow.due_members(group)]
    assert "light_or_vomiting" not in listed, "a follow-up is never listed"
    flow.answer_group(group.id, "no")
    assert {m: flow.answers[m] for m in listed} == dict.fromkeys(listed, "no") and "light_or_vomiting" not in flow.answers
    assert flow.back() is group and not any(m in flow.answers for m in listed) and flow.default_for(group) == "no"
    flow.answer_group(group.id, "yes")
    first = flow.next_question()
    assert first.id == listed[0] and not flow.answers
    assert flow.back() is group and flow.next_question() is group, "back from the first item returns to the group"


def test_a_group_lists_only_the_items_that_apply(ruleset, assessor):
    flow = Flow(ruleset, assessor)
    flow.answer_group("emergency_signs_group", "no")
    flow.answer("recent_injury", "no")
    assert flow.next_question().id == "nerve_signs_group"
    assert not any(m in flow.answers for m in ruleset.group_by_id["injury_signs_group"].members), "not applicable: not answered"


def test_a_draft_saved_mid_group_continues_with_the_next_item(ruleset, assessor):
    flow = Flow(ruleset, assessor)
    flow.answer_group("emergency_signs_group", "not_sure")
    flow.answer("chest_pain", "no")
    again = Flow(ruleset, assessor)
    again.restore(flow.state())
    assert again.state() == flow.state() and again.next_question().id == "stroke_signs"
    assert again.back().id == "chest_pain" and again.back().id == "emergency_signs_group"


def test_the_session_shows_the_group_and_none_of_these_answers_the_items(shipped_copy, ruleset, assessor, data_dir):
    group = ruleset.group_by_id["emergency_signs_group"]
    run = start_plain(shipped_copy, planned({group.id: [Reply("no")], "recent_injury": [EOF]}), data_dir)
    assert run.code == 130
    screen = " ".join(run.screen.split())
    assert "Yes, one or more" in screen and "No, none of these" in screen
    assert all(" ".join(ruleset.question_by_id[m].ask.split()) in screen for m in group.members), "every item is listed in full"
    assert [s.question_id for s in run.asked if s.question_id] == [group.id, "recent_injury"]
    draft = DraftStore(data_dir).load()
    assert draft.flow["answers"] == dict.fromkeys(group.members, "no") and draft.flow["history"] == [group.id]


def test_not_sure_on_the_group_asks_every_item(shipped_copy, ruleset, data_dir):
    group = ruleset.group_by_id["emergency_signs_group"]
    run = start_plain(shipped_copy, planned({group.id: [Reply("not_sure")], "recent_injury": [EOF]}), data_dir)
    asked = [s.question_id for s in run.asked if s.question_id]
    assert asked[0] == group.id and all(m in asked for m in group.members)


def test_a_group_rejects_a_follow_up_or_a_question_that_is_not_yes_no(shipped_copy):
    questions = shipped_copy / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    questions.write_text(text.replace("members: [pmr_pattern, gca_signs]", "members: [pmr_pattern, gca_signs, serious_signs]"), encoding="utf-8")
    with pytest.raises(RulesError, match="member serious_signs is not a yes/no/not sure red-flag question"):
        load_ruleset(shipped_copy)
    questions.write_text(text.replace("very_unwell]", "very_unwell, light_or_vomiting]"), encoding="utf-8")
    with pytest.raises(RulesError, match="light_or_vomiting is a follow-up of member fever, stiff_chin"):
        load_ruleset(shipped_copy)
