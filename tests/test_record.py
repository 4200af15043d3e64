"""The record on this computer: the real SQLite file, through the store and the real command line.

Crashes (``kill -9``) and two writers at once are real separate processes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from test_interactive_support import calm_answers

from triage import cli
from triage.assessment.answers import AnswersFile
from triage.assessment.outcome import Assessment
from triage.record import store as store_module
from triage.record.entries import record_assessment, recorded_answers, recorded_assessment
from triage.record.people import PersonRef
from triage.record.store import DB_FILE, SCHEMA_VERSION, RecordStore

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parent.parent
MOMENT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
FAILSAFE = "Please contact a healthcare provider"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def answers_path(tmp_path, ruleset, assessor) -> Path:
    path = tmp_path / "answers.json"
    document = {"answers": calm_answers(ruleset, assessor), "patient": {"name": "Ann Example", "date_of_birth": "1980-04-02"}}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def run(args, capsys) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def add(store: RecordStore, marker: str = "x", name: str | None = None) -> str:
    return store.add_assessment(PersonRef(name), started=MOMENT, ended=MOMENT, source="file", ruleset_version="1",
                                ruleset_hash="h", disposition="self_care", pain=3,
                                answers_json=json.dumps({"answers": {}, "tag": marker, "n": 0}), assessment_json="{}")


# --- the file ---------------------------------------------------------------------------------------


def test_a_new_record_is_private_in_wal_mode_with_foreign_keys(tmp_path):
    with RecordStore(tmp_path / "data") as store:
        add(store)
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / DB_FILE).stat().st_mode) == 0o600


def test_an_assessment_comes_back_as_it_was_recorded(tmp_path, ruleset, assessor, answers_path):
    from triage.assessment.answers import load_answers_file

    answers = load_answers_file(ruleset, answers_path)
    assessment = assessor.assess(answers)
    with RecordStore(tmp_path / "data") as store:
        record_id = record_assessment(store, answers, assessment, started=MOMENT, ended=MOMENT, source="file")
        entry = store.entry(record_id)
    assert recorded_assessment(entry) == Assessment.model_validate_json(assessment.model_dump_json())
    assert recorded_answers(entry, ruleset).answers == answers.answers
    assert entry.person.label == "Ann Example (1980-04-02)"
    assert entry.ruleset_hash == ruleset.digest


def test_a_record_from_a_newer_schema_is_refused_and_not_rewritten(data_dir, capsys):
    with RecordStore(data_dir) as store:
        add(store)
        store.db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    before = (data_dir / DB_FILE).read_bytes()
    code, out, err = run(["history"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "newer version of triage" in err and "not changed" in err
    assert (data_dir / DB_FILE).read_bytes() == before


@pytest.mark.parametrize("content", [b"this is not a database, it is damaged" * 200, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_damaged_record_fails_safe_and_is_left_as_it_is(data_dir, capsys, content):
    data_dir.mkdir()
    (data_dir / DB_FILE).write_bytes(content)
    code, out, err = run(["history"], capsys)
    assert code == 1
    assert "damaged" in err and FAILSAFE in err
    assert (data_dir / DB_FILE).read_bytes() == content
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_FILE]


def test_a_database_that_is_not_a_triage_record_is_left_alone(data_dir, capsys):
    data_dir.mkdir()
    with sqlite3.connect(data_dir / DB_FILE) as other:
        other.execute("CREATE TABLE notes (text TEXT)")
    before = (data_dir / DB_FILE).read_bytes()
    code, _, err = run(["history"], capsys)
    assert code == 1 and "not a triage record" in err
    assert (data_dir / DB_FILE).read_bytes() == before


def test_a_locked_record_fails_safe_and_nothing_is_written(data_dir, capsys, answers_path, monkeypatch):
    with RecordStore(data_dir) as store:
        add(store)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(data_dir / DB_FILE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, _, err = run(["assess", str(answers_path), "--record"], capsys)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    assert "locked" in err and FAILSAFE in err
    with RecordStore(data_dir) as store:
        assert len(store.history()) == 1


# --- commands ---------------------------------------------------------------------------------------


def test_assess_record_then_history_show_and_json(data_dir, capsys, answers_path, tmp_path):
    for _ in range(2):
        code, _, err = run(["assess", str(answers_path), "--record"], capsys)
        assert code == 0 and "as a" in err
    code, out, _ = run(["history"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith("a2") and lines[2].startswith("a1"), "newest first"
    assert "Ann Example (1980-04-02)" in lines[1]
    assert "Pain (0-10):" in out
    code, out, _ = run(["history", "--person", "ann example", "--format", "json"], capsys)
    assert [r["id"] for r in json.loads(out)["records"]] == ["a2", "a1"]
    code, out, _ = run(["show", "a1"], capsys)
    assert code == 0 and out.startswith("a1: answers file for Ann Example (1980-04-02)") and "RESULT:" in out
    summary = tmp_path / "again.html"
    code, out, err = run(["show", "a1", "--summary", str(summary)], capsys)
    assert code == 0 and summary.is_file() and "Ann Example" in summary.read_text(encoding="utf-8")
    assert stat.S_IMODE(summary.stat().st_mode) == 0o600


def test_show_says_plainly_when_the_rules_changed(data_dir, capsys, answers_path, tmp_path):
    from conftest import MINI_RULES

    run(["assess", str(answers_path), "--record"], capsys)
    code, out, err = run(["--rules", str(MINI_RULES), "show", "a1", "--summary", str(tmp_path / "s.txt")], capsys)
    assert code == 2
    assert "RESULT:" in out, "the recorded result is still shown"
    assert "the rules have changed since it was recorded" in err and err.count("\n") == 1
    assert not (tmp_path / "s.txt").exists()


@pytest.mark.parametrize(("args", "message"), [(["show", "a99"], "no record with ID 'a99'"), (["show", "zz"], "no record with ID"),
                                                (["history", "--person", "Nobody"], "no records for 'Nobody'"),
                                                (["forget", "--person", "Nobody", "--yes"], "no records for 'Nobody'")])
def test_an_unknown_id_or_person_is_one_line_exit_2(data_dir, capsys, args, message):
    with RecordStore(data_dir) as store:
        add(store)
    code, _, err = run(args, capsys)
    assert code == 2 and message in err and err.count("\n") == 1


def test_history_of_an_empty_record_creates_nothing(data_dir, capsys):
    code, out, _ = run(["history"], capsys)
    assert code == 0 and "No records yet" in out
    assert not data_dir.exists()


def test_two_people_with_the_same_name_need_the_date_of_birth(tmp_path):
    from triage.errors import UserError
    from triage.record.people import find_person

    with RecordStore(tmp_path / "data") as store:
        for born in ("1980-04-02", "1990-01-01"):
            store.add_assessment(PersonRef("Ann Example", born), started=MOMENT, ended=MOMENT, source="file",
                                 ruleset_version="1", ruleset_hash="h", disposition="self_care", pain=None,
                                 answers_json="{}", assessment_json="{}")
        with pytest.raises(UserError, match="several people"):
            find_person(store.people(), "Ann Example")
        assert find_person(store.people(), "Ann Example, 1990-01-01").date_of_birth == "1990-01-01"
        assert find_person(store.people(), "ann example (1980-04-02)").date_of_birth == "1980-04-02"


def test_forget_asks_first_and_leaves_no_trace_in_the_file(data_dir, capsys):
    with RecordStore(data_dir) as store:
        add(store, "ZEBRA-UNIQUE-MARKER", name="Ann Example")
        add(store, "kept", name=None)
    code, _, err = run(["forget", "--person", "Ann Example"], capsys)  # stdin is not a terminal under pytest
    assert code == 2 and "--yes" in err
    code, out, _ = run(["forget", "--person", "Ann Example", "--yes"], capsys)
    assert code == 0 and "Deleted Ann Example and 1 record" in out
    with RecordStore(data_dir) as store:
        assert [row.person for row in store.history()] == ["me"]
    for path in data_dir.iterdir():
        assert b"ZEBRA-UNIQUE-MARKER" not in path.read_bytes(), f"{path.name} still holds the deleted record"


# --- crashes and two writers ---------------------------------------------------------------------

WRITER = """
import json, sys, time
from datetime import datetime, timezone
from triage.record.people import PersonRef
from triage.record.store import RecordStore
folder, tag, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
moment = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
with RecordStore(folder) as store:
    for n in range(count):
        store.add_assessment(PersonRef(), started=moment, ended=moment, source="file", ruleset_version="1",
                             ruleset_hash="h", disposition="self_care", pain=n % 11,
                             answers_json=json.dumps({"answers": {}, "tag": tag, "n": n}), assessment_json="{}")
        print("wrote", n, flush=True)
    if pause < 0:  # begin one more record and stop in the middle of its transaction
        with store.transaction() as db:
            db.execute("INSERT INTO people (key, created_at) VALUES ('half-written', 'now')")
            print("in the middle", flush=True)
            time.sleep(60)
    time.sleep(max(pause, 0))
