"""Grouped screening (issue 15): warning signs of one section on one screen, NHS 111 style.

The group's answer is not a clinical answer: "No, none of these" answers each listed question
"no"; "Yes, one or more" and "Not sure" go on to tick which apply and which are not sure, and the
rest are "no". The property tests walk the real ``Flow`` with the real engine for a person whose
true answers are an answer set, once one by one and once grouped (choosing "yes" or "not sure"
either way when both fit), and require the same answers, disposition and findings.
"""

from __future__ import annotations

import shutil

import pytest
from answer_sets import answer_sets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_interactive_support import EOF, Reply, as_ticked, calm_answers, planned, start_plain

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


def walk(flow: Flow, truths: dict, prefer: str | None = None, draw=None) -> list:
    """Answer as a person whose answers are ``truths`` would, as the session asks.

    A group is "No, none of these" when every listed member is no; otherwise "yes" or "not sure"
    (``prefer`` or ``draw`` chooses when both fit), then the members ticked as they are. A ticked
    member that is not a yes/no question (a headache) is then answered on its own."""
    asked = []
    while (item := flow.next_question()) is not None:
        asked.append(item.id)
        if isinstance(item, QuestionGroup):
            ticks = {q.id: as_ticked(truths.get(q.id, "no")) for q in flow.due_members(item)}
            fits = [code for code in ("yes", "not_sure") if code in ticks.values()]
            if not fits:
                flow.answer_group(item.id, "no")
                continue
            code = prefer if prefer in fits else draw(st.sampled_from(fits)) if draw and len(fits) > 1 else fits[0]
            flow.answer_group_items(item.id, code, {m: v for m, v in ticks.items() if v != "no"})
        else:
            flow.answer(item.id, truths.get(item.id))
    return asked


def outcome(flow: Flow):
    assessment = flow.assessment()
    return assessment.disposition, sorted(f.id for f in assessment.findings)


@pytest.mark.parametrize("prefer", [None, "not_sure", "yes"], ids=["either", "not-sure-first", "yes-first"])
@FAST
@given(data=st.data())
def test_grouped_and_one_by_one_give_the_same_answers_disposition_and_findings(ruleset, assessor, prefer, data):
    """Whichever of "yes" and "not sure" a person picks on a group where both fit, the answers, the
    disposition and the findings are those of the one-by-one path, and every "not sure" stays one."""
    truths = data.draw(answer_sets(ruleset))
    single, grouped = Flow(ruleset, assessor, grouped=False), Flow(ruleset, assessor)
    walk(single, truths)
    walk(grouped, truths, prefer=prefer, draw=data.draw)
    assert grouped.answers == single.answers
    assert outcome(grouped) == outcome(single)
    assert {q for q, v in grouped.answers.items() if v == "not_sure"} == {q for q, v in single.answers.items() if v == "not_sure"}


def test_none_of_these_answers_every_item_that_applies_no_and_back_returns_to_the_group(ruleset, assessor):
    flow = Flow(ruleset, assessor)
    group = flow.next_question()
    assert isinstance(group, QuestionGroup) and group.id == "emergency_signs_group"
    listed = [q.id for q in flow.due_members(group)]
    assert "light_or_vomiting" not in listed, "a follow-up is never listed"
    flow.answer_group(group.id, "no")
    assert {m: flow.answers[m] for m in listed} == dict.fromkeys(listed, "no") and "light_or_vomiting" not in flow.answers
    assert flow.back() is group and not any(m in flow.answers for m in listed) and flow.default_for(group) == "no"
    with pytest.raises(ValueError):
        flow.answer_group(group.id, "yes")  # "yes" says which
    with pytest.raises(ValueError):
        flow.answer_group_items(group.id, "yes", {})  # at least one ticked
    flow.answer_group_items(group.id, "yes", {"fever": "yes"})
    assert flow.answers["fever"] == "yes" and all(flow.answers[m] == "no" for m in listed if m != "fever")
    assert flow.next_question().id == "light_or_vomiting", "the follow-up of a ticked sign is asked on its own"
    assert flow.back() is group and not flow.answers and flow.default_for(group) == "yes"


def test_a_ticked_question_that_is_not_yes_no_is_asked_on_its_own(ruleset, assessor):
    flow = Flow(ruleset, assessor)
    group = ruleset.group_by_id["urgent_signs_group"]
    assert "headache" in group.members
    flow.answers.update(calm_answers(ruleset, assessor))
    for member in group.members:
        flow.answers.pop(member)
    flow.answer_group_items(group.id, "yes", {"headache": "yes", "dizziness": "yes"})
    assert flow.answers["dizziness"] == "yes" and "headache" not in flow.answers and flow.answers["swallowing"] == "no"
    assert flow.next_question().id == "headache"
    assert flow.back() is group
    flow.answer_group_items(group.id, "not_sure", {"headache": "not_sure"})
    assert flow.answers["headache"] == "not_sure" and flow.answers["dizziness"] == "no"


