"""Unfinished questionnaires in the record (issue 17): one per person, held by one running triage.

Every test uses the real SQLite file and, where two sessions matter, real processes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fixtures_paths import MINI_RULES

from triage.record.drafts import save_draft
from triage.record.people import PersonRef
from triage.record.store import DB_FILE, MIGRATIONS, SCHEMA_VERSION, RecordStore

pytestmark = pytest.mark.timeout(120)

SAVED = datetime(2026, 11, 23, 19, 0, tzinfo=timezone.utc)


def put_draft(data_dir: Path, payload: str, person: PersonRef = PersonRef()) -> None:
    """A draft row written straight into the record (for drafts a session could never write)."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with RecordStore(data_dir) as store:
        save_draft(store, person, payload, saved=SAVED, started=None)


def open_drafts(data_dir: Path) -> list[tuple[str, str]]:
    """(person key, payload) of each open draft."""
    with RecordStore(data_dir) as store:
        return store._read("SELECT p.key, d.payload FROM drafts d JOIN people p ON p.id = d.person_id "
                           "WHERE d.set_aside IS NULL ORDER BY d.id")


def set_aside_drafts(data_dir: Path) -> list[tuple[str, str]]:
    """(payload, why) of each draft kept aside."""
    with RecordStore(data_dir) as store:
        return store._read("SELECT payload, set_aside FROM drafts WHERE set_aside IS NOT NULL ORDER BY id")


# --- real processes ----------------------------------------------------------------------------------

NURSE = ["--nurse", "--plain", "--rules", str(MINI_RULES)]
ANN, BOB = ("Ann Example", "1980-04-02"), ("Bob Sample", "1975-06-01")


def _env(data_dir: Path) -> dict:
    return {**{k: v for k, v in os.environ.items() if k not in ("TERM", "COLUMNS")}, "TRIAGE_DATA_DIR": str(data_dir),
            "TERM": "xterm-256color", "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"}


def _terminal(data_dir: Path, args: list[str]):
    """``triage`` in a real pseudo-terminal (a person at a terminal)."""
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "triage", *args], env=_env(data_dir), encoding="utf-8",
                          dimensions=(50, 120), timeout=30)
    return child


def _nurse_opens(data_dir: Path, patient: tuple[str, str]):
    """A nurse at a terminal opens a new patient and answers the first question; left waiting at the second."""
    child = _terminal(data_dir, NURSE)
    child.expect_exact("Your name (the nurse):")
    child.sendline("Kim Nurse")
    index = child.expect_exact(["Which patient?", "Who is answering"])
    if index == 0:
        child.expect_exact("Type a number")
        child.sendline(_new_choice(child))
        child.expect_exact("Who is answering")
    child.expect_exact("Type a number")
    child.sendline("1")  # the patient
    child.expect_exact("Patient's name:")
    child.sendline(patient[0])
    child.expect_exact("Patient's date of birth")
    child.sendline(patient[1])
    child.expect_exact("chest pain?")
    child.expect_exact("Type a number")
    child.sendline("2")  # no
    child.expect_exact("injury?")
    child.expect_exact("Type a number")
    return child


def _new_choice(child) -> str:
    """The number of "A new patient" in the list just shown."""
    for line in child.before.splitlines():
        if "A new patient" in line:
            return line.strip().split(".")[0]
    raise AssertionError(child.before)


def _piped(data_dir: Path, args: list[str], lines: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in _env(data_dir).items() if k != "TERM"}
    typed = "".join(f"{line}\n" for line in lines)
    return subprocess.run([sys.executable, "-m", "triage", *args], input=typed, capture_output=True, text=True, env=env,
                          timeout=60)


def _stop(child, how=signal.SIGTERM) -> int | None:
    child.kill(how)
    child.expect(pytest.importorskip("pexpect").EOF)
    child.close()
    return child.exitstatus if how != signal.SIGKILL else child.signalstatus


