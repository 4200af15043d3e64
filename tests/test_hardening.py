"""Hardening (issue 14): answers read as written, drafts checked, no lost questionnaire, nothing
hostile reaching a terminal. Each test here failed on the code before the fix it comes with."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from fixtures_paths import MINI_RULES
from test_bad_input import VALID, answers_text, assert_one_clear_line, run
from test_interactive_support import Reply

from triage.assessment.answers import parse_answers, parse_document
from triage.errors import AnswersError
from triage.ruleset.yamlio import load_yaml

# --- 1. answers read as written ---------------------------------------------------------------------

NOT_PLAIN_DECIMAL = ["056", "0x1C", "1:20", "2_8", "0o17", "0b101", "+0x1", "1_0.5", "1:20.5"]


@pytest.mark.parametrize("text", NOT_PLAIN_DECIMAL)
def test_yaml_reads_only_plain_decimal_integers(text):
    assert load_yaml(f"a: {text}\n") == {"a": text}


@pytest.mark.parametrize(("text", "value"), [("56", 56), ("0", 0), ("-3", -3), ("+7", 7), ("1.5", 1.5), ("true", True)])
def test_yaml_still_reads_plain_numbers(text, value):
    assert load_yaml(f"a: {text}\n") == {"a": value}


def test_yaml_reads_only_explicit_dates():
    from datetime import date

    assert load_yaml("a: 1980-04-02\n") == {"a": date(1980, 4, 2)}
    for text in ("1980-4-2", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43"):
        assert load_yaml(f"a: {text}\n") == {"a": text}


@pytest.mark.parametrize("text", ["056", "0x1C", "1:20", "2_8"])
def test_an_age_in_an_unusual_number_form_is_refused(mini_ruleset, text):
    data = "answers: {chest: no, injury: no, cancer: no, night_pain: no, age: %s, pain_now: 3, sleep: side}\n" % text
    with pytest.raises(AnswersError, match=f"answers.age: Input should be a valid integer \\(got '{text}'\\)"):
        parse_answers(mini_ruleset, parse_document("a.yaml", data.encode(), is_json=False), "a.yaml")


@pytest.mark.parametrize("value", ["0", "19800402", "1980-04-02T10:00:00", "'1980-4-2'"])
def test_a_date_of_birth_must_be_a_written_date(mini_ruleset, value):
    data = f"answers: {{chest: no}}\npatient: {{date_of_birth: {value}}}\n"
    with pytest.raises(AnswersError, match="patient.date_of_birth"):
        parse_answers(mini_ruleset, parse_document("a.yaml", data.encode(), is_json=False), "a.yaml")


def test_a_date_of_birth_in_json_must_be_a_written_date(mini_ruleset):
    for value in (0, "0", 1e9, "1980-04-02T00:00:00"):
        document = {"answers": VALID, "patient": {"date_of_birth": value}}
        with pytest.raises(AnswersError, match="patient.date_of_birth"):
            parse_answers(mini_ruleset, document, "a.json")
    document = {"answers": VALID, "patient": {"date_of_birth": "1982-01-01"}}
    assert str(parse_answers(mini_ruleset, document, "a.json").patient.date_of_birth) == "1982-01-01"


def test_a_date_of_birth_contradicting_the_age_is_refused(mini_ruleset):
    from datetime import date

    born = date(date.today().year - 30, 1, 1)
    document = {"answers": {**VALID, "age": 44}, "patient": {"date_of_birth": born.isoformat()}}
    with pytest.raises(AnswersError, match="a.json: patient.date_of_birth: .*30 today.*age given is 44"):
        parse_answers(mini_ruleset, document, "a.json")
    older = {"answers": {**VALID, "age": 25}, "patient": {"date_of_birth": born.isoformat()}}
    assert parse_answers(mini_ruleset, older, "a.json").answers["age"] == 25  # an old file, assessed again


def test_an_octal_age_is_refused_by_the_program(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("answers: {chest: no, injury: no, cancer: no, night_pain: no, age: 056, pain_now: 3, sleep: side}\n")
    assert_one_clear_line(run("assess", str(path)), "answers.age", "'056'")


# --- 2. a draft is checked like an answers file before anything is shown ----------------------------

def _a_draft(mini_ruleset, mini_assessor, data_dir, nurse=False) -> str:
    """A real draft: 'no' to the first question, stopped at the second; its payload in the record."""
    from test_interactive_support import INTERRUPT, planned, run_plain

    run = run_plain(mini_ruleset, mini_assessor, planned({"injury": [INTERRUPT]}, {"chest": "no"}), data_dir, nurse=nurse)
    assert run.code == 130
    ((_, payload),) = drafts_in(data_dir)
    return payload


def drafts_in(data_dir: Path) -> list[tuple[str, str]]:
    """(person key, payload) of each open draft in the record."""
    from test_drafts_record import open_drafts

    return open_drafts(data_dir)


def tamper(data_dir: Path, change) -> str:
    """Change the (only) open draft's payload in the record, as a damaged disk or an editor might; the new payload."""
    from triage.record.store import RecordStore

    ((key, payload),) = drafts_in(data_dir)
    document = json.loads(payload)
    change(document)
    with RecordStore(data_dir) as store, store.transaction() as db:
        db.execute("UPDATE drafts SET payload = ? WHERE set_aside IS NULL", (json.dumps(document),))
    return json.dumps(document)