def test_a_group_lists_only_the_items_that_apply(ruleset, assessor):
    flow = Flow(ruleset, assessor)
    flow.answer_group("emergency_signs_group", "no")
    flow.answer("recent_injury", "no")
    assert flow.next_question().id == "nerve_signs_group"
    assert not any(m in flow.answers for m in ruleset.group_by_id["injury_signs_group"].members), "not applicable: not answered"


def test_a_draft_saved_after_a_group_continues_where_it_left_off(ruleset, assessor):
    flow = Flow(ruleset, assessor)
    flow.answer_group_items("emergency_signs_group", "not_sure", {"fever": "not_sure"})
    again = Flow(ruleset, assessor)
    again.restore(flow.state())
    assert again.state() == flow.state() and again.next_question().id == "light_or_vomiting"
    assert again.back().id == "emergency_signs_group" and not again.answers


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


def test_not_sure_on_the_group_asks_which_then_whether_any_other_applies(shipped_copy, ruleset, data_dir):
    group = ruleset.group_by_id["emergency_signs_group"]
    replies = [Reply("not_sure"), Reply(["stiff_chin"]), Reply(["none"])]
    run = start_plain(shipped_copy, planned({group.id: replies, "light_or_vomiting": [Reply("no")], "recent_injury": [EOF]}), data_dir)
    asked = [s for s in run.asked if s.question_id]
    assert [s.message for s in asked[1:3]] == ["Which of these are you not sure about?", "Do any of the others apply?"]
    assert [v for v, _ in asked[2].options] == [m for m in group.members if m != "stiff_chin"] + ["none"]
    draft = DraftStore(data_dir).load()
    assert draft.flow["answers"]["stiff_chin"] == "not_sure", "not sure is kept as not sure"
    assert all(draft.flow["answers"][m] == "no" for m in group.members if m != "stiff_chin")


def test_a_group_rejects_a_follow_up_or_a_question_that_is_not_yes_no(shipped_copy):
    questions = shipped_copy / "questions.yaml"
    text = questions.read_text(encoding="utf-8")
    questions.write_text(text.replace("members: [pmr_pattern, gca_signs]", "members: [pmr_pattern, gca_signs, serious_signs]"), encoding="utf-8")
    with pytest.raises(RulesError, match="member serious_signs is not a warning-sign question answered yes/no/not sure"):
        load_ruleset(shipped_copy)
    questions.write_text(text.replace("very_unwell]", "very_unwell, light_or_vomiting]"), encoding="utf-8")
    with pytest.raises(RulesError, match="light_or_vomiting is a follow-up of member fever, stiff_chin"):
        load_ruleset(shipped_copy)


def test_after_an_injury_the_questions_that_can_complete_an_emergency_come_next(ruleset, assessor):
    """An injury begins the emergency combinations (a limb that will not move or nerve signs; severe
    pain within 2 days): the questions that can complete one are asked before the sections between."""
    flow = Flow(ruleset, assessor)
    flow.answer_group("emergency_signs_group", "no")
    assert flow.next_question().id == "recent_injury"
    flow.answer("recent_injury", "yes")
    nerve = flow.next_question()
    assert nerve.id == "nerve_signs_group", "nerve signs, and a limb that will not move, right after the injury"
    assert "cannot_move_limb" in [q.id for q in flow.due_members(nerve)]
    flow.answer_group("nerve_signs_group", "no")
    assert flow.next_question().id == "injury_when"
    flow.answer("injury_when", "within_2_days")
    assert flow.next_question().id == "pain_now", "how bad the pain is, before the rest of the injury questions"
    calm = Flow(ruleset, assessor)
    calm.answer_group("emergency_signs_group", "no")
    calm.answer("recent_injury", "no")
    assert calm.next_question().id == "nerve_signs_group"
    assert "cannot_move_limb" not in [q.id for q in calm.due_members(calm.next_question())], "only after an injury"


def test_a_tick_that_makes_an_emergency_stops_the_group_at_once(shipped_copy, ruleset, data_dir):
    plan = {"emergency_signs_group": [Reply("no")], "recent_injury": [Reply("not_sure")],
            "nerve_signs_group": [Reply("not_sure"), Reply(["arm_numbness"])]}
    run = start_plain(shipped_copy, planned(plan), data_dir)
    asked = [s for s in run.asked if s.question_id == "nerve_signs_group"]
    assert [s.kind for s in asked] == ["choice", "multi"], "no 'do any of the others apply?' after the emergency"
    assert "EMERGENCY" in run.screen
