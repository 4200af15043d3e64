"""The interactive questionnaire driven with real keystrokes through prompt_toolkit's pipe input.

Every run uses the real durable-rules engine and writes real files (drafts in a temporary data
directory, summaries in a temporary working directory). Answers are derived from the loaded rules.
"""

from __future__ import annotations

import io
import json
import os
import stat
from datetime import datetime

import pytest
import yaml
from test_interactive_support import (
    BACK,
    CTRL_U,
    EOF,
    FIXED_NOW,
    INTERRUPT,
    NOTE,
    Reply,
    answering,
    calm_answers,
    emergency_question,
    least_urgent_value,
    planned,
    run_arrows,
    run_plain,
    screens,
)

from triage import cli
from triage.assessment.answers import load_answers_file
from triage.interactive.flow import Flow, essential_ids
from triage.interactive.session import DONE
from triage.interactive.store import DraftStore
from triage.ruleset.load import load_ruleset
from triage.ruleset.model import Level, QuestionType

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch):
    """Summaries are saved in the current folder: make that a temporary one."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def flat(text: str) -> str:
    return " ".join(text.split())


def saved(workdir, pattern: str):
    found = sorted(workdir.glob(pattern))
    assert len(found) == 1, f"expected one {pattern}, found {found}"
    assert stat.S_IMODE(found[0].stat().st_mode) == 0o600
    return found[0]


def assess_file(path, capsys, rules=None) -> dict:
    """``triage assess FILE --format json``, run through the real command line."""
    capsys.readouterr()
    argv = (["--rules", str(rules)] if rules else []) + ["assess", str(path), "--format", "json"]
    assert cli.main(argv) == 0
    return json.loads(capsys.readouterr().out)


# --- the person at home ------------------------------------------------------------------------------


def test_complete_self_care_run_matches_triage_assess(ruleset, assessor, data_dir, workdir, capsys):
    answers = calm_answers(ruleset, assessor)
    run = run_arrows(ruleset, assessor, answering(answers), data_dir)
    assert run.code == 0
    level = ruleset.scale.levels[Level.self_care]
    assert f"RESULT: {level.label.upper()}" in run.screen
    assert flat(ruleset.scale.disclaimer) in flat(run.screen)
    asked = run.question_ids()
    assert len(asked) == len(set(asked)), "a question was asked twice"
    assert set(answers) <= run.covered()
    answers_path = saved(workdir, "neck-triage-answers-*.yaml")
    assert load_answers_file(ruleset, answers_path).answers == answers
    assert assess_file(answers_path, capsys)["disposition"] == "self_care"
    summary = saved(workdir, "neck-triage-summary-*.txt").read_text()
    assert level.label in summary
    assert not DraftStore(data_dir).exists(), "a finished questionnaire leaves no draft"


def test_red_flag_questions_come_first_and_an_emergency_stops_at_once(ruleset, assessor, data_dir, workdir):
    question, position = emergency_question(ruleset, assessor)
    answers = calm_answers(ruleset, assessor)
    run = run_arrows(ruleset, assessor, planned({question.id: [Reply("yes")]}, answers), data_dir)
    assert run.code == 0
    assert position <= 12, "an emergency should be found within the first questions"
    asked = [spec.question_id for spec in run.asked if spec.question_id]
    group = ruleset.group_of.get(question.id)
    assert asked[-1] == (group.id if group else question.id) and len(asked) == position, "no question is asked after the emergency"
    emergency = ruleset.scale.levels[Level.emergency]
    screen = flat(run.screen)
    assert "EMERGENCY" in screen and flat(emergency.action) in screen
    assert [s.message for s in run.asked[-3:]][0] == "What next?"  # then formats and folder
    summary = saved(workdir, "neck-triage-summary-*.txt").read_text()
    assert emergency.label in summary
    assert not list(workdir.glob("*answers*")), "an early stop leaves questions unasked: no answers file"
    assert "no answers file was saved" in screen


def _urgent_case(ruleset, assessor):
    """The first question whose 'yes' (after calm answers before it) makes the level urgent."""
    flow = Flow(ruleset, assessor, grouped=False)
    while (question := flow.next_question()) is not None:
        if question.type.value == "yes_no_unsure":
            trial = {**flow.answers, question.id: "yes"}
            if assessor.assess_answers(trial).disposition is Level.urgent:
                return question
        flow.answer(question.id, least_urgent_value(flow, question))
    raise AssertionError("no single 'yes' makes the level urgent")


def test_urgent_is_said_at_once_and_finishing_quickly_still_asks_the_red_flags(ruleset, assessor, data_dir):
    question = _urgent_case(ruleset, assessor)
    answers = calm_answers(ruleset, assessor)
    run = run_arrows(ruleset, assessor, planned({question.id: [Reply("yes")], "quick": [Reply("skip")]}, answers), data_dir)
    assert run.code == 0
    names = [s.question_id or s.message for s in run.asked]
    offer = next(i for i, s in enumerate(run.asked) if s.message.startswith("Finish quickly"))
    group = ruleset.group_of.get(question.id)
    assert names[offer - 1] == (group.id if group else question.id), "urgent is said right after the answer that reached it"
    asked = run.question_ids()
    after = asked[asked.index(group.id if group else question.id) + 1:]
    after = [m for qid in after for m in (ruleset.group_by_id[qid].members if qid in ruleset.group_by_id else (qid,))]
    essential = essential_ids(ruleset)
    assert after and set(after) <= essential
    red_flags_left = [q.id for q in Flow(ruleset, assessor).order if q.red_flag and q.id in after]
    assert red_flags_left, "the remaining red-flag questions are still asked"
    urgent = ruleset.scale.levels[Level.urgent]
    assert f"RESULT: {urgent.label.upper()}" in run.screen
    assert "Some everyday questions were skipped" in run.screen


def test_back_changes_an_earlier_answer_and_review_edits_return_to_the_review(mini_ruleset, mini_assessor, data_dir, workdir, capsys):
    plan = {
        "chest": [Reply("no")],
        "injury": [Reply("yes"), Reply("no")],  # yes; then, after going back, no
        "numb": [BACK],  # back from the follow-up to the question it follows
        "review": [Reply("age"), Reply("pain_now"), Reply(DONE)],
        "age": [Reply(40), Reply(61)],  # changed from the review
        "pain_now": [Reply(3), BACK],  # backing out of an edit returns to the review, answer kept
    }
    answers = {"cancer": "no", "night_pain": "no", "sleep": "side"}
    run = run_arrows(mini_ruleset, mini_assessor, planned(plan, answers), data_dir)
    assert run.code == 0
    asked = run.question_ids()
    assert asked[:4] == ["chest", "injury", "numb", "injury"]
    assert run.asked[3].default == "yes", "the question gone back to offers the earlier answer"
    assert "numb" not in asked[4:], "the follow-up is not asked once its reason is gone"
    names = [s.question_id or s.message[:17] for s in run.asked]
    review = "Check the answers"
    assert names[-11:] == [review, "age", review, "pain_now", review, "Show the details?", "Save a summary to",
                           "Name to put on th", "Date of birth (YY", "Which formats? (o", "Save in which fol"]
    assert run.asked[-10].default == 40
    answers_path = saved(workdir, "neck-triage-answers-*.yaml")
    final = load_answers_file(mini_ruleset, answers_path).answers
    assert final["injury"] == "no" and final["age"] == 61 and final["pain_now"] == 3 and "numb" not in final
    assert assess_file(answers_path, capsys, mini_ruleset.directory)["disposition"] == "appointment"


def test_numbers_are_checked_as_typed(mini_ruleset, mini_assessor, data_dir, workdir):
    """Arrow prompts refuse bad numbers (the typed text stays until it is valid)."""
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "sleep": "side"}
    typed = {"age": [Reply(keys="abc\r" + CTRL_U + "200\r" + CTRL_U + "42\r")], "pain_now": [Reply(keys="11\r" + CTRL_U + "3\r")]}
    run = run_arrows(mini_ruleset, mini_assessor, planned(typed, answers), data_dir)
    assert run.code == 0
    final = load_answers_file(mini_ruleset, saved(workdir, "neck-triage-answers-*.yaml")).answers
    assert (final["age"], final["pain_now"]) == (42, 3)
    assert "0 = no pain   10 = worst imaginable" in run.screen, "the pain scale's anchors are shown"


def test_plain_numbers_say_what_to_type(mini_ruleset, mini_assessor, data_dir):
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "sleep": "side"}
    typed = {"age": [Reply(line="abc\n200\n42")], "pain_now": [Reply(line="11\n3")], "save": [Reply(False)]}
    run = run_plain(mini_ruleset, mini_assessor, planned(typed, answers), data_dir)
    assert run.code == 0
    assert run.screen.count("Please type a whole number from 0 to 120 (years).") == 2
    assert "Please type a whole number from 0 (no pain) to 10 (worst imaginable)." in run.screen


# --- the nurse ---------------------------------------------------------------------------------------


def _nurse_plan(override: list[Reply], reason: list[Reply]) -> dict:
    return {
        "nurse": [Reply("Nurse Kim")],
        "respondent": [Reply("someone_else")],
        "patient": [Reply("Ann Example")],
        "dob": [Reply(keys="1990-13-01\r\x151980-02-01\r")],
        "injury": [NOTE, Reply("yes")],
        "note": [Reply("Fell off a bike yesterday")],
        "override": override,
        "reason": reason,
        "general_note": [Reply("Advised to call back if worse")],
    }


NURSE_ANSWERS = {"chest": "no", "numb": "no", "cancer": "no", "night_pain": "no", "age": 46, "pain_now": 4,
                 "sleep": "side", "other": None}


def test_nurse_lowers_with_a_required_reason_and_everything_is_kept(mini_ruleset, mini_assessor, data_dir, workdir, capsys):
    plan = _nurse_plan([Reply("appointment")], [Reply(keys="\r" + "Seen in clinic this morning, stable\r")])
    run = run_arrows(mini_ruleset, mini_assessor, planned(plan, NURSE_ANSWERS), data_dir, nurse=True)
    assert run.code == 0
    injury = mini_ruleset.question_by_id["injury"]
    assert injury.ask_nurse in [s.message for s in run.asked], "nurse mode uses third-person wording"
    screen = flat(run.screen)
    assert "FOR THE NURSE: CLINICAL DETAILS" in screen and "Sources:" in screen and "facts.md" not in screen
    assert "injury_only" not in screen, "findings by name, not by rule id"
    assert "Pertinent negatives (answered no): - " in screen
    assert "Lowered by Nurse Kim from within 24h to appointment. Reason: Seen in clinic this morning" in screen
    assert "Seen in clinic this morning, stable" in screen
    document = load_answers_file(mini_ruleset, saved(workdir, "neck-triage-answers-*.yaml"))
    assert document.nurse.name == "Nurse Kim" and document.patient.name == "Ann Example"
    assert str(document.patient.date_of_birth) == "1980-02-01" and document.respondent == "someone_else"
    assert document.notes == {"injury": "Fell off a bike yesterday", "general": "Advised to call back if worse"}
    assert document.override.level is Level.appointment
    result = assess_file(saved(workdir, "neck-triage-answers-*.yaml"), capsys, mini_ruleset.directory)
    assert (result["engine_disposition"], result["disposition"]) == ("within_24h", "appointment")
    assert result["override"]["reason"] == "Seen in clinic this morning, stable"


def test_nurse_raises_freely_and_cannot_lower_to_self_care_past_a_finding(mini_ruleset, mini_assessor, data_dir, workdir, capsys):
    plan = _nurse_plan([Reply("urgent")], [Reply(None)])
    run = run_arrows(mini_ruleset, mini_assessor, planned(plan, NURSE_ANSWERS), data_dir, nurse=True)
    assert run.code == 0
    override = next(s for s in run.asked if s.message.startswith("Do you agree"))
    offered = [value for value, _ in override.options]
    assert "self_care" not in offered and "within_24h" not in offered and offered[0] == "keep"
    assert "Raised by Nurse Kim from within 24h to urgent." in flat(run.screen)
    result = assess_file(saved(workdir, "neck-triage-answers-*.yaml"), capsys, mini_ruleset.directory)
    assert (result["engine_disposition"], result["disposition"], result["override"]["direction"]) == ("within_24h", "urgent", "raised")


# --- never lose what was typed ------------------------------------------------------------------------


@pytest.mark.parametrize(("stop", "rules"), [(INTERRUPT, "ruleset"), (EOF, "mini_ruleset")], ids=["ctrl-c", "end-of-input"])
def test_stopping_saves_a_draft_and_resume_continues_where_it_left_off(request, data_dir, workdir, capsys, stop, rules):
    ruleset = request.getfixturevalue(rules)
    assessor = request.getfixturevalue(rules.replace("ruleset", "assessor"))
    answers = calm_answers(ruleset, assessor)
    flow, prompts = Flow(ruleset, assessor), []
    while len(prompts) < 4:  # the first four screens (a group screen is one), answered calmly
        item = flow.next_question()
        prompts.append(item.id)
        answered_before = dict(flow.answers)
        screens(flow, item, answers)
    first, stop_at = prompts[:3], prompts[3]
    run = run_arrows(ruleset, assessor, planned({stop_at: [stop]}, answers), data_dir)
    assert run.code == 130
    assert "triage resume" in run.screen
    store = DraftStore(data_dir)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    draft = store.load()
    assert draft.flow["answers"] == answered_before, "the interrupted question has no answer"
    store.release()  # looked at, not continued: another session may continue it
    resumed = run_arrows(ruleset, assessor, answering(answers), data_dir, resume=True)
    assert resumed.code == 0
    assert resumed.question_ids()[0] == stop_at and not set(first) & set(resumed.question_ids())
    assert f"Continuing your questionnaire ({len(answered_before)} answers so far)" in resumed.screen
    result = assess_file(saved(workdir, "neck-triage-answers-*.yaml"), capsys, ruleset.directory)
    assert result["disposition"] == "self_care"
    assert not store.exists()


def test_starting_again_offers_the_unfinished_questionnaire(mini_ruleset, mini_assessor, data_dir):
    run_arrows(mini_ruleset, mini_assessor, planned({"injury": [INTERRUPT]}, {"chest": "no"}), data_dir)
    answers = {"injury": "no", "cancer": "no", "night_pain": "no", "age": 30, "pain_now": 2, "sleep": "side", "other": None}
    run = run_arrows(mini_ruleset, mini_assessor, planned({"unfinished": [Reply("resume")]}, answers), data_dir)
    assert run.code == 0 and run.question_ids()[0] == "injury"


def test_ctrl_c_before_any_answer_saves_nothing(mini_ruleset, mini_assessor, data_dir):
    run = run_arrows(mini_ruleset, mini_assessor, planned({"chest": [INTERRUPT]}), data_dir)
    assert run.code == 130 and "nothing was saved" in run.screen and not DraftStore(data_dir).exists()


def test_resume_without_a_draft_is_one_clear_line(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(data_dir))
    assert cli.main(["--plain", "resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no unfinished questionnaire to resume" in err[0]


def _bump_version(rules_dir, version="2026.12.0"):
    scale = rules_dir / "scale.yaml"
    text = scale.read_text()
    old = next(line for line in text.splitlines() if line.startswith("version:"))
    scale.write_text(text.replace(old, f'version: "{version}"'))


@pytest.mark.parametrize("start_again", [True, False], ids=["start-again", "keep-draft"])
def test_a_draft_from_other_rules_is_not_reused_silently(rules_copy, data_dir, start_again):
    from triage.assessment.assess import Assessor

    old = load_ruleset(rules_copy)
    run_arrows(old, Assessor(old), planned({"cancer": [INTERRUPT]}, {"chest": "no", "injury": "no"}), data_dir)
    _bump_version(rules_copy)
    new = load_ruleset(rules_copy)
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 30, "pain_now": 2, "sleep": "side", "other": None}
    run = run_arrows(new, Assessor(new), planned({"start_new": [Reply(start_again)]}, answers), data_dir, resume=True)
    assert run.code == 0
    assert "made with rules version 2026.11.0" in flat(run.screen) and "now version 2026.12.0" in flat(run.screen)
    if start_again:
        assert run.question_ids()[0] == "chest", "starting again asks everything again"
        assert not DraftStore(data_dir).exists()
    else:
        assert run.question_ids() == [] and DraftStore(data_dir).load().ruleset_version == "2026.11.0"


def test_the_draft_is_written_atomically_in_the_data_dir_from_the_environment(monkeypatch, tmp_path):
    from triage.interactive.store import data_dir

    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "here"))
    assert data_dir() == tmp_path / "here"
    monkeypatch.delenv("TRIAGE_DATA_DIR")
    assert data_dir().name == "neck-triage"
    assert os.fspath(data_dir()) != os.fspath(tmp_path)


def test_every_prompt_uses_the_same_default_key_bindings():
    """prompt_toolkit builds its ~2,000 default bindings for every Application, and a questionary
    select or checkbox makes three; they are built once per process instead. If a prompt_toolkit
    release builds them some other way, this fails rather than the prompts silently slowing down.
    (That the shared bindings still work, e.g. Ctrl-U clearing a typed number in a later prompt,
    is shown by ``test_numbers_are_checked_as_typed``.)"""
    from triage.interactive.asks import Ask
    from triage.interactive.prompts import _BUILDERS

    specs = {
        "choice": Ask("choice", "Pick one", options=(("a", "A"), ("b", "B"))),
        "multi": Ask("multi", "Pick some", options=(("a", "A"), ("b", "B"))),
        "number": Ask("number", "How many?", low=0, high=10),
        "text": Ask("text", "Anything else?"),
        "confirm": Ask("confirm", "Sure?"),
    }
    assert set(specs) == set(_BUILDERS)
    defaults = set()
    for kind, spec in specs.items():
        for _ in range(2):
            defaults.add(id(_BUILDERS[kind](spec, 80).application._default_bindings))
    assert len(defaults) == 1


@pytest.mark.parametrize("kind", [QuestionType.single, QuestionType.multi])
def test_long_option_labels_wrap_instead_of_being_cut_at_the_edge(ruleset, kind):
    """prompt_toolkit cuts a line at the terminal's edge; the words cut off could be the ones that
    matter (a red-flag option such as '... or medicines that lower your immunity')."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.plain_text import PlainTextOutput

    from triage.interactive.asks import question_ask
    from triage.interactive.prompts import ArrowPrompter

    columns = 60

    class Terminal(PlainTextOutput):
        def get_size(self) -> Size:
            return Size(rows=40, columns=columns)

    question, label = max(
        ((q, choice.label) for q in ruleset.questions if q.type is kind for choice in q.choices), key=lambda pair: len(pair[1])
    )
    assert len(label) > columns, "the shipped rules have an option longer than the terminal is wide"
    spec = question_ask(question, nurse=False, default=None, back=True)
    screen = io.StringIO()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=Terminal(screen)):
        pipe.send_text(" \r" if kind is QuestionType.multi else "\r")
        ArrowPrompter(color=False).ask(spec)
    lines = screen.getvalue().splitlines()
    first = next(i for i, line in enumerate(lines) if " ".join(label.split()[:3]) in line)
    option = lines[first:first + 4]  # the option's lines: a plain-text screen keeps no cursor moves
    assert " ".join(label.split()) in " ".join(" ".join(option).split())
    last = next(i for i, line in enumerate(option) if label.split()[-1] in line)
    assert all(len(line) <= columns for line in option[:last + 1])