"""


def writer(folder: Path, tag: str, count: int, pause: float = 0) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(folder), tag, str(count), str(pause)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen, line: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        got = process.stdout.readline()
        if got.strip() == line:
            return
        if not got and process.poll() is not None:
            raise AssertionError(process.stderr.read())
    raise AssertionError(f"no {line!r}")


def stored(folder: Path) -> list[tuple[str, int]]:
    with RecordStore(folder) as store:
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = store.db.execute("SELECT answers_json FROM assessments ORDER BY id").fetchall()
        assert store.db.execute("SELECT count(*) FROM people WHERE key = 'half-written'").fetchone()[0] == 0
    return [(json.loads(text)["tag"], json.loads(text)["n"]) for (text,) in rows]


def test_records_survive_kill_9_between_two_writes_and_in_the_middle_of_one(tmp_path):
    folder = tmp_path / "data"
    first = writer(folder, "first", 1, pause=60)
    wait_for(first, "wrote 0")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    second = writer(folder, "second", 1, pause=-1)
    wait_for(second, "in the middle")
    second.send_signal(signal.SIGKILL)
    second.wait(10)
    assert stored(folder) == [("first", 0), ("second", 0)]
    with RecordStore(folder) as store:
        add(store, "third")
    assert len(stored(folder)) == 3


def test_two_processes_writing_at_once_lose_nothing_and_mix_nothing(tmp_path):
    folder = tmp_path / "data"
    count = 40
    writers = [writer(folder, tag, count) for tag in ("one", "two")]
    for process in writers:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    records = stored(folder)
    assert len(records) == 2 * count
    for tag in ("one", "two"):
        assert [n for t, n in records if t == tag] == list(range(count)), f"{tag}: every record, in order"


def test_checkin_survives_kill_9_of_the_next_check_in_from_the_command_line(tmp_path, ruleset, assessor):
    """The real ``triage checkin --plain``: one finished, the next killed while asking; the first stays."""
    folder = tmp_path / "data"
    answers = AnswersFile(answers={**calm_answers(ruleset, assessor), "pain_now": 4, "duration_days": 1, "trend": "same"})
    with RecordStore(folder) as store:
        record_assessment(store, answers, assessor.assess(answers), started=MOMENT, ended=MOMENT, source="file")
    env = {key: value for key, value in os.environ.items() if key != "TERM"} | {"TRIAGE_DATA_DIR": str(folder)}
    command = [sys.executable, "-m", "triage", "checkin", "--plain"]
    lines = "5\nsame\n" + "no\n" * 20
    done = subprocess.run(command, input=lines, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Check-in recorded on this computer as c1" in done.stdout
    killed = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path,
                              env=env, text=True)
    killed.stdin.write("6\n")
    killed.stdin.flush()
    time.sleep(1.0)
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    with RecordStore(folder) as store:
        assert [row.id for row in store.history()] == ["c1", "a1"]
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_finished_questionnaire_is_kept_in_the_record(tmp_path, ruleset, assessor):
    from test_interactive_plain import calm_lines, triage

    lines = calm_lines(ruleset, assessor) + ["", "n"]  # review: all correct; save a summary: no
    done = triage(["--plain"], "\n".join(lines) + "\n", tmp_path, tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert "Kept in the record on this computer as a1" in done.stdout
    with RecordStore(tmp_path / "data") as store:
        (row,) = store.history()
    assert row.kind == "questionnaire" and row.person == "me"


def test_start_up_imports_no_sqlite_before_the_first_question(tmp_path):
    """The first question of ``triage`` (and of a check-in, pydantic) comes before the heavy imports."""
    probe = (
        "import sys\n"
        "from triage.interactive import plain\n"
        "original = plain.PlainPrompter._run_meanwhile\n"
        "def probe(self):\n"
        "    if self._meanwhile is not None:\n"
        "        names = ('sqlite3', '_sqlite3', 'triage.record.store', 'pydantic', 'durable', 'yaml')\n"
        "        print('LOADED:', sorted(m for m in sys.modules if m in names or m.split('.')[0] in names), flush=True)\n"
        "    original(self)\n"
        "plain.PlainPrompter._run_meanwhile = probe\n"
        "from triage import cli\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "TRIAGE_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-c", probe, "--plain"], capture_output=True, text=True, input="", cwd=ROOT,
                            timeout=120, env=env)
    assert result.returncode == 130, result.stderr
    assert "LOADED: []" in result.stdout
    with RecordStore(tmp_path / "data") as store:
        add(store)
    result = subprocess.run([sys.executable, "-c", probe, "checkin", "--plain"], capture_output=True, text=True, input="",
                            cwd=ROOT, timeout=120, env=env)
    assert result.returncode == 130, result.stderr
    loaded = result.stdout.split("LOADED: ")[1].splitlines()[0]
    assert "sqlite3" in loaded and "pydantic" not in loaded and "yaml" not in loaded, "a check-in needs the record, not pydantic"