BAD_DRAFTS = [
    ("string for a list", lambda d: d["flow"]["answers"].update(habits="desk"), "answers.habits"),
    ("string for a number", lambda d: d["flow"]["answers"].update(age="70"), "answers.age"),
    ("null for an answer", lambda d: d["flow"]["answers"].update(injury=None), "answers.injury"),
    ("unknown code", lambda d: d["flow"]["answers"].update(chest="maybe"), "answers.chest"),
    ("unknown question", lambda d: d["flow"]["answers"].update(chset="no"), "answers.chset"),
    ("answers as a list", lambda d: d["flow"].update(answers=["chest"]), "answers"),
    ("bad remembered answer", lambda d: d["flow"].update(remembered={"age": "70"}), "remembered.age"),
    ("history not a list", lambda d: d["flow"].update(history="chest"), "history"),
    ("a required question declined", lambda d: d["flow"].update(declined=["injury"]), "declined"),
    ("flow as a list", lambda d: d.update(flow=[]), "flow"),
    ("long patient name", lambda d: d["visit"].update(patient_name="x" * 300), "patient_name"),
    ("birth date as a number", lambda d: d["visit"].update(date_of_birth=0), "date_of_birth"),
    ("note on no question", lambda d: d["visit"].update(notes={"chset": "x"}), "notes"),
    ("answers is null", lambda d: d["flow"].update(answers=None), "answers"),
]


@pytest.mark.parametrize(("change", "where"), [c[1:] for c in BAD_DRAFTS], ids=[c[0] for c in BAD_DRAFTS])
def test_resume_refuses_a_bad_draft_in_one_line_and_keeps_it_aside(mini_ruleset, mini_assessor, tmp_path, change, where):
    from test_interactive_plain import triage

    from test_drafts_record import set_aside_drafts

    data_dir = tmp_path / "data"
    _a_draft(mini_ruleset, mini_assessor, data_dir)
    content = tamper(data_dir, change)
    done = triage(["--plain", "--rules", str(MINI_RULES), "resume"], "", tmp_path, data_dir)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "damaged" in done.stderr and where in done.stderr and "kept aside" in done.stderr
    assert "self-care" not in done.stdout.lower() and "(skipped)" not in done.stdout
    assert drafts_in(data_dir) == []
    ((kept, why),) = set_aside_drafts(data_dir)
    assert kept == content and where in why, "kept as it was, with why"
    again = triage(["--plain", "--rules", str(MINI_RULES), "resume"], "", tmp_path, data_dir)
    assert again.returncode == 2 and "no unfinished questionnaire" in again.stderr and "Traceback" not in again.stderr