def test_a_nurse_keeps_two_patients_open_and_a_third_window_for_one_of_them_is_refused(tmp_path):
    data_dir = tmp_path / "data"
    ann = _nurse_opens(data_dir, ANN)
    bob = _nurse_opens(data_dir, BOB)  # a second patient at the same time: not refused
    again = _piped(data_dir, NURSE, ["Kim Nurse", "1", *ANN, "2"])
    assert again.returncode == 2, again.stdout + again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.stderr
    assert f"the questionnaire for {ANN[0]} (born {ANN[1]}) is open in another triage (process {ann.pid}" in again.stderr
    assert _stop(ann) == 143 and _stop(bob) == 143  # SIGTERM saves each one's draft
    drafts = {key: json.loads(payload) for key, payload in open_drafts(data_dir)}
    assert set(drafts) == {"ann example|1980-04-02", "bob sample|1975-06-01"}
    assert all(d["flow"]["answers"] == {"chest": "no"} for d in drafts.values()), "two drafts, two people"
    assert not list(data_dir.glob(".draft-*.lock")), "the locks go with the sessions"


def test_the_same_person_twice_in_patient_mode_is_refused_in_one_line(tmp_path):
    data_dir = tmp_path / "data"
    first = _terminal(data_dir, ["--plain", "--rules", str(MINI_RULES)])
    first.expect_exact("Type a number")
    second = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], ["2"])
    assert second.returncode == 2 and len(second.stderr.strip().splitlines()) == 1, second.stderr
    assert f"the questionnaire for me is open in another triage (process {first.pid}" in second.stderr
    assert "chest pain" not in second.stdout, "refused before anything is asked"
    first.sendline("2")
    first.expect_exact("injury")
    assert _stop(first, signal.SIGHUP) == 129
    assert [key for key, _ in open_drafts(data_dir)] == ["me"]


def test_kill_9_during_a_session_keeps_every_answer_given_and_frees_the_person(tmp_path):
    """Each answer is saved as it is given (one transaction), so kill -9 loses nothing typed."""
    data_dir = tmp_path / "data"
    first = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], ["2"])  # chest: no; then the input ends
    assert first.returncode == 130, first.stderr
    (saved,) = open_drafts(data_dir)
    child = _terminal(data_dir, ["--plain", "--rules", str(MINI_RULES), "resume"])
    child.expect_exact("Continuing your questionnaire (1 answer so far)")
    child.expect_exact("Type a number")
    child.sendline("2")  # injury: no
    child.expect_exact("Type a number")
    assert _stop(child, signal.SIGKILL) == signal.SIGKILL
    ((person, draft),) = open_drafts(data_dir)
    assert person == saved[0] and json.loads(draft)["flow"]["answers"] == {"chest": "no", "injury": "no"}
    with closing(sqlite3.connect(data_dir / DB_FILE)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    resumed = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES), "resume"], [])
    assert "Continuing your questionnaire (2 answers so far)" in resumed.stdout, "no one holds it any more"


# --- the schema --------------------------------------------------------------------------------------

def _schema_1(data_dir: Path) -> None:
    """A record as the first version (schema 1, no drafts) left it: one assessment of Ann's."""
    data_dir.mkdir(mode=0o700)
    with closing(sqlite3.connect(data_dir / DB_FILE, isolation_level=None)) as db:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (1)")
        for statement in (s for s in MIGRATIONS[0].split(";") if s.strip()):
            db.execute(statement)
        db.execute("INSERT INTO people (key, name, date_of_birth, created_at) VALUES "
                   "('ann example|1980-04-02', 'Ann Example', '1980-04-02', '2026-03-02T09:00:00+00:00')")
        db.execute("INSERT INTO assessments (person_id, started_at, ended_at, source, ruleset_version, ruleset_hash, "
                   "disposition, pain, answers_json, assessment_json) VALUES (1, '2026-03-02T09:00:00+00:00', "
                   "'2026-03-02T09:10:00+00:00', 'file', '1', 'x', 'self_care', 3, '{\"answers\": {}}', '{}')")
    os.chmod(data_dir / DB_FILE, 0o600)


def test_a_schema_1_record_is_migrated_and_keeps_its_records(tmp_path):
    data_dir = tmp_path / "data"
    _schema_1(data_dir)
    assert SCHEMA_VERSION == 2
    done = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], ["2"])  # a draft for me: needs the new table
    assert done.returncode == 130, done.stderr
    with RecordStore(data_dir) as store:
        assert store.db.execute("SELECT version FROM schema_version").fetchone() == (2,)
        assert [row.id for row in store.history()] == ["a1"], "the old record is kept"
    assert [key for key, _ in open_drafts(data_dir)] == ["me"]
    history = _piped(data_dir, ["history", "--format", "json"], [])
    document = json.loads(history.stdout)
    assert [r["id"] for r in document["records"]] == ["a1"], "a draft is not an assessment"
    assert [d["person"] for d in document["unfinished"]] == ["me"]


