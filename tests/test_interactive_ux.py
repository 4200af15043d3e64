"""Issue 15: no input traps, the same answer in the same place, the nurse override's limits, every line
fitted to the terminal, and nurse mode in a nurse's words."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_interactive_support import FIXED_NOW, Reply, answering, calm_answers, emergency_question, plain_line, planned, run_arrows, screens

from triage.assessment.answers import AnswersFile, Override
from triage.errors import AnswersError
from triage.interactive import run_with
from triage.interactive.asks import question_ask
from triage.interactive.flow import Flow
from triage.interactive.plain import PlainPrompter
from triage.interactive.store import DraftStore
from triage.ruleset.model import Level, QuestionGroup, QuestionType

pytestmark = pytest.mark.timeout(120)


def flat(text: str) -> str:
    return " ".join(text.split())


def triage(args, stdin_text, cwd, data_dir, **env):
    environment = {key: value for key, value in os.environ.items() if key != "TERM"}
    environment.update(TRIAGE_DATA_DIR=str(data_dir), TRIAGE_SAVE_DIR=str(cwd), **env)
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin_text, capture_output=True,
                          text=True, cwd=cwd, env=environment, timeout=60)


def lines_for(ruleset, assessor, answers: dict[str, Any]) -> list[str]:
    """The lines typed at ``--plain`` to give ``answers`` (least urgent for anything not in it)."""
    calm = calm_answers(ruleset, assessor)
    flow, lines = Flow(ruleset, assessor), []
    while (question := flow.next_question()) is not None:
        truths = {**calm, **answers}
        if not isinstance(question, QuestionGroup) and question.id not in truths:
            truths[question.id] = question.codes[0] if question.codes else None
        lines += [plain_line(spec, Reply(value)) for spec, value in screens(flow, question, truths)]
        if assessor.assess_answers(flow.answers).disposition is Level.emergency:
            break
    return lines


def piped(ruleset, assessor, lines: list[str], data_dir, width=100, nurse=False):
    """A run on ``--plain`` reading ``lines`` from a pipe (not a terminal), in this process."""
    prompter = PlainPrompter(io.StringIO("\n".join(lines) + "\n"), io.StringIO(), interactive=False, width=width)
    code = run_with(ruleset, assessor, prompter, DraftStore(data_dir), nurse=nurse, clock=lambda: FIXED_NOW)
    return code, prompter.stdout.getvalue()


# --- no input traps --------------------------------------------------------------------------------


def test_a_piped_line_that_is_not_an_answer_stops_with_exit_2_naming_the_question(ruleset, assessor, tmp_path):
    lines = lines_for(ruleset, assessor, {})
    done = triage(["--plain"], "\n".join(["5", *lines]) + "\n", tmp_path, tmp_path / "data")
    assert done.returncode == 2, done.stderr
    error = done.stderr.strip().splitlines()
    first = Flow(ruleset, assessor).next_question()
    assert len(error) == 1 and "'5' does not answer" in error[0] and " ".join(first.ask.split()) in error[0]
    flow = Flow(ruleset, assessor)
    screens(flow, first, calm_answers(ruleset, assessor))
    second = flow.next_question()
    assert " ".join(second.ask.split())[:30] not in flat(done.stdout), "no later question was asked"
    assert "RESULT" not in done.stdout


def test_piped_answers_are_echoed_so_the_output_is_a_log(ruleset, assessor, tmp_path):
    lines = lines_for(ruleset, assessor, {})[:3]
    done = triage(["--plain"], "\n".join(lines) + "\n", tmp_path, tmp_path / "data")
    assert done.returncode == 130
    assert re.search(r"Type a number from 1 to 3: 2\n", done.stdout), "each answer is written after its prompt"


def test_a_saved_draft_is_kept_and_reported_never_offered_to_piped_input(ruleset, assessor, tmp_path):
    lines = lines_for(ruleset, assessor, {})
    early = triage(["--plain"], "\n".join(lines[:2]) + "\n", tmp_path, tmp_path / "data")
    assert early.returncode == 130
    from test_drafts_record import open_drafts

    (saved,) = open_drafts(tmp_path / "data")  # the draft is kept in the record
    done = triage(["--plain"], "\n".join(lines + ["", "y", "", "", "", ""]) + "\n", tmp_path, tmp_path / "data")  # review; save; no name, no date of birth; formats; folder
    assert done.returncode == 0, done.stderr
    assert "unfinished questionnaire" in done.stdout and "is kept" in done.stdout
    assert "Continue where I left off" not in done.stdout, "the draft is not offered"
    assert open_drafts(tmp_path / "data") == [saved], "the draft is untouched, and no other draft was saved"


def test_piped_input_is_never_offered_to_finish_quickly(ruleset, assessor, tmp_path):
    urgent = _urgent_question(ruleset, assessor)
    lines = lines_for(ruleset, assessor, {urgent.id: "yes"})
    code, out = piped(ruleset, assessor, lines + ["", "n"], tmp_path / "data")
    assert code == 0, out
    assert "Finish quickly" not in out and "RESULT: " in out


def test_the_terminal_offer_to_skip_is_an_explicit_choice_without_a_default(ruleset, assessor, tmp_path):
    urgent = _urgent_question(ruleset, assessor)
    run = run_arrows(ruleset, assessor, planned({urgent.id: [Reply("yes")]}, calm_answers(ruleset, assessor)), tmp_path / "d")
    offer = next(s for s in run.asked if s.message.startswith("Finish quickly"))
    assert offer.kind == "choice" and offer.default is None and "do not change how soon" in offer.hint


def test_yes_is_first_and_no_after_the_yes_answers_on_every_yes_no_question(ruleset):
    for question in ruleset.questions:
        options = question_ask(question, nurse=False, default=None, back=False).options
        labels = [label.lower() for _, label in options]
        if question.type is QuestionType.yes_no_unsure:
            assert labels == ["yes", "no", "not sure"]
        no = [i for i, label in enumerate(labels) if label == "no" or label.startswith("no,")]
        yes = [i for i, label in enumerate(labels) if label == "yes" or label.startswith("yes,")]
        if yes and no and question.type is QuestionType.single:
            assert max(yes) < min(no), f"{question.id}: the yes answers come first, as everywhere"
            assert labels[-1] != "not sure" or min(no) < len(labels) - 1
    headache = question_ask(ruleset.question_by_id["headache"], nurse=False, default=None, back=False)
    assert [code for code, _ in headache.options] == ["mild", "severe", "no", "not_sure"]


def test_typed_numbers_tick_the_boxes(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 30, "pain_now": 2, "sleep": "side"}
    run = run_arrows(mini_ruleset, mini_assessor, planned({"habits": [Reply(keys="12\r")]}, answers), tmp_path / "d")
    assert run.code == 0
    saved = next(tmp_path.glob("neck-triage-answers-*.yaml")).read_text()
    assert "- desk" in saved and "- phone" in saved


# --- the nurse override --------------------------------------------------------------------------


def _assess(ruleset, assessor, answers, override):
    return assessor.assess(AnswersFile(answers=answers, override=override))


MINI_URGENT = {"chest": "no", "injury": "yes", "numb": "no", "cancer": "yes", "night_pain": "no", "age": 40, "pain_now": 3,
               "sleep": "side"}  # within_24h (injury) + appointment


@pytest.mark.parametrize("reason", ["x", "ok fine", "Seen ok", "  "])
def test_lowering_needs_a_reason_in_real_words(mini_ruleset, mini_assessor, reason):
    with pytest.raises(AnswersError, match="override.reason"):
        _assess(mini_ruleset, mini_assessor, MINI_URGENT, Override(level="appointment", reason=reason))


def test_a_reason_without_letters_is_refused_by_the_model():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="words"):
        Override(level="urgent", reason="1234567890 12")


def _urgent_question(ruleset, assessor):
    calm = calm_answers(ruleset, assessor)
    return next(q for q in Flow(ruleset, assessor).order if q.type is QuestionType.yes_no_unsure
                and assessor.assess_answers({**calm, q.id: "yes"}).disposition is Level.urgent)


def test_lowering_is_one_level_at_most_and_never_an_emergency_finding(mini_ruleset, mini_assessor, ruleset, assessor):
    urgent = {**calm_answers(ruleset, assessor), _urgent_question(ruleset, assessor).id: "yes"}
    with pytest.raises(AnswersError, match="one level at most"):
        _assess(ruleset, assessor, urgent, Override(level="appointment", reason="Seen and examined, stable"))
    one_down = _assess(ruleset, assessor, urgent, Override(level="within_24h", reason="Seen and examined, stable"))
    assert (one_down.engine_disposition, one_down.disposition) == (Level.urgent, Level.within_24h)
    emergency = {**MINI_URGENT, "chest": "yes"}
    with pytest.raises(AnswersError, match="emergency finding cannot be lowered"):
        _assess(mini_ruleset, mini_assessor, emergency, Override(level="urgent", reason="Known angina, settled now"))
    fine = _assess(mini_ruleset, mini_assessor, MINI_URGENT, Override(level="appointment", reason="Seen in clinic, stable"))
    assert (fine.engine_disposition, fine.disposition) == (Level.within_24h, Level.appointment)


def test_an_answers_file_lowering_with_a_one_letter_reason_exits_2_with_one_line(mini_ruleset, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"answers": MINI_URGENT, "override": {"level": "appointment", "reason": "x"}}))
    done = subprocess.run([sys.executable, "-m", "triage", "--rules", str(mini_ruleset.directory), "assess", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "override.reason" in done.stderr


def test_the_nurse_lowers_one_level_with_a_confirmation_naming_both_levels(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = {"nurse": [Reply("Nurse Kim")], "override": [Reply("appointment")],
            "reason": [Reply(line="x\nok\nSeen in clinic, neck supple")], "confirm_lower": [Reply("lower")], "save": [Reply(False)]}
    from test_interactive_support import run_plain

    run = run_plain(mini_ruleset, mini_assessor, planned(plan, MINI_URGENT), tmp_path / "d", nurse=True)
    assert run.code == 0
    override = next(s for s in run.asked if s.message.startswith("Do you agree"))
    offered = [value for value, _ in override.options]
    assert "self_care" not in offered, "at most one level down"
    confirm = next(s for s in run.asked if s.message.startswith("Lower the disposition"))
    labels = " ".join(label for _, label in confirm.options)
    assert "within_24h" in labels and "appointment" in labels and confirm.default is None
    screen = flat(run.screen)
    assert screen.count("A reason in words, please") == 2, "'x' and 'ok' are not reasons"
    assert "Lowered by Nurse Kim from within 24h to appointment. Reason: Seen in clinic, neck supple" in screen
    assert "self-care tips below" not in screen


def test_an_emergency_finding_is_never_offered_lower(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    answers = {**MINI_URGENT, "chest": "yes"}
    run = run_arrows(mini_ruleset, mini_assessor, planned({"nurse": [Reply("Nurse Kim")], "what_next": [Reply("done")]}, answers),
                     tmp_path / "d", nurse=True)
    assert run.code == 0
    assert not any(s.message.startswith("Do you agree") for s in run.asked), "an emergency stops the questionnaire"
    from triage.assessment.assess import lowest_override

    assessment = mini_assessor.assess_answers(answers)
    assert lowest_override(assessment.engine_disposition, assessment.findings) is Level.emergency


# --- width --------------------------------------------------------------------------------------


def _words_intact(out: str, text: str) -> bool:
    return flat(text) in flat(out)


@pytest.mark.parametrize("width", [40, 60, 120])
def test_every_line_fits_the_terminal_in_plain_mode(ruleset, assessor, tmp_path, width):
    code, out = piped(ruleset, assessor, lines_for(ruleset, assessor, {}) + ["", "n"], tmp_path / "d", width=width)
    assert code == 0
    too_long = [line for line in out.splitlines() if len(line) > width]
    assert not too_long, too_long[:3]
    level = ruleset.scale.levels[Level.self_care]
    assert _words_intact(out, level.action) and _words_intact(out, ruleset.scale.disclaimer), "no word is broken"


@pytest.mark.parametrize("width", [40, 60, 120])
def test_the_emergency_banner_and_errors_fit_the_terminal(ruleset, assessor, tmp_path, width):
    question, _ = emergency_question(ruleset, assessor)
    code, out = piped(ruleset, assessor, lines_for(ruleset, assessor, {question.id: "yes"}) + ["3"], tmp_path / "d", width=width)
    assert code == 0, out
    assert all(len(line) <= width for line in out.splitlines())
    assert "=" * width in out, "the banner's rules span the terminal"
    assert _words_intact(out, ruleset.scale.levels[Level.emergency].action)


def test_the_command_line_result_wraps_at_the_terminal_width(mini_ruleset, tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"answers": MINI_URGENT}))
    done = subprocess.run([sys.executable, "-m", "triage", "--rules", str(mini_ruleset.directory), "assess", str(path)],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "40"})
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 40


# --- nurse mode in a nurse's words ------------------------------------------------------------------------


def test_nurse_mode_speaks_of_the_patient_and_its_section_is_clinical(ruleset, assessor, tmp_path):
    question = Flow(ruleset, assessor).order[2]  # an emergency sign asked after two others
    assert assessor.assess_answers({question.id: "yes"}).disposition is Level.emergency
    lines = ["Nurse Kim", "1", "", ""] + lines_for(ruleset, assessor, {question.id: "yes"}) + ["3"]
    code, out = piped(ruleset, assessor, lines, tmp_path / "d", nurse=True)
    assert code == 0, out
    screen = flat(out)
    assert "Advise the patient not to drive" in screen and "Do not drive yourself" not in screen
    assert "Engine disposition" not in screen and "facts.md" not in screen and "[F]" not in screen
    assessment = assessor.assess_answers({question.id: "yes"})
    assert not any(f.id in screen.split() for f in assessment.findings), "findings by name, not by rule id"
    assert "FOR THE NURSE: CLINICAL DETAILS" in screen and "Sources:" in screen
    order = list(Flow(ruleset, assessor).order)
    asked_before = order[:order.index(question)]
    for q in asked_before:  # the pertinent negatives, in the nurse's wording of the questions
        assert flat(q.ask_nurse) in screen and flat(q.ask) not in screen
    from triage.interactive.screens import lead_text

    calm = flat(lead_text(assessor.assess_answers(calm_answers(ruleset, assessor)), nurse=True))
    assert "Whatever the disposition, advise the patient" in calm and "Advise self-care at home" in calm
    assert "Whatever your result" not in calm and "based on your answers" not in calm


def test_the_self_care_result_leads_with_what_to_do_and_reads_right(ruleset, assessor, tmp_path):
    code, out = piped(ruleset, assessor, lines_for(ruleset, assessor, {}) + ["", "n"], tmp_path / "d")
    assert code == 0
    result = out[out.index("RESULT: "):]
    level = ruleset.scale.levels[Level.self_care]
    assert flat(result).index(flat(level.action)) < flat(result).index("Self-care:")
    assert "Now, and watch how it goes" not in out and not re.search(r"\b1 days\b", out)
    assert result.index("warning signs listed") < result.index(ruleset.scale.safety_net.items[0][:20]) or \
        "warning signs below" not in result


def test_a_raising_reason_of_digits_is_asked_again_not_a_crash(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from test_interactive_support import run_plain

    plan = {"nurse": [Reply("Nurse Kim")], "override": [Reply("urgent")], "reason": [Reply(line="2\nWorried family")],
            "save": [Reply(False)]}
    run = run_plain(mini_ruleset, mini_assessor, planned(plan, MINI_URGENT), tmp_path / "d", nurse=True)
    assert run.code == 0 and "Please write the reason in words" in run.screen
    assert "Raised by Nurse Kim from within 24h to urgent. Reason: Worried family" in flat(run.screen)


def test_the_answers_file_records_when_the_questionnaire_started_and_ended(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 30, "pain_now": 2, "sleep": "side"}
    run = run_arrows(mini_ruleset, mini_assessor, planned({"formats": [Reply(["text", "html", "markdown"])]}, answers),
                     tmp_path / "d")
    assert run.code == 0
    from triage.assessment.answers import load_answers_file

    document = load_answers_file(mini_ruleset, next(tmp_path.glob("neck-triage-answers-*.yaml")))
    assert document.started is not None and document.ended is not None and document.started <= document.ended
    assert document.started.tzinfo is not None
    saved = sorted(path.suffix for path in tmp_path.glob("neck-triage-summary-*"))
    assert saved == [".html", ".md", ".txt"], "several formats in one go"
    for path in tmp_path.glob("neck-triage-summary-*"):
        assert str(path.resolve()) in flat(run.screen), "each file's absolute path is printed"


def test_arrow_prompts_fit_a_60_column_terminal(ruleset, assessor, tmp_path, monkeypatch):
    """The arrow-key front end at 60 columns, in process: every line it writes fits."""
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.plain_text import PlainTextOutput
    from test_interactive_support import ScriptedArrows

    class Sixty(PlainTextOutput):
        def get_size(self) -> Size:
            return Size(rows=30, columns=60)

    monkeypatch.chdir(tmp_path)
    screen = io.StringIO()
    script = planned({"save": [Reply(False)]}, calm_answers(ruleset, assessor))
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=Sixty(screen)):
        prompter = ScriptedArrows(script, pipe)
        code = run_with(ruleset, assessor, prompter, DraftStore(tmp_path / "d"), clock=lambda: FIXED_NOW)
    assert code == 0
    shown = [line for line in screen.getvalue().splitlines() if line.startswith(("?", "RESULT", "  -", "Because", "If things"))]
    too_long = [line for line in shown if len(line.rstrip()) > 60]
    assert shown and not too_long, too_long[:3]


def test_a_command_to_type_is_never_wrapped():
    from triage.report.wrapping import command_line, wrap_block

    command = "/a/very/long/path/to/the/project/.venv/bin/triage --rules /another/long/folder resume --plain"
    shown = wrap_block(f"To continue where you left off, run:\n{command_line(command)}", 40)
    assert shown.splitlines()[-1] == "  " + command


# Words a nurse's screen must not use: it speaks of the patient, not to them or as them.
PATIENT_VOICE = re.compile(r"\b(?:you|your|yours|yourself|I|I'm|I'd|I've|me|my|mine|myself)\b", re.IGNORECASE)
# (question id, the text's start) -> why the patient's own voice is needed there. None today.
PATIENT_VOICE_EXCEPTIONS: dict[tuple[str, str], str] = {}


def test_nurse_mode_shows_no_question_choice_or_help_in_the_patients_voice(ruleset):
    from triage.interactive.asks import question_ask

    found = []
    for question in ruleset.questions:
        ask = question_ask(question, nurse=True, default=None, back=False)
        texts = [ask.message, ask.hint or "", ask.range_text, *(label for _, label in ask.options)]
        for text in texts:
            if PATIENT_VOICE.search(text) and (question.id, text[:20]) not in PATIENT_VOICE_EXCEPTIONS:
                found.append(f"{question.id}: {text}")
    assert not found, "nurse mode speaks as or to the patient:\n" + "\n".join(found)


def test_a_nurse_sees_the_nurses_help_and_the_patient_the_patients(ruleset):
    from triage.interactive.asks import question_ask

    question = next(q for q in ruleset.questions if q.help_nurse)
    assert question_ask(question, nurse=True, default=None, back=False).hint.endswith(question.help_nurse)
    assert question_ask(question, nurse=False, default=None, back=False).hint.endswith(question.help)


def test_the_review_names_each_answer_by_its_short_name(ruleset, assessor, tmp_path):
    """The review list reads like the printed summary ('Chest pain ...: No'), not questions cut mid-word."""
    from triage.report.content import load_summary_content

    short = load_summary_content(ruleset).short_labels
    run = run_arrows(ruleset, assessor, answering(calm_answers(ruleset, assessor)), tmp_path / "d")
    review = next(s for s in run.asked if s.message.startswith("Check the answers"))
    labels = dict(review.options)
    assert labels["chest_pain"] == f"{short['chest_pain']}: No"
    assert not any("..." in label for value, label in review.options if value in short)


def test_a_date_of_birth_typed_today_must_give_the_age_answered(ruleset, assessor, tmp_path):
    """At the prompt both are typed today: a date of birth 11 years older than the age is refused, since
    a lower age could hide an age warning sign; the right one is taken."""
    answers = {**calm_answers(ruleset, assessor), "age": 35}
    born_wrong, born_right = "1980-04-02", f"{FIXED_NOW.year - 35}-01-01"
    plan = {"save": [Reply(True)], "summary_name": [Reply("Alex Example")], "summary_dob": [Reply(born_right)]}
    run = run_arrows(ruleset, assessor, planned(plan, answers), tmp_path / "d")
    dob = [s for s in run.asked if s.message.startswith("Date of birth")][0]
    assert dob.check(born_wrong) and "35" in dob.check(born_wrong)
    assert dob.check(born_right) is None


def test_tick_box_messages_fit_60_columns_and_name_only_keys_that_work(ruleset, monkeypatch):
    """The arrow prompt's tick-box errors stand on one line at the foot of the list (questionary's own),
    so they are short; with more choices than number keys, they do not offer the number keys."""
    from triage.interactive import prompts

    validators = []
    real = prompts.questionary.checkbox

    def keep_validator(message, choices, validate, **kwargs):
        validators.append(validate)
        return real(message, choices=choices, validate=validate, **kwargs)

    monkeypatch.setattr(prompts.questionary, "checkbox", keep_validator)
    for question in (q for q in ruleset.questions if q.type is QuestionType.multi):
        spec = question_ask(question, nurse=False, default=None, back=False)
        prompts._multi(spec, 56)
        nothing_ticked = validators[-1]([])
        assert len(nothing_ticked) <= 56, nothing_ticked
        assert ("its number" in nothing_ticked) == (len(spec.options) <= prompts.MAX_SHORTCUTS), (question.id, nothing_ticked)
        with_none = validators[-1]([c.code for c in question.choices if c.code != "none"][:1] + ["none"])
        assert with_none is True or len(with_none) <= 56, with_none


def test_a_nurse_who_gave_the_date_of_birth_is_offered_the_age_it_gives(ruleset, assessor, tmp_path):
    """The age question offers the age the patient's date of birth gives today (Enter takes it)."""
    from triage.assessment.answers import age_on

    born = date(FIXED_NOW.year - 70, 6, 15)
    answers = {k: v for k, v in calm_answers(ruleset, assessor).items() if k != "age"}
    plan = {"nurse": [Reply("Sam Nurse")], "patient": [Reply("Ann Example")], "dob": [Reply(born.isoformat())]}
    run = run_arrows(ruleset, assessor, planned(plan, answers), tmp_path / "d", nurse=True)
    age = next(s for s in run.asked if s.question_id == "age")
    assert age.default == age_on(born, FIXED_NOW.date()) >= 69