def test_a_new_start_reports_a_bad_draft_and_keeps_it(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_support import INTERRUPT, planned, run_plain

    from test_drafts_record import set_aside_drafts

    data_dir = tmp_path / "data"
    _a_draft(mini_ruleset, mini_assessor, data_dir)
    tamper(data_dir, lambda d: d["flow"]["answers"].update(age="70"))
    run = run_plain(mini_ruleset, mini_assessor, planned({"chest": [INTERRUPT]}), data_dir)
    screen = " ".join(run.screen.split())
    assert run.code == 130 and "damaged" in screen and "Starting a new questionnaire" in screen
    assert len(set_aside_drafts(data_dir)) == 1
    again = run_plain(mini_ruleset, mini_assessor, planned({"chest": [INTERRUPT]}), data_dir)
    assert "damaged" not in again.screen, "reported once, never offered again"


# --- 5. one draft per person: a second questionnaire for the same person is refused ------------------
# (two real processes: tests/test_drafts_record.py)

def test_a_second_questionnaire_for_the_same_person_is_refused_in_one_line(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_support import INTERRUPT, planned, run_plain

    from triage.interactive.store import DraftInUse, DraftStore
    from triage.record.people import PersonRef

    data_dir = tmp_path / "data"
    content = _a_draft(mini_ruleset, mini_assessor, data_dir)
    running = DraftStore(data_dir)
    assert running.load().flow["answers"] == {"chest": "no"}  # the first questionnaire, continued and still running
    with pytest.raises(DraftInUse, match=r"the questionnaire for me is open in another triage \(process \d+"):
        run_plain(mini_ruleset, mini_assessor, planned({"injury": [INTERRUPT]}, {"chest": "no"}), data_dir)
    with pytest.raises(DraftInUse):
        DraftStore(data_dir).claim(PersonRef())
    assert drafts_in(data_dir) == [("me", content)], "the running one's draft is untouched"
    running.close()
    resumed = run_plain(mini_ruleset, mini_assessor, planned({"injury": [INTERRUPT]}), data_dir, resume=True)
    assert "Continuing your questionnaire (1 answer so far)" in resumed.screen, "free again once it has stopped"


def test_resume_continues_the_newest_draft_nobody_holds(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_support import INTERRUPT, planned, run_plain

    from triage.interactive.store import DraftStore
    from triage.record.people import PersonRef

    data_dir = tmp_path / "data"
    _a_draft(mini_ruleset, mini_assessor, data_dir)  # me: one answer
    nurse = {"nurse": "Nurse Kim", "respondent": "patient", "patient": "Ann Example", "dob": "1980-04-02"}
    script = planned({"cancer": [INTERRUPT], **{k: [Reply(v)] for k, v in nurse.items()}}, {"chest": "no", "injury": "no"})
    assert run_plain(mini_ruleset, mini_assessor, script, data_dir, nurse=True).code == 130  # Ann: two answers, newer
    holder = DraftStore(data_dir)
    holder.claim(PersonRef("Ann Example", "1980-04-02"))
    resumed = run_plain(mini_ruleset, mini_assessor, planned({"injury": [INTERRUPT]}), data_dir, resume=True)
    assert "Continuing your questionnaire (1 answer so far)" in resumed.screen, "Ann's is open elsewhere: mine"
    holder.close()
    resumed = run_plain(mini_ruleset, mini_assessor, planned({"cancer": [INTERRUPT]}), data_dir, resume=True)
    assert "Continuing your questionnaire (2 answers so far)" in resumed.screen, "the newest: Ann's"
    assert "1 other unfinished questionnaire is saved" in resumed.screen
    assert sorted(key for key, _ in drafts_in(data_dir)) == ["ann example|1980-04-02", "me"]


# --- 6. the data folder: made 0700, refused when it is not a folder or not the user's own ------------

def _plain_start(tmp_path, data_dir):
    from test_interactive_plain import triage

    return triage(["--plain", "--rules", str(MINI_RULES)], "2\n", tmp_path, data_dir)


@pytest.mark.parametrize("kind", ["regular file", "dangling symlink", "group-writable", "world-writable"])
def test_an_unusable_data_folder_is_one_line_before_any_question(tmp_path, kind):
    data_dir = tmp_path / "data"
    if kind == "regular file":
        data_dir.write_text("x")
    elif kind == "dangling symlink":
        data_dir.symlink_to(tmp_path / "nowhere")
    else:
        data_dir.mkdir()
        data_dir.chmod(0o770 if kind == "group-writable" else 0o707)
    done = _plain_start(tmp_path, data_dir)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and str(data_dir) in done.stderr
    assert "Warning signs" not in done.stdout, "refused before anything is asked"


def test_the_data_folder_is_made_0700(mini_ruleset, mini_assessor, tmp_path):
    old = os.umask(0)
    try:
        _a_draft(mini_ruleset, mini_assessor, tmp_path / "deep" / "data")
    finally:
        os.umask(old)
    path = tmp_path / "deep" / "data" / "record.sqlite3"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a file owned by someone else")
def test_a_draft_planted_by_another_user_is_refused(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_plain import triage

    data_dir = tmp_path / "data"
    _a_draft(mini_ruleset, mini_assessor, data_dir)
    path = data_dir / "record.sqlite3"
    path.chmod(0o644)
    os.chown(path, 12345, 12345)
    done = triage(["--plain", "--rules", str(MINI_RULES), "resume"], "", tmp_path, data_dir)
    assert done.returncode == 2 and "belongs to another user" in done.stderr and "Traceback" not in done.stderr
    assert "Continuing" not in done.stdout and path.exists()


def test_a_group_writable_draft_is_refused(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_plain import triage

    data_dir = tmp_path / "data"
    _a_draft(mini_ruleset, mini_assessor, data_dir)
    path = data_dir / "record.sqlite3"
    path.chmod(0o660)
    done = triage(["--plain", "--rules", str(MINI_RULES), "resume"], "", tmp_path, data_dir)
    assert done.returncode == 2 and "group- or world-writable" in done.stderr and "Continuing" not in done.stdout


def test_answers_that_cannot_be_saved_are_shown_not_lost(mini_ruleset, mini_assessor, tmp_path):
    import shutil

    from test_interactive_support import INTERRUPT, planned, run_plain

    data_dir = tmp_path / "data"

    def break_folder_then_stop(spec):
        if spec.question_id == "injury":
            shutil.rmtree(data_dir) if data_dir.exists() else None  # (it holds this run's lock on "me"'s draft)
            data_dir.write_text("not a folder")
            return INTERRUPT
        return planned({}, {"chest": "no"})(spec)

    run = run_plain(mini_ruleset, mini_assessor, break_folder_then_stop, data_dir)
    screen = " ".join(run.screen.split())  # the message is wrapped at the terminal's width
    assert run.code == 2 and "Could not save" in screen and "not a folder" in screen
    assert "chest pain? No" in run.screen, "the answer given is on screen"


def test_answers_that_cannot_be_saved_as_they_are_given_say_so_once_and_the_questions_go_on(mini_ruleset, mini_assessor, tmp_path):
    import shutil

    from test_interactive_support import INTERRUPT, Reply, planned, run_plain

    data_dir = tmp_path / "data"
    calm = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no"}

    def break_folder_after_injury(spec):
        if spec.question_id == "cancer" and data_dir.is_dir():
            shutil.rmtree(data_dir)  # the draft saved after "injury" is gone with it
            data_dir.write_text("not a folder")
        if spec.question_id == "age":
            return INTERRUPT
        return Reply(calm[spec.question_id]) if spec.question_id in calm else planned({}, calm)(spec)

    run = run_plain(mini_ruleset, mini_assessor, break_folder_after_injury, data_dir)
    screen = " ".join(run.screen.split())
    assert screen.count("cannot be saved as you go") == 1, "said once, not after every answer"
    assert [s.question_id for s in run.asked if s.question_id][:4] == ["chest", "injury", "cancer", "night_pain"], "the questions go on"
    assert "Could not save" in screen and "Does pain wake you? No" in screen, "at the stop, every answer is on screen"


# --- 3. the compiled copy of the rules cannot change behaviour unseen --------------------------------

def _tampered_copy(tmp_path) -> Path:
    import shutil

    from triage.ruleset.files import default_rules_dir

    copy = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), copy)
    parsed = copy / "parsed.json"
    content = json.loads(parsed.read_text())
    for finding in content["files"]["red_flags.yaml"]["document"]["findings"]:
        if finding["id"] == "cardiac_chest_pain":
            finding["level"] = "appointment"
    parsed.write_text(json.dumps(content))
    return copy


def test_editing_only_parsed_json_does_not_lower_an_emergency(tmp_path):
    import subprocess
    import sys

    from fixtures_paths import CASES

    copy = _tampered_copy(tmp_path)
    case = tmp_path / "chest.json"
    case.write_text(json.dumps({"answers": load_yaml((CASES / "emergency_chest_unsure.yaml").read_text())["answers"]}))
    official = subprocess.run([sys.executable, "-m", "triage", "assess", str(case), "--format", "json"],
                              capture_output=True, text=True, timeout=60)
    done = subprocess.run([sys.executable, "-m", "triage", "--rules", str(copy), "assess", str(case), "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result, expected = json.loads(done.stdout), json.loads(official.stdout)
    assert result["disposition"] == "emergency"
    assert result["ruleset"]["hash"] == expected["ruleset"]["hash"]


def test_rules_check_finds_an_edited_parsed_json(tmp_path):
    import subprocess
    import sys

    copy = _tampered_copy(tmp_path)
    done = subprocess.run([sys.executable, "-m", "triage", "--rules", str(copy), "rules", "check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "parsed.json" in done.stderr and "red_flags.yaml" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


# --- 4. SIGTERM and SIGHUP save the draft like Ctrl-C; a lost terminal too ----------------------------

@pytest.mark.timeout(120)
@pytest.mark.parametrize(("signal_number", "code"), [(15, 143), (1, 129)], ids=["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("plain", [False, True], ids=["arrows", "plain"])
def test_a_signal_saves_the_draft_and_exits_128_plus_its_number(ruleset, tmp_path, signal_number, code, plain):
    pexpect = pytest.importorskip("pexpect")
    from test_interactive_support import arrow_keys, screens, spec_for
    from test_pty_interactive import terminal_env, triage_command

    from triage.assessment.assess import Assessor
    from triage.interactive.flow import Flow

    env = terminal_env(tmp_path, NO_COLOR="1")
    child = pexpect.spawn(triage_command(), ["--plain"] if plain else [], cwd=str(tmp_path), env=env,
                          encoding="utf-8", dimensions=(60, 400), timeout=30)
    flow = Flow(ruleset, Assessor(ruleset))
    first = flow.next_question()  # the first screen: a group of warning signs, answered "No, none of these"
    child.expect_exact(" ".join(first.ask.split()))
    child.send("2\r" if plain else arrow_keys(spec_for(flow, first), Reply("no")))
    screens(flow, first, {})
    second = flow.next_question()
    child.expect_exact(" ".join(second.ask.split()))
    child.expect_exact("Type a number" if plain else "Not sure")
    child.kill(signal_number)
    child.expect(pexpect.EOF)
    child.close()
    assert (child.exitstatus, child.signalstatus) == (code, None), child.before
    assert "Traceback" not in child.before
    ((_, draft),) = drafts_in(tmp_path / "data")
    assert json.loads(draft)["flow"]["answers"] == flow.answers and set(flow.answers.values()) == {"no"}


def test_a_lost_terminal_saves_the_draft_without_a_traceback(mini_ruleset, mini_assessor, tmp_path):
    import errno

    from test_interactive_support import ScriptedLines, planned

    from triage.interactive import run_with
    from triage.interactive.store import DraftStore

    class LostTerminal(ScriptedLines):
        def ask(self, spec, meanwhile=None):
            if spec.question_id == "injury":
                raise OSError(errno.EIO, "Input/output error")
            return super().ask(spec, meanwhile)

        def show(self, text, style=""):
            if "Stopped" in text:
                raise OSError(errno.EIO, "Input/output error")
            super().show(text, style)

    prompter = LostTerminal(planned({}, {"chest": "no"}))
    code = run_with(mini_ruleset, mini_assessor, prompter, DraftStore(tmp_path / "data"))
    assert code == 130
    ((_, draft),) = drafts_in(tmp_path / "data")
    assert json.loads(draft)["flow"]["answers"] == {"chest": "no"}


# --- 7. every prompt enforces the models' limits -----------------------------------------------------

@pytest.mark.parametrize("typed", ["--5", "²", "٣", "5-", "+-5", "1e3", "0x10", "５"])
def test_a_strange_number_gets_a_clear_message(typed):
    from triage.interactive.asks import parse_number

    value, message = parse_number(typed, 0, 120, "from 0 to 120")
    assert value is None and message == "Please type a whole number from 0 to 120."


@pytest.mark.parametrize("front_end", ["plain", "arrows"])
def test_limits_are_enforced_at_the_prompt(mini_ruleset, mini_assessor, tmp_path, monkeypatch, capsys, front_end):
    """A name over 200 characters, a note or free text over 2000: refused at the prompt, asked again."""
    from test_interactive_support import planned, run_arrows, run_plain

    from triage.assessment.answers import load_answers_file

    monkeypatch.chdir(tmp_path)
    long_name, long_text = "N" * 201, "t" * 2001
    key = "line" if front_end == "plain" else "keys"
    end = "\n" if front_end == "plain" else "\r\x15"  # arrows: Enter, then Ctrl-U clears the refused text
    plan = {
        "nurse": [Reply(**{key: long_name + end + "Nurse Kim" + ("" if front_end == "plain" else "\r")})],
        "patient": [Reply(**{key: long_name + end + "Ann" + ("" if front_end == "plain" else "\r")})],
        "respondent": [Reply("patient")],
        "dob": [Reply(None)],
        "other": [Reply(**{key: long_text + end + "short" + ("" if front_end == "plain" else "\r")})],
        "override": [Reply("keep")],
        "general_note": [Reply(**{key: long_text + end + "fine" + ("" if front_end == "plain" else "\r")})],
    }
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 40, "pain_now": 4, "sleep": "side"}
    runner = run_plain if front_end == "plain" else run_arrows
    run = runner(mini_ruleset, mini_assessor, planned(plan, answers), tmp_path / "data", nurse=True)
    assert run.code == 0, run.screen
    if front_end == "plain":  # the arrow prompt shows it in its toolbar, gone before the screen is read
        assert "at most 200 characters" in run.screen and "at most 2000 characters" in run.screen
    (saved,) = tmp_path.glob("neck-triage-answers-*.yaml")
    document = load_answers_file(mini_ruleset, saved)
    assert document.nurse.name == "Nurse Kim" and document.patient.name == "Ann"
    assert document.answers["other"] == "short" and document.notes["general"] == "fine"


def test_an_age_the_date_of_birth_makes_impossible_is_asked_again(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    from datetime import date

    from test_interactive_support import planned, run_plain

    monkeypatch.chdir(tmp_path)
    born = date(date.today().year - 31, 1, 1).isoformat()
    plan = {"nurse": [Reply(line="Kim")], "patient": [Reply(line="")], "respondent": [Reply("patient")],
            "dob": [Reply(line=born)], "age": [Reply(line="44"), Reply(line="30")], "override": [Reply("keep")],
            "general_note": [Reply(line="")], "save": [Reply(False)]}
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "pain_now": 4, "sleep": "side", "other": None}
    run = run_plain(mini_ruleset, mini_assessor, planned(plan, answers), tmp_path / "data", nurse=True)
    assert run.code == 0 and "makes the patient 31 today" in run.screen


# --- 11. a reason is words; override errors name the file --------------------------------------------

@pytest.mark.parametrize("reason", ["\u200b", " . ", "\u200b\u200b!!", "123"])
def test_lowering_needs_a_reason_in_words(tmp_path, reason):
    path = tmp_path / "a.json"
    document = {"answers": {**VALID, "injury": "yes", "numb": "no"}, "override": {"level": "appointment", "reason": reason}}
    path.write_text(json.dumps(document))
    assert_one_clear_line(run("assess", str(path)), f"{path}: override.reason", "in words")


def test_the_reason_check_at_the_prompt_wants_letters():
    from triage.interactive.asks import check_reason

    assert check_reason("\u200b") and check_reason("...") and check_reason("x" * 2001)
    assert check_reason("Seen in clinic, stable") is None


# --- 8. stale temporaries of a killed run are removed; every output path is checked first ------------

def _batch_input(tmp_path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(answers_text(VALID) + "\n")
    return path


def test_a_killed_batchs_temporary_file_is_removed_by_the_next_run(tmp_path):
    import fcntl

    source = _batch_input(tmp_path)
    stale = tmp_path / ".out.jsonl.k3x_9abz.tmp"
    busy = tmp_path / ".out.jsonl.q1w2e3r4.tmp"  # another run still writing it (holds its lock)
    others = [tmp_path / ".out.jsonl.short.tmp", tmp_path / ".other.jsonl.k3x_9abz.tmp", tmp_path / "out.jsonl.k3x_9abz.tmp"]
    for path in [stale, busy, *others]:
        path.write_text("health data")
        os.utime(path, (1_000_000_000, 1_000_000_000))
    with open(busy, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        done = run("assess", "--batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert done.returncode == 0, done.stderr
    assert not stale.exists(), "a stale temporary of our own is removed"
    assert busy.exists() and all(path.exists() for path in others), "only unused files of our own pattern"
    assert (tmp_path / "out.jsonl").exists()


def test_every_output_path_is_checked_before_anything_is_written(tmp_path):
    answers = tmp_path / "a.json"
    answers.write_text(answers_text(VALID))
    summary = tmp_path / "s.txt"
    assert_one_clear_line(run("assess", str(answers), "--summary", str(summary), "-o", str(tmp_path / "missing" / "o.txt")),
                          "missing")
    assert not summary.exists()


@pytest.mark.parametrize("option", ["--summary", "-o"])
def test_force_never_replaces_something_that_is_not_a_regular_file(tmp_path, option):
    answers = tmp_path / "a.json"
    answers.write_text(answers_text(VALID))
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    for target in (fifo, folder):
        assert_one_clear_line(run("assess", str(answers), option, str(target), "--force"), str(target))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and folder.is_dir()


def test_force_never_replaces_a_batch_output_that_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "out.jsonl"
    os.mkfifo(fifo)
    assert_one_clear_line(run("assess", "--batch", str(_batch_input(tmp_path)), "-o", str(fifo), "--force"), "not a regular file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("option", ["--summary", "-o"])
def test_an_output_equal_to_the_input_is_refused(tmp_path, option):
    answers = tmp_path / "in.yaml"
    answers.write_text("answers: {chest: no, injury: no, cancer: no, night_pain: no, age: 44, pain_now: 3, sleep: side}\n")
    content = answers.read_bytes()
    target = str(answers) if option == "-o" else str(tmp_path / "." / "in.yaml")
    done = run("assess", str(answers), option, target, "--force", *(["--summary-format", "text"] if option == "--summary" else []))
    assert_one_clear_line(done, "is the input")
    assert answers.read_bytes() == content


def test_a_batch_output_equal_to_its_input_is_refused(tmp_path):
    source = _batch_input(tmp_path)
    content = source.read_bytes()
    assert_one_clear_line(run("assess", "--batch", str(source), "-o", str(source), "--force"), "is the input")
    assert source.read_bytes() == content


def test_dash_means_standard_output(tmp_path):
    import subprocess
    import sys

    answers = tmp_path / "a.json"
    answers.write_text(answers_text(VALID))
    done = subprocess.run([sys.executable, "-m", "triage", "--rules", str(MINI_RULES), "assess", str(answers), "-o", "-"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 0 and "not a diagnosis" in done.stdout.lower() and not (tmp_path / "-").exists()


# --- 9. nothing hostile reaches a terminal or a text/Markdown summary ---------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\u202eevil\u2066\x9b31m\x7f\x00"
RAW = ["\x1b", "\x07", "\u202e", "\u2066", "\x9b", "\x7f", "\x00"]


def test_visible_shows_every_control_and_bidi_character():
    from triage.text_safety import visible

    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\u202e\u200f\u061c\x9b\x7f") == "U+202E" "U+200F" "U+061C" "\\x9b" "\\x7f"
    assert visible("one\ntwo\tthree") == "one\\x0atwo\\x09three"
    assert visible("one\ntwo\tthree", keep_lines=True) == "one\ntwo\tthree"
    assert visible("Zoë Łukasiewicz 李雷 café") == "Zoë Łukasiewicz 李雷 café"


def _hostile_answers(tmp_path) -> Path:
    path = tmp_path / "hostile.json"
    document = {"answers": {**VALID, "injury": "yes", "numb": "no"},
                "patient": {"name": f"Ann {ESCAPES}"}, "nurse": {"name": f"Kim {ESCAPES}"},
                "notes": {"general": f"note {ESCAPES}"},
                "override": {"level": "appointment", "reason": f"Seen today {ESCAPES}"}}
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_assess_shows_hostile_text_visibly(tmp_path, fmt):
    done = run("assess", str(_hostile_answers(tmp_path)), "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert not [char for char in RAW if char in done.stdout]
    if fmt == "text":
        assert "\\x1b]0;pwned\\x07" in done.stdout and "U+202E" in done.stdout
    else:
        assert json.loads(done.stdout)["override"]["reason"] == f"Seen today {ESCAPES}", "JSON keeps the text, escaped"


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_summaries_show_hostile_text_visibly(tmp_path, suffix):
    summary = tmp_path / f"s{suffix}"
    done = run("assess", str(_hostile_answers(tmp_path)), "--summary", str(summary))
    assert done.returncode == 0, done.stderr
    text = summary.read_text()
    assert not [char for char in RAW if char in text]
    assert "\\x1b" in text or "\\\\x1b" in text


def test_a_file_name_in_an_error_is_shown_visibly(tmp_path):
    name = tmp_path / "a\x1b]0;pwned\x07\u202e.yaml"
    done = run("assess", str(name))
    assert done.returncode == 2 and "no such file" in done.stderr
    assert not [char for char in RAW if char in done.stderr] and "\\x1b]0;pwned\\x07U+202E.yaml" in done.stderr


def test_the_plain_questionnaire_shows_a_typed_name_visibly(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    from test_interactive_support import planned, run_plain

    monkeypatch.chdir(tmp_path)
    plan = {"nurse": [Reply(line=f"Kim {ESCAPES.replace(chr(0), '')}")], "patient": [Reply(line=f"Ann {ESCAPES[:20]}")],
            "respondent": [Reply("patient")], "dob": [Reply(line="")], "override": [Reply("keep")],
            "general_note": [Reply(line="")], "save": [Reply(False)], "other": [Reply(line=f"typed {ESCAPES[:-1]}")]}
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 40, "pain_now": 4, "sleep": "side"}
    run = run_plain(mini_ruleset, mini_assessor, planned(plan, answers), tmp_path / "data", nurse=True)
    assert run.code == 0
    assert "typed \\x1b]0;pwned" in run.screen, "the review shows the typed answer, visibly"
    assert not [char for char in RAW if char in run.screen]


# --- 11. Markdown: names and notes never become links ------------------------------------------------

def test_markdown_escapes_bare_urls_and_autolinks():
    from markdown_it import MarkdownIt

    from triage.report.markdown import escape

    for text in ("see http://evil.example/x", "www.evil.example", "<https://evil.example>", "[a](http://x)", "mail me@evil.example"):
        escaped = escape(text)
        assert "://" not in escaped and "www." not in escaped and "@" not in escaped.replace("\\@", "")
        assert "<a" not in MarkdownIt("commonmark").render(escaped)
        assert MarkdownIt("commonmark").render(escaped).count("evil") == text.count("evil"), "the text itself is kept"


def test_a_batch_file_name_is_shown_visibly(tmp_path):
    source = tmp_path / "in\x1b[2J.jsonl"
    source.write_text('{"answers": {"chest": "maybe"}}\n')
    done = run("assess", "--batch", str(source))
    assert done.returncode == 2 and "\\x1b[2J" in done.stderr and "\x1b" not in done.stderr


def test_batch_results_on_a_terminal_show_hostile_text_as_json_escapes(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    import sys

    source = tmp_path / "in.jsonl"
    document = {"answers": {**VALID, "injury": "yes", "numb": "no"}, "override": {"level": "appointment", "reason": f"Seen {ESCAPES}"}}
    source.write_text(json.dumps(document) + "\n")
    child = pexpect.spawn(sys.executable, ["-m", "triage", "--rules", str(MINI_RULES), "assess", "--batch", str(source)],
                          encoding="utf-8", timeout=60, env={**os.environ, "TERM": "dumb"})
    child.expect(pexpect.EOF)
    child.close()
    output = child.before
    assert child.exitstatus == 0 and '"ok": true' in output
    assert "\x1b]0;pwned" not in output and "\\u001b]0;pwned" in output  # (the progress bar on stderr uses escapes)
    assert not [char for char in RAW if char in output and char != "\x1b"]


@pytest.mark.parametrize("content", [b"[" * 100_000, b"\xff\xfe{}", b"{" + b" " * 5_000_001 + b"}"], ids=["deep", "not utf-8", "huge"])
def test_an_unreadable_draft_is_kept_aside_without_a_traceback(tmp_path, content):
    from test_interactive_plain import triage

    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    (data_dir / "draft-1.json").write_bytes(content)
    done = triage(["--plain", "--rules", str(MINI_RULES), "resume"], "", tmp_path, data_dir)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "damaged" in done.stderr, done.stderr
    assert (data_dir / "draft-1.json.damaged").read_bytes() == content


def test_an_unreadable_data_folder_is_one_line(tmp_path):
    import subprocess
    import sys

    from test_bad_input import _drop_root_file_powers

    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o300)
    env = {**{k: v for k, v in os.environ.items() if k != "TERM"}, "TRIAGE_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "triage", "--plain", "--rules", str(MINI_RULES)], input="2\n",
                          capture_output=True, text=True, env=env, timeout=60,
                          preexec_fn=_drop_root_file_powers if os.geteuid() == 0 else None)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "cannot read the folder" in done.stderr


def test_the_age_answered_is_kept_when_it_fits_the_date_of_birth(mini_ruleset, mini_assessor, tmp_path, monkeypatch):
    """After the refused age, the next one that fits (within a year of the date of birth) is the answer."""
    from datetime import date

    from test_interactive_support import FIXED_NOW, planned, run_plain

    from triage.assessment.answers import load_answers_file

    monkeypatch.chdir(tmp_path)
    born = date(FIXED_NOW.year - 31, 1, 1).isoformat()
    plan = {"nurse": [Reply(line="Kim")], "patient": [Reply(line="")], "respondent": [Reply("patient")],
            "dob": [Reply(line=born)], "age": [Reply(line="44"), Reply(line="20"), Reply(line="31")],
            "override": [Reply("keep")], "general_note": [Reply(line="")], "save": [Reply(True)], "formats": [Reply(["text"])],
            "folder": [Reply(line=str(tmp_path))]}
    answers = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "pain_now": 4, "sleep": "side", "other": None}
    run = run_plain(mini_ruleset, mini_assessor, planned(plan, answers), tmp_path / "data", nurse=True)
    assert run.code == 0
    assert "the age given is 44" in run.screen and "the age given is 20" in run.screen, "too old and too young: both refused"
    (saved,) = tmp_path.glob("neck-triage-answers-*.yaml")
    assert load_answers_file(mini_ruleset, saved).answers["age"] == 31