def test_a_record_from_a_newer_schema_stops_the_questionnaire_in_one_line_and_is_not_changed(tmp_path):
    data_dir = tmp_path / "data"
    put_draft(data_dir, "{}")
    with closing(sqlite3.connect(data_dir / DB_FILE)) as db, db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    before = (data_dir / DB_FILE).read_bytes()
    done = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], ["2"])
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and "newer version" in done.stderr
    assert "chest pain" not in done.stdout
    assert (data_dir / DB_FILE).read_bytes() == before


@pytest.mark.parametrize("content", [b"this is not a database, it is damaged" * 200, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_damaged_record_stops_the_questionnaire_with_the_fail_safe_message(tmp_path, content):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    (data_dir / DB_FILE).write_bytes(content)
    os.chmod(data_dir / DB_FILE, 0o600)
    done = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], ["2"])
    assert done.returncode == 1 and "damaged" in done.stderr and "contact a healthcare provider" in done.stderr.lower()
    assert "Traceback" not in done.stderr and "chest pain" not in done.stdout
    assert (data_dir / DB_FILE).read_bytes() == content


def test_a_locked_record_fails_safe_when_saving_and_shows_the_answers(tmp_path):
    data_dir = tmp_path / "data"
    put_draft(data_dir, "{}", PersonRef("Someone Else"))  # a record exists
    child = _terminal(data_dir, ["--plain", "--rules", str(MINI_RULES)])
    child.expect_exact("Type a number")
    child.sendline("2")
    child.expect_exact("injury")
    child.expect_exact("Type a number")
    holder = sqlite3.connect(data_dir / DB_FILE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        child.sendintr()
        child.expect_exact("Could not save your answers so far", timeout=30)
        child.expect_exact("locked")
        child.expect_exact("chest pain? No")
        child.expect(pytest.importorskip("pexpect").EOF)
        child.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert child.exitstatus == 1


# --- damaged drafts, draft files of the file-based version, finishing --------------------------------

def test_a_damaged_draft_is_kept_aside_listed_and_never_offered_again(tmp_path):
    data_dir = tmp_path / "data"
    put_draft(data_dir, '{"schema_version": 1, "saved_at": "2026-11-23T19:00:00+00:00", "flow": []}')
    first = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], [])
    assert "is damaged" in " ".join(first.stdout.split()) and "kept aside" in " ".join(first.stdout.split())
    second = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], [])
    assert "damaged" not in second.stdout and "unfinished questionnaire" not in second.stdout.lower()
    assert len(set_aside_drafts(data_dir)) == 1, "kept, never deleted"
    history = _piped(data_dir, ["history"], [])
    assert "Unfinished questionnaires" in history.stdout and "me: last saved 2026-11-23" in history.stdout
    assert "kept aside, not offered: damaged: ruleset_version: Field required" in history.stdout


def _file_draft(ruleset_version: str, answers: dict, saved: str, patient: tuple[str, str] | None = None) -> str:
    visit = {"nurse": "Kim", "patient_name": patient[0], "date_of_birth": patient[1], "intro_done": True} if patient else {}
    return json.dumps({"schema_version": 1, "saved_at": saved, "ruleset_version": ruleset_version, "ruleset_hash": "h",
                       "nurse_mode": bool(patient), "visit": visit, "flow": {"answers": answers, "history": list(answers)}},
                      indent=2)


