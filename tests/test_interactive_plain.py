"""``--plain`` (numbered lines, for pipes and screen readers) and what happens without a terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_interactive_support import NOTE, Reply, calm_answers, plain_line, planned, run_arrows, run_plain, screens

from triage.assessment.answers import load_answers_file
from triage.interactive.flow import Flow
from triage.interactive.session import DONE
from triage.interactive.store import DraftStore

pytestmark = pytest.mark.timeout(60)


def triage(args, stdin_text, cwd, data_dir, **env):
    """The installed command as a separate process, with ``stdin_text`` piped in."""
    environment = {key: value for key, value in os.environ.items() if key != "TERM"}
    environment.update(TRIAGE_DATA_DIR=str(data_dir), **env)
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin_text, capture_output=True,
                          text=True, cwd=cwd, env=environment, timeout=60)


def calm_lines(ruleset, assessor) -> list[str]:
    """The lines a person types at ``--plain`` to give the least urgent answer to every question."""
    answers = calm_answers(ruleset, assessor)
    flow, lines = Flow(ruleset, assessor), []
    while (question := flow.next_question()) is not None:
        lines += [plain_line(spec, Reply(value)) for spec, value in screens(flow, question, answers)]
    return lines


def test_plain_from_a_pipe_runs_the_whole_questionnaire(ruleset, assessor, tmp_path):
    lines = calm_lines(ruleset, assessor) + ["", "y", "", "", "", ""]  # review: all correct; save: yes; no name, no date of birth; formats; folder
    done = triage(["--plain"], "\n".join(lines) + "\n", tmp_path, tmp_path / "data")
    assert done.returncode == 0, done.stderr
    label = ruleset.scale.levels["self_care"].label
    assert f"RESULT: {label.upper()}" in done.stdout
    assert "  1. Yes\n  2. No\n  3. Not sure\n" in done.stdout, "choices are numbered, one per line"
    assert "\x1b[" not in done.stdout, "no terminal control codes in plain mode"
    assert len(list(tmp_path.glob("neck-triage-summary-*.txt"))) == 1
    assert len(list(tmp_path.glob("neck-triage-answers-*.yaml"))) == 1


@pytest.mark.parametrize("on_path", [False, True], ids=["script-not-on-PATH", "script-on-PATH"])
def test_the_resume_command_shown_runs_as_typed(ruleset, assessor, tmp_path, on_path):
    """After `uv sync` the script is in .venv/bin, not on PATH: the message names a command that works."""
    script = Path(sys.executable).with_name("triage")
    if not script.exists():
        pytest.skip("no triage script beside this Python")
    search = f"{script.parent}{os.pathsep}/usr/bin:/bin" if on_path else "/usr/bin:/bin"
    if not on_path and shutil.which("triage", path=search):
        pytest.skip("another triage is on the system PATH")
    env = {key: value for key, value in os.environ.items() if key not in ("TERM", "UV")}
    env.update(TRIAGE_DATA_DIR=str(tmp_path / "data"), PATH=search)
    stopped = subprocess.run([str(script), "--plain"], input="\n".join(calm_lines(ruleset, assessor)[:2]) + "\n",
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert stopped.returncode == 130, stopped.stderr
    command = stopped.stdout.rsplit("run:\n", 1)[1].strip()
    assert command == ("triage resume --plain" if on_path else f"{script} resume --plain")
    resumed = subprocess.run(command, shell=True, input="", capture_output=True, text=True, cwd=tmp_path, env=env,
                             timeout=60)
    assert resumed.returncode == 130 and "run:\n  " + command in resumed.stdout, resumed.stderr


def test_input_ending_early_saves_a_draft_and_says_how_to_resume(ruleset, assessor, tmp_path):
    lines = calm_lines(ruleset, assessor)[:3]
    done = triage(["--plain"], "\n".join(lines) + "\n", tmp_path, tmp_path / "data")
    assert done.returncode == 130
    assert "triage resume" in done.stdout
    draft = DraftStore(tmp_path / "data").load()
    flow, answers = Flow(ruleset, assessor), calm_answers(ruleset, assessor)
    for _ in range(3):
        screens(flow, flow.next_question(), answers)
    assert draft.flow["answers"] == flow.answers and draft.flow["history"] == flow.history


def test_without_a_terminal_one_line_points_to_assess_and_plain(tmp_path):
    done = triage([], "\n", tmp_path, tmp_path / "data")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "triage assess FILE" in lines[0] and "--plain" in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_term_dumb_uses_the_plain_questions(ruleset, assessor, tmp_path):
    lines = calm_lines(ruleset, assessor)[:2]
    done = triage([], "\n".join(lines) + "\n", tmp_path, tmp_path / "data", TERM="dumb")
    assert done.returncode == 130 and "  1. Yes" in done.stdout


def test_plain_back_note_and_nurse_checks(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = {
        "nurse": [Reply(line="\nNurse Kim")],
        "dob": [Reply(line="02/01/1980\n1980-02-01")],
        "chest": [Reply(line="maybe\nno")],  # the words of a choice work as well as its number
        "injury": [NOTE, Reply("yes"), Reply("no")],
        "note": [Reply("Fell yesterday")],
        "numb": [Reply(line="back")],
        "override": [Reply("appointment")],
        "reason": [Reply(line="\nStable on examination")],
        "confirm_lower": [Reply("lower")],
        "save": [Reply(False)],
    }
    answers = {"cancer": "yes", "night_pain": "yes", "age": 46, "pain_now": 3, "sleep": "side"}
    run = run_plain(mini_ruleset, mini_assessor, planned(plan, answers), tmp_path / "data", nurse=True)
    assert run.code == 0
    screen = run.screen
    assert screen.count("Please type an answer.") == 2  # no nurse name, no reason for lowering
    assert "Please type the date as YYYY-MM-DD" in screen
    assert "Please type a number from 1 to 3" in screen
    assert run.question_ids()[:5] == ["chest", "injury", "injury", "numb", "injury"]
    assert "Lowered by Nurse Kim from within 24h to appointment. Reason: Stable on examination" in screen
    assert "Raised one level by the combination of findings" in screen, "two combinable findings raise the level, and the nurse sees why"


def test_rules_that_fail_to_load_give_no_advice_and_say_contact_a_provider(rules_copy, tmp_path):
    (rules_copy / "red_flags.yaml").write_text("findings: [")
    done = triage(["--plain", "--rules", str(rules_copy)], "1\n", tmp_path, tmp_path / "data")
    assert done.returncode == 1
    assert "contact a healthcare provider" in done.stderr.lower() and "red_flags.yaml" in done.stderr
    assert "RESULT" not in done.stdout and "Self-care" not in done.stdout


def test_a_damaged_draft_is_reported_by_resume_and_replaced_by_a_new_start(mini_ruleset, mini_assessor, tmp_path):
    from test_drafts_record import put_draft, set_aside_drafts

    store = DraftStore(tmp_path / "data")
    put_draft(store.directory, "{not json")
    done = triage(["--plain", "resume"], "", tmp_path, store.directory)
    assert done.returncode == 2 and "damaged" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert set_aside_drafts(store.directory) == [("{not json", "damaged: not JSON")], "kept aside, not deleted"
    put_draft(store.directory, "{not json")
    run = run_plain(mini_ruleset, mini_assessor, planned({"chest": [Reply(signal="interrupt")]}), store.directory)
    assert "damaged" in run.screen and "Starting a new questionnaire" in run.screen
    assert run.code == 130


@pytest.mark.parametrize("front_end", [run_plain, run_arrows], ids=["plain", "arrows"])
def test_enter_keeps_every_kind_of_earlier_answer(mini_ruleset, mini_assessor, tmp_path, monkeypatch, front_end):
    """From the review, asking each question again and pressing Enter changes nothing."""
    monkeypatch.chdir(tmp_path)
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 44, "pain_now": 3,
               "habits": ["desk", "phone"], "sleep": "front", "other": "Works nights"}
    asked: set[str] = set()
    first_time = planned({"review": [Reply(qid) for qid in answers] + [Reply(DONE)]}, answers)

    def script(spec):
        if spec.question_id in asked:
            return Reply(line="", keys="\r")  # asked again from the review: just press Enter
        if spec.question_id:
            asked.add(spec.question_id)
        return first_time(spec)

    run = front_end(mini_ruleset, mini_assessor, script, tmp_path / "data")
    assert run.code == 0
    assert sorted(run.question_ids()) == sorted(list(answers) * 2), "every question was asked again once"
    saved = list(tmp_path.glob("neck-triage-answers-*.yaml"))
    assert load_answers_file(mini_ruleset, saved[0]).answers == answers


def test_an_engine_that_cannot_be_built_fails_safe_after_the_first_answer(rules_copy, tmp_path):
    """The engine is built at the first answer, not before the first question: a rule it cannot take
    (here one that could overflow durable-rules' match stack) still ends in 'contact a provider'."""
    too_big = ", ".join(f"{{q: age, gte: {n}}}" for n in range(70))
    thresholds = rules_copy / "thresholds.yaml"
    thresholds.write_text(
        thresholds.read_text(encoding="utf-8")
        + f"  - {{id: huge, title: Huge, level: appointment, when: {{any: [{too_big}]}}, message: m,"
        ' rationale: r, sources: [{ref: "x", tag: F, title: "Test source", url: "https://example.org/source"}]}\n',
        encoding="utf-8",
    )
    done = triage(["--plain", "--rules", str(rules_copy)], "2\n", tmp_path, tmp_path / "data")
    assert done.returncode == 1, done.stderr
    assert "Do you have chest pain?" in done.stdout  # the first question was shown and answered
    assert "contact a healthcare provider" in done.stderr.lower() and "too complex for the rules engine" in done.stderr
    assert "Traceback" not in done.stderr
    assert "RESULT" not in done.stdout and "Self-care" not in done.stdout


def test_plain_refuses_none_beside_another_choice_with_one_line_and_exit_2(ruleset, assessor, tmp_path):
    """Issue 13: '[cancer, none]' typed at --plain is a contradiction: exit 2, one line naming the question."""
    answers = calm_answers(ruleset, assessor)
    flow, lines = Flow(ruleset, assessor), []
    while (question := flow.next_question()) is not None and question.id != "medical_history":
        lines += [plain_line(spec, Reply(value)) for spec, value in screens(flow, question, answers)]
    codes = [c.code for c in ruleset.question_by_id["medical_history"].choices]
    lines.append(f"{codes.index('cancer') + 1} {codes.index('none') + 1}")
    done = triage(["--plain"], "\n".join(lines) + "\n", tmp_path, tmp_path / "data")
    assert done.returncode == 2, done.stderr
    error = done.stderr.strip().splitlines()
    assert error == ["triage: error: answers.medical_history: 'none' (None of these) cannot be chosen together with cancer"]
