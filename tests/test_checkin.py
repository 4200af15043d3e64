"""Check-ins on top of a recorded questionnaire, on dates the test chooses: the time rules fire from
the recorded course, a warning sign is assessed at once, and nothing is recorded on Ctrl-C.

The real rules, the real engine, the real SQLite file and the real front ends (``--plain`` lines and
prompt_toolkit's pipe input); the clock is passed in.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_interactive_support import (
    Reply,
    ScriptedArrows,
    ScriptedLines,
    arrow_terminal,
    calm_answers,
    default_reply,
    group_members,
    group_reply,
)

from triage.assessment.answers import AnswersFile
from triage.errors import UserError
from triage.interactive.checkin import COURSE_MESSAGE, run_checkin
from triage.record.checkins import WARNING_SECTIONS, recorded_course
from triage.record.entries import record_assessment, recorded_assessment
from triage.record.store import RecordStore

pytestmark = pytest.mark.timeout(60)

DAY0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def day(n: int) -> datetime:
    return DAY0 + timedelta(days=n)


@pytest.fixture
def store(tmp_path):
    with RecordStore(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
def base(ruleset, assessor, store):
    """A calm questionnaire recorded on day 0: pain 4 for 1 day, about the same."""
    answers = {**calm_answers(ruleset, assessor), "pain_now": 4, "duration_days": 1, "trend": "same"}
    answers_file = AnswersFile(answers=answers)
    assessment = assessor.assess(answers_file)
    assert not assessment.findings
    return record_assessment(store, answers_file, assessment, started=day(0) - timedelta(minutes=5), ended=day(0),
                             source="questionnaire")


def script(pain: int, course: str, signs: dict | None = None):
    signs = signs or {}

    def reply(spec):
        if spec.question_id == "pain_now":
            return Reply(pain)
        if spec.message == COURSE_MESSAGE:
            return Reply(course)
        if spec.question_id in signs:
            return Reply(signs[spec.question_id])
        members = group_members(spec.question_id)
        if members is not None:  # a group screen, or its tick-boxes: as the signs say
            return Reply(group_reply(spec, members, signs))
        return default_reply(spec)

    return reply


def check_in(store, rules_dir, when: datetime, pain: int, course: str, signs: dict | None = None):
    prompter = ScriptedLines(script(pain, course, signs))
    code = run_checkin(store, rules_dir, prompter, None, when)
    return code, prompter.stdout.getvalue(), prompter.asked


def last_checkin(store):
    return store.entry(store.history()[0].id)


def fired(store) -> list[str]:
    return recorded_assessment(last_checkin(store)).finding_ids


def test_no_better_after_7_days_of_check_ins_fires_with_its_dates(store, base):
    for n in (2, 4, 6):
        code, _, _ = check_in(store, None, day(n), 4, "same")
        assert code == 0 and "no_improvement_1_week" not in fired(store)
    code, screen, _ = check_in(store, None, day(7), 4, "same")
    assert code == 0
    assert "no_improvement_1_week" in fired(store), "1 day told + 7 days recorded = 8 days, no better"
    assert last_checkin(store).disposition == "appointment"
    screen = " ".join(screen.split())  # wrapped at the terminal's width
    assert "fired because of the questionnaire on 2026-03-02, 4 check-ins to 2026-03-09" in screen
    assert "pain for about 8 days" in screen


def test_better_by_the_scores_does_not_fire(store, base):
    code, screen, _ = check_in(store, None, day(8), 2, "better")
    assert code == 0 and "no_improvement_1_week" not in fired(store)
    assert "From the recorded course" not in screen


def test_saying_better_with_the_same_score_is_not_read_as_better(store, base):
    check_in(store, None, day(8), 4, "better")
    assert "no_improvement_1_week" in fired(store)


def test_worse_after_4_days_fires(store, base):
    check_in(store, None, day(4), 5, "worse")
    assert "worse_despite_self_care" in fired(store)
    assert last_checkin(store).disposition == "appointment"


def test_still_there_at_6_weeks_fires(store, base):
    check_in(store, None, day(42), 3, "same")
    assert "persistent_6_weeks" in fired(store), "1 + 42 days is more than 6 weeks"


def test_a_warning_sign_is_assessed_at_once_and_an_emergency_stops_the_check_in(store, base, ruleset):
    code, screen, asked = check_in(store, None, day(1), 4, "same", {"chest_pain": "yes"})
    assert code == 0
    assert "EMERGENCY" in screen
    asked_ids = [spec.question_id for spec in asked if spec.question_id]
    group = ruleset.group_of["chest_pain"].id
    assert asked_ids == ["pain_now", group, group], "the group screen, which one, and nothing more after an emergency"
    assert last_checkin(store).disposition == "emergency"


def test_not_sure_is_never_read_as_no(store, base, ruleset):
    check_in(store, None, day(1), 4, "same", {"dizziness": "not_sure"})
    assert last_checkin(store).disposition != "self_care"
    assert any("dizziness" in finding for finding in fired(store))


def test_the_warning_signs_asked_again_are_the_grouped_screens_of_the_questionnaire(store, base, ruleset):
    _, screen, asked = check_in(store, None, day(1), 4, "same")
    asked_ids = [spec.question_id for spec in asked if spec.question_id and spec.question_id != "pain_now"]
    groups = [ruleset.group_by_id[qid] for qid in asked_ids]
    assert [g.section for g in groups] == list(WARNING_SECTIONS), "one screen per section: 'No, none of these' to each"
    listed = [m for g in groups for m in g.members if ruleset.question_by_id[m].ask_when is None]  # no injury recorded
    assert {"chest_pain", "stroke_signs", "arm_weakness", "bladder_bowel", "dizziness", "headache"} <= set(listed)
    flat = " ".join(screen.split())
    assert all(" ".join(ruleset.question_by_id[m].ask.split()) in flat for m in listed), "each listed in full"
    assert len(asked) <= 6, "a check-in takes under a minute: pain, course and three screens"


def test_a_follow_up_brought_by_a_warning_sign_is_asked(store, base):
    _, _, asked = check_in(store, None, day(1), 4, "same", {"fever": "yes"})
    assert "light_or_vomiting" in [spec.question_id for spec in asked]


def test_end_of_input_records_nothing(store, base):
    prompter = ScriptedLines(lambda spec: Reply(signal="eof") if spec.message == COURSE_MESSAGE else Reply(5))
    assert run_checkin(store, None, prompter, None, day(1)) == 130
    assert [row.id for row in store.history()] == [base]


def test_ctrl_c_records_nothing(store, base):
    prompter = ScriptedLines(lambda spec: Reply(signal="interrupt") if spec.message == COURSE_MESSAGE else Reply(5))
    with pytest.raises(KeyboardInterrupt):
        run_checkin(store, None, prompter, None, day(1))
    assert [row.id for row in store.history()] == [base]


def test_a_check_in_needs_a_recorded_questionnaire(tmp_path):
    with RecordStore(tmp_path / "empty") as empty, pytest.raises(UserError, match="no records for 'me'"):
        run_checkin(empty, None, ScriptedLines(script(4, "same")), None, day(1))


def test_a_check_in_on_the_arrow_keys_front_end(store, base):
    with arrow_terminal() as (pipe, screen):
        prompter = ScriptedArrows(script(6, "worse"), pipe)
        assert run_checkin(store, None, prompter, None, day(3)) == 0
    assert "worse_despite_self_care" in fired(store)
    assert "▁" in screen.getvalue() or "▄" in screen.getvalue() or "▅" in screen.getvalue()


def test_a_check_in_for_a_patient(store, ruleset, assessor):
    answers = AnswersFile(answers={**calm_answers(ruleset, assessor), "duration_days": 2, "pain_now": 3, "trend": "same"},
                          patient={"name": "Ann Example", "date_of_birth": "1980-04-02"})
    record_assessment(store, answers, assessor.assess(answers), started=day(0), ended=day(0), source="file")
    prompter = ScriptedLines(script(3, "same"))
    assert run_checkin(store, None, prompter, "Ann Example", day(8)) == 0
    entry = last_checkin(store)
    assert entry.person.name == "Ann Example"
    assert "no_improvement_1_week" in recorded_assessment(entry).finding_ids


@pytest.mark.parametrize(
    ("baseline", "pain", "told", "trend"),
    [(4, 4, "same", "same"), (4, 4, "better", "same"), (4, 3, "same", "better"), (4, 3, "worse", "worse"),
     (4, 5, "better", "worse"), (None, 5, "better", "same"), (None, 5, "worse", "worse")],
)
def test_the_trend_from_the_course(baseline, pain, told, trend):
    answers = {"duration_days": 3} | ({"pain_now": baseline} if baseline is not None else {})
    course = recorded_course(day(0), answers, 0, pain, told, day(5))
    assert course.trend == trend
    assert course.duration_days == 8


def test_rules_a_check_in_cannot_use_stop_it_before_anything_is_recorded(store, base):
    from conftest import MINI_RULES

    from triage.errors import TriageError

    with pytest.raises(TriageError) as raised:
        check_in(store, MINI_RULES, day(1), 4, "same")
    assert raised.value.exit_code in (1, 2)
    assert [row.id for row in store.history()] == [base]