def test_draft_files_of_the_file_based_version_are_moved_into_the_record(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    files = {
        "draft-20261120-100000-1-aaaaaa.json": _file_draft("1", {"chest": "no"}, "2026-11-20T10:00:00+00:00"),
        "draft-20261121-100000-2-bbbbbb.json": _file_draft("1", {"chest": "no", "injury": "no"}, "2026-11-21T10:00:00+00:00"),
        "draft-20261122-100000-3-cccccc.json": _file_draft("1", {"chest": "no"}, "2026-11-22T10:00:00+00:00", ANN),
        "draft.json": "{not json",
    }
    for name, text in files.items():
        (data_dir / name).write_text(text)
        os.chmod(data_dir / name, 0o600)
    done = _piped(data_dir, ["history"], [])  # history does not move them: only a questionnaire opens drafts
    assert "Unfinished" not in done.stdout
    done = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], [])
    screen = " ".join(done.stdout.split())
    assert screen.count("was moved into the record") == 3 and "draft.json: the saved draft is damaged" in screen
    assert "is kept as it is" in screen, "piped input: me's newest draft is kept and reported, never offered"
    drafts = dict(open_drafts(data_dir))
    assert drafts == {"me": files["draft-20261121-100000-2-bbbbbb.json"],
                      "ann example|1980-04-02": files["draft-20261122-100000-3-cccccc.json"]}
    assert set_aside_drafts(data_dir) == [(files["draft-20261120-100000-1-aaaaaa.json"],
                                           "an older unfinished questionnaire for the same person")]
    assert sorted(p.name for p in data_dir.iterdir() if not p.name.startswith(DB_FILE)) == ["draft.json.damaged"]


def test_finishing_records_the_result_and_deletes_the_draft_together(tmp_path, monkeypatch):
    from test_interactive_plain import calm_lines

    from triage.assessment.assess import Assessor
    from triage.ruleset.load import load_ruleset

    ruleset = load_ruleset(MINI_RULES)
    lines = calm_lines(ruleset, Assessor(ruleset))
    data_dir = tmp_path / "data"
    monkeypatch.chdir(tmp_path)
    stopped = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], lines[:1])
    assert stopped.returncode == 130 and len(open_drafts(data_dir)) == 1
    done = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES), "resume"], lines[1:] + ["", "n"])
    assert done.returncode == 0, done.stderr
    assert open_drafts(data_dir) == []
    with RecordStore(data_dir) as store:
        assert [row.kind for row in store.history()] == ["questionnaire"]


# --- nurse mode at a terminal: the patient's own draft, offered once the patient is chosen -----------

@pytest.mark.parametrize("choice", ["resume", "new"])
def test_the_nurse_is_offered_the_chosen_patients_draft(mini_ruleset, mini_assessor, tmp_path, monkeypatch, choice):
    from test_interactive_support import FIXED_NOW, INTERRUPT, Reply, ScriptedLines, planned, run_plain

    from triage.interactive import _record_visit, run_with
    from triage.interactive.store import DraftStore

    data_dir = tmp_path / "data"
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(data_dir))  # the record the nurse's list of patients is read from
    intro = {"nurse": [Reply("Kim Nurse")], "respondent": [Reply("patient")], "patient": [Reply(ANN[0])], "dob": [Reply(ANN[1])]}
    assert run_plain(mini_ruleset, mini_assessor, planned({**intro, "injury": [INTERRUPT]}, {"chest": "no"}), data_dir,
                     nurse=True).code == 130
    asked = []

    def pick_ann(spec):
        asked.append(spec)
        if spec.message.startswith("Which patient?"):
            return Reply(next(value for value, label in spec.options if label.startswith(ANN[0])))
        return planned({"nurse": [Reply("Lee Nurse")], "patient_unfinished": [Reply(choice)], "injury": [INTERRUPT]},
                       {"chest": "no"})(spec)

    prompter = ScriptedLines(pick_ann)
    code = run_with(mini_ruleset, mini_assessor, prompter, DraftStore(data_dir), nurse=True, clock=lambda: FIXED_NOW,
                    recorder=_record_visit)
    assert code == 130
    screen = prompter.stdout.getvalue()
    (picker,) = [spec for spec in asked if spec.message.startswith("Which patient?")]
    assert any(", unfinished questionnaire saved " in label for _, label in picker.options), "the list says who has one"
    messages = [spec.message for spec in asked]
    offer = next(m for m in messages if m.startswith("This patient has an unfinished questionnaire"))
    assert messages.index(offer) > messages.index(picker.message), "offered only after the patient is chosen"
    ids = [spec.question_id for spec in asked if spec.question_id]
    (draft,) = open_drafts(data_dir)
    saved = json.loads(draft[1])
    assert draft[0] == "ann example|1980-04-02" and saved["visit"]["nurse"] == "Lee Nurse"
    if choice == "resume":
        assert "Continuing the questionnaire (1 answer so far)" in screen and ids == ["injury"]
        assert saved["flow"]["answers"] == {"chest": "no"}
    else:
        assert ids == ["chest", "injury"], "a new questionnaire: the first question again"
        assert saved["flow"]["answers"] == {"chest": "no"} and set_aside_drafts(data_dir) == []