def test_none_of_these_beside_another_tick_is_refused_until_one_is_unticked(ruleset):
    """Issue 13: 'None of these' is exclusive; the prompt refuses [cancer, none] and says why."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.plain_text import PlainTextOutput

    from triage.interactive.asks import question_ask
    from triage.interactive.prompts import ArrowPrompter

    question = ruleset.question_by_id["medical_history"]
    codes = [c.code for c in question.choices]
    down = "\x1b[B" * codes.index("none")
    spec = question_ask(question, nurse=False, default=None, back=False)
    screen = io.StringIO()
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=PlainTextOutput(screen)):
        pipe.send_text(" " + down + " \r" + " \r")  # tick cancer and none, Enter (refused), untick none, Enter
        picked = ArrowPrompter(color=False).ask(spec)
    assert picked == ["cancer"], "the first Enter (cancer and none ticked) must be refused"


# --- the record of the visit: when, and where it stopped early ------------------------------------------


def test_the_answers_file_records_when_the_questionnaire_started_and_ended(ruleset, assessor, data_dir, workdir):
    run = run_arrows(ruleset, assessor, answering(calm_answers(ruleset, assessor)), data_dir)
    assert run.code == 0
    document = yaml.safe_load(saved(workdir, "neck-triage-answers-*.yaml").read_text(encoding="utf-8"))
    expected = FIXED_NOW.astimezone()
    assert datetime.fromisoformat(document["started"]) == expected == datetime.fromisoformat(document["ended"])
    assert "stopped_early" not in document, "a questionnaire answered to the end did not stop early"
    answers_file = load_answers_file(ruleset, saved(workdir, "neck-triage-answers-*.yaml"))
    assert answers_file.started == expected and answers_file.ended == expected and answers_file.stopped_early is None


def test_finishing_quickly_is_recorded_as_stopped_early_where_it_was_chosen(ruleset, assessor, data_dir, workdir):
    """Questions were left unasked, so no answers file is written (``triage assess`` would refuse it):
    the stop reaches the saved summary, with the question after which it was chosen."""
    question = _urgent_case(ruleset, assessor)
    answers = calm_answers(ruleset, assessor)
    run = run_arrows(ruleset, assessor, planned({question.id: [Reply("yes")], "quick": [Reply("skip")]}, answers), data_dir)
    assert run.code == 0
    assert not list(workdir.glob("*answers*")) and "no answers file was saved" in run.screen
    summary = flat(saved(workdir, "neck-triage-summary-*.txt").read_text(encoding="utf-8"))
    assert STOP_AT.format(_short_name(ruleset, question.id), "finished quickly") in summary
    assert "Answered: 2026-11-23 19:30 to 19:30" in summary, "started and ended reach the summary"


def test_an_emergency_stop_is_on_the_saved_summary_with_where_it_stopped(ruleset, assessor, data_dir, workdir):
    question, _ = emergency_question(ruleset, assessor)
    run = run_arrows(ruleset, assessor, planned({question.id: [Reply("yes")]}, calm_answers(ruleset, assessor)), data_dir)
    assert run.code == 0
    summary = flat(saved(workdir, "neck-triage-summary-*.txt").read_text(encoding="utf-8"))
    assert STOP_AT.format(_short_name(ruleset, question.id), "an emergency was found") in summary
    assert "Answered: 2026-11-23 19:30 to 19:30" in summary


STOP_AT = 'Stopped early at "{}" ({}): these questions were not asked:'


def _short_name(ruleset, question_id: str) -> str:
    """The name the summary gives a question: its short name in rules/summary.yaml, else its wording."""
    from triage.report.content import load_summary_content

    return load_summary_content(ruleset).short_labels.get(question_id) or ruleset.question_by_id[question_id].wording(False)