def test_nurse_mode_headings_and_the_summary_name_the_patient_not_you(ruleset, assessor, tmp_path):
    lines = ["Nurse Kim", "1", "", ""] + lines_for(ruleset, assessor, {})
    _, out = piped(ruleset, assessor, lines, tmp_path / "d", nurse=True)
    assert "-- About the patient --" in out and "-- Pain --" in out
    assert "-- About you --" not in out and "-- Your pain --" not in out
    _, patient = piped(ruleset, assessor, lines_for(ruleset, assessor, {}), tmp_path / "p")
    assert "-- About you --" in patient and "-- Your pain --" in patient, "the person's own headings speak to them"


def test_the_emergency_screen_gives_only_the_emergency_advice_and_names_the_rest(ruleset, assessor):
    """A less urgent finding's own advice ("checked within 24 hours") would blur "call now": it is named only."""
    from triage.interactive.screens import emergency_text

    assessment = assessor.assess_answers({"recent_injury": "yes", "injury_when": "within_2_days", "pain_now": 8})
    assert assessment.disposition is Level.emergency
    lower = [f for f in assessment.findings if f.level is not Level.emergency]
    assert lower, "this case has less urgent findings too"
    screen = flat(emergency_text(assessment, nurse=False))
    assert "Also noted (the emergency comes first):" in screen
    assert all(flat(f.title) in screen and flat(f.message) not in screen for f in lower)
    assert all(flat(f.message) in screen for f in assessment.findings if f.level is Level.emergency)


def test_urgent_reached_by_two_findings_together_still_gives_both_reasons(ruleset, assessor):
    """Two findings at 'within 24 hours' together raise it to urgent: both are the reason, with their advice."""
    import yaml

    from triage.interactive.screens import urgent_text

    case = yaml.safe_load((Path(__file__).parent / "cases" / "urgent_steroid_tablets_and_past_bowel_cancer.yaml").read_text())
    assessment = assessor.assess_answers(case["answers"])
    assert assessment.disposition is Level.urgent and assessment.raised_by_combination
    screen = flat(urgent_text(assessment))
    assert all(flat(f.message) in screen for f in assessment.findings) and "Also noted" not in screen