def test_a_patients_draft_made_with_other_rules_is_kept_aside_not_offered(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_support import INTERRUPT, Reply, planned, run_plain

    data_dir = tmp_path / "data"
    intro = {"nurse": [Reply("Kim Nurse")], "respondent": [Reply("patient")], "patient": [Reply(ANN[0])], "dob": [Reply(ANN[1])]}
    run_plain(mini_ruleset, mini_assessor, planned({**intro, "injury": [INTERRUPT]}, {"chest": "no"}), data_dir, nurse=True)
    ((_, payload),) = open_drafts(data_dir)
    with closing(sqlite3.connect(data_dir / DB_FILE)) as db, db:
        older = payload.replace('"ruleset_version": "2026.11.0"', '"ruleset_version": "2025.1.0"')
        db.execute("UPDATE drafts SET payload = ?", (older,))
    intro = {"nurse": [Reply("Kim Nurse")], "respondent": [Reply("patient")], "patient": [Reply(ANN[0])], "dob": [Reply(ANN[1])]}
    run = run_plain(mini_ruleset, mini_assessor, planned({**intro, "chest": [INTERRUPT]}), data_dir, nurse=True)
    screen = " ".join(run.screen.split())
    assert "cannot be continued: it was made with rules version 2025.1.0" in screen and "Starting a new questionnaire" in screen
    assert "damaged" not in screen and not any(spec.message.startswith("This patient has") for spec in run.asked)
    ((kept, why),) = set_aside_drafts(data_dir)
    assert "2025.1.0" in kept and why.startswith("it was made with rules version 2025.1.0")


def test_resume_person_continues_that_persons_draft_and_forget_removes_it(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_support import INTERRUPT, Reply, planned, run_plain

    data_dir = tmp_path / "data"
    assert _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], ["2"]).returncode == 130  # me: one answer
    intro = {"nurse": [Reply("Kim Nurse")], "respondent": [Reply("patient")], "patient": [Reply(ANN[0])], "dob": [Reply(ANN[1])]}
    run_plain(mini_ruleset, mini_assessor, planned({**intro, "cancer": [INTERRUPT]}, {"chest": "no", "injury": "no"}), data_dir,
              nurse=True)
    mine = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES), "resume", "--person", "me"], [])
    assert "Continuing your questionnaire (1 answer so far)" in mine.stdout, "not the newest: the one named"
    assert "--person" not in mine.stdout.split("To continue")[-1], "me needs no --person"
    ann = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES), "resume", "--person", ANN[0]], [])
    assert "Continuing your questionnaire (2 answers so far)" in ann.stdout
    assert "resume --plain --person 'Ann Example, 1980-04-02'" in ann.stdout, "how to continue names the patient"
    nobody = _piped(data_dir, ["--plain", "--rules", str(MINI_RULES), "resume", "--person", "Cy Nobody"], [])
    assert nobody.returncode == 2 and len(nobody.stderr.strip().splitlines()) == 1 and "Cy Nobody" in nobody.stderr
    forgot = _piped(data_dir, ["forget", "--person", ANN[0], "--yes"], [])
    assert forgot.returncode == 0 and "(and 1 unfinished questionnaire)" in forgot.stdout
    assert [key for key, _ in open_drafts(data_dir)] == ["me"]


def test_a_nurse_stopped_before_the_patient_is_known_leaves_my_draft_alone(mini_ruleset, mini_assessor, tmp_path):
    from test_interactive_support import INTERRUPT, Reply, planned, run_plain

    data_dir = tmp_path / "data"
    assert _piped(data_dir, ["--plain", "--rules", str(MINI_RULES)], ["2"]).returncode == 130  # my own draft
    (mine,) = open_drafts(data_dir)
    run = run_plain(mini_ruleset, mini_assessor, planned({"nurse": [Reply("Kim Nurse")], "respondent": [INTERRUPT]}),
                    data_dir, nurse=True)
    assert run.code == 130 and "No patient had been entered yet, so nothing was saved" in " ".join(run.screen.split())
    assert open_drafts(data_dir) == [mine], "a nurse's half-typed intro is nobody's draft, never mine"
