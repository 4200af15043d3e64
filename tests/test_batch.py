"""Batch mode: one answer set per line in, one result per line out, bad lines reported by number."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_paths import MINI_RULES

from triage import cli
from triage.assessment.assess import Assessor
from triage.assessment.batch import iter_lines, run_batch
from triage.engine.adapter import _SyncHost
from triage.errors import AnswersError, EngineError

ROOT = Path(__file__).resolve().parent.parent
CLEAR = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 44, "pain_now": 3, "sleep": "side"}
CHEST = {**CLEAR, "chest": "yes"}
TWO_FLAGS = {**CLEAR, "cancer": "yes", "night_pain": "not_sure", "habits": ["desk"]}


def line(answers: dict, **extra) -> str:
    return json.dumps({"answers": answers, **extra})


def triage(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "triage", "--rules", str(MINI_RULES), *args],
        capture_output=True, text=True, input=stdin, cwd=ROOT,
    )


def write_batch(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    return path


def results(text: str) -> list[dict]:
    return [json.loads(row) for row in text.splitlines()]


def test_every_line_gets_a_result_in_order_and_bad_lines_do_not_stop_the_rest(tmp_path):
    source = write_batch(tmp_path, line(CLEAR), "", '{"answers": {"chest": "maybe"}}', "not json", line(CHEST))
    out = tmp_path / "out.jsonl"
    result = triage("assess", "--batch", str(source), "-o", str(out))
    assert result.returncode == 2
    rows = results(out.read_text(encoding="utf-8"))
    assert [(r["line"], r["ok"]) for r in rows] == [(1, True), (3, False), (4, False), (5, True)]
    assert rows[0]["assessment"]["disposition"] == "self_care"
    assert rows[3]["assessment"]["disposition"] == "emergency"
    assert rows[1]["error"] == "answers.chest: Input should be 'yes', 'no' or 'not_sure' (got 'maybe')"
    assert rows[2]["error"].startswith("invalid JSON: column 1")
    assert f"{source}: line 3: answers.chest" in result.stderr and f"{source}: line 4: invalid JSON" in result.stderr
    assert "2 of 4 lines could not be assessed (lines 3, 4)" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_output_file_is_private_and_no_temporary_file_is_left(tmp_path):
    source = write_batch(tmp_path, line(CLEAR), line(TWO_FLAGS))
    out = tmp_path / "out.jsonl"
    result = triage("assess", "--batch", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # nothing to report, and no progress bar when stderr is not a terminal
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
    assert [r["assessment"]["disposition"] for r in results(out.read_text())] == ["self_care", "within_24h"]


def test_a_batch_result_is_the_same_assessment_as_assessing_the_file_alone(tmp_path):
    document = {"answers": TWO_FLAGS, "patient": {"name": "Zoë Łukasiewicz"}, "notes": {"general": "李雷"}}
    single = tmp_path / "one.json"
    single.write_text(json.dumps(document), encoding="utf-8")
    alone = json.loads(triage("assess", str(single), "--format", "json").stdout)
    batched = results(triage("assess", "--batch", str(write_batch(tmp_path, json.dumps(document)))).stdout)
    assert batched == [{"line": 1, "ok": True, "assessment": alone}]


def test_standard_input_and_output(tmp_path):
    result = triage("assess", "--batch", "-", stdin=f"{line(CHEST)}\n{line(CLEAR)}\n")
    assert result.returncode == 0, result.stderr
    assert [r["assessment"]["disposition"] for r in results(result.stdout)] == ["emergency", "self_care"]


def test_a_nurse_override_without_a_reason_is_a_bad_line_not_a_crash(tmp_path):
    lowered = line(CHEST, override={"level": "urgent"}, nurse={"name": "Sam"})
    result = triage("assess", "--batch", str(write_batch(tmp_path, lowered, line(CLEAR))))
    rows = results(result.stdout)
    assert result.returncode == 2
    assert rows[0] == {"line": 1, "ok": False, "error": "override.reason: lowering the disposition needs a written reason, in words (at least 2 words and 10 letters)"}
    assert rows[1]["ok"] is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no answer sets (the file is empty)"),
        ("\n  \n", "no answer sets (the file is empty)"),
    ],
)
def test_an_empty_batch_is_an_error_and_writes_nothing(tmp_path, content, message):
    source = tmp_path / "in.jsonl"
    source.write_text(content)
    out = tmp_path / "out.jsonl"
    result = triage("assess", "--batch", str(source), "-o", str(out))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"triage: error: {source}: {message}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("args", [("assess",), ("assess", "a.yaml", "--batch", "b.jsonl")])
def test_one_answers_file_or_one_batch(args):
    result = triage(*args)
    assert result.returncode == 2
    assert result.stderr.strip() == "triage: error: assess: give one answers file, or --batch IN.jsonl (not both)"


def test_an_over_long_line_is_reported_without_reading_it_all(monkeypatch):
    monkeypatch.setattr("triage.assessment.batch.MAX_FILE_BYTES", 50)
    data = io.BytesIO(b'{"answers": {}}\n' + b"x" * 500 + b"\n" + b'{"answers": {}}\n')
    lines = list(iter_lines(data))
    assert [(number, len(text)) for number, text in lines] == [(1, 16), (2, 51), (3, 16)]


def test_an_over_long_line_gives_a_clear_error(tmp_path, mini_assessor, capsys):
    source = write_batch(tmp_path, json.dumps({"answers": CLEAR, "notes": {"general": "x" * 1_000_100}}), line(CLEAR))
    out = tmp_path / "out.jsonl"
    assert run_batch(mini_assessor, source, out) == 2
    rows = results(out.read_text())
    assert rows[0] == {"line": 1, "ok": False, "error": "too large (more than 1000 kB)"}
    assert rows[1]["ok"] is True


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(tmp_path, mini_assessor, monkeypatch):
    monkeypatch.setattr("triage.assessment.batch.PROGRESS_INTERVAL", 0.0)
    source = write_batch(tmp_path, *[line(CLEAR)] * 5)
    terminal = FakeTerminal()
    assert run_batch(mini_assessor, source, tmp_path / "out.jsonl", stderr=terminal) == 0
    shown = terminal.getvalue()
    assert "\r[" in shown and "100% 5 answer sets" in shown
    assert shown.endswith("\r\x1b[K")  # the bar is cleared at the end
    piped = io.StringIO()
    assert run_batch(mini_assessor, source, tmp_path / "out2.jsonl", stderr=piped) == 0
    assert piped.getvalue() == ""


def test_an_engine_failure_stops_the_batch_fails_safe_and_publishes_nothing(tmp_path, monkeypatch, capsys):
    """Patches our adapter's host (not durable-rules) so the third case crashes the engine."""
    real = _SyncHost.assert_case
    calls = {"n": 0}

    def crash_on_third_case(self, ruleset_name, case_json):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("simulated engine crash")
        return real(self, ruleset_name, case_json)

    monkeypatch.setattr(_SyncHost, "assert_case", crash_on_third_case)
    source = write_batch(tmp_path, *[line(CLEAR)] * 5)
    out = tmp_path / "out.jsonl"
    code = cli.main(["--rules", str(MINI_RULES), "assess", "--batch", str(source), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith("triage: error: the rules engine")
    assert "Please contact a healthcare provider" in captured.err
    assert "self_care" not in captured.out + captured.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_run_batch_raises_engine_errors_instead_of_reporting_them_as_bad_lines(tmp_path, mini_ruleset, monkeypatch):
    assessor = Assessor(mini_ruleset)  # its own engine: one that failed is never used again
    monkeypatch.setattr(assessor.evaluator._host, "assert_case", lambda *a: (_ for _ in ()).throw(RuntimeError("x")))
    with pytest.raises(EngineError):
        run_batch(assessor, write_batch(tmp_path, line(CLEAR)), tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_missing_input_is_one_line(tmp_path):
    result = triage("assess", "--batch", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"triage: error: {tmp_path / 'nope.jsonl'}: no such file"


def test_a_directory_as_input_is_one_line(tmp_path, mini_assessor):
    with pytest.raises(AnswersError, match="is a directory, not a batch file"):
        run_batch(mini_assessor, tmp_path, None)


PROBE = """
import sys
from triage.cli import main
code = main(sys.argv[1:])
loaded = sorted(({m.split('.')[0] for m in sys.modules} | set(sys.modules)) & {'questionary', 'prompt_toolkit', 'triage.report.pdf', 'jinja2', 'fhir'})
print('LOADED', loaded, code)
"""


@pytest.mark.parametrize("mode", ["single", "batch"])
def test_assess_does_not_import_the_prompt_library_or_exporters(tmp_path, mode):
    single = tmp_path / "a.json"
    single.write_text(line(CLEAR))
    args = [str(single)] if mode == "single" else ["--batch", str(write_batch(tmp_path, line(CLEAR)))]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--rules", str(MINI_RULES), "assess", *args],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.stdout.strip().splitlines()[-1] == "LOADED [] 0", result.stderr


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "single"])
def test_an_existing_output_is_replaced_only_with_force(tmp_path, batch):
    source = write_batch(tmp_path, line(CLEAR))
    single = tmp_path / "one.json"
    single.write_text(line(CLEAR))
    out = tmp_path / "out.txt"
    out.write_text("earlier results")
    args = ["assess", "--batch", str(source)] if batch else ["assess", str(single)]
    refused = triage(*args, "-o", str(out))
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"triage: error: {out}: already exists (use --force to replace it)"
    assert out.read_text() == "earlier results"
    replaced = triage(*args, "-o", str(out), "--force")
    assert replaced.returncode == 0, replaced.stderr
    assert out.read_text() != "earlier results" and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "one.json", "out.txt"]


def test_a_batch_line_holds_the_same_assessment_as_assessing_the_file_alone(tmp_path, mini_assessor):
    """Batch mode writes shared rule texts from a cache: the result must equal pydantic's own JSON."""
    from triage.assessment.answers import parse_answers

    documents = [
        {"answers": TWO_FLAGS},
        {"answers": CHEST, "override": {"level": "emergency", "reason": ""}, "nurse": {"name": "Sam Ng"}},
        {"answers": {**CLEAR, "night_pain": "not_sure"}, "patient": {"name": "Zoë \"Q\" <b>"}},
    ]
    out = io.StringIO()
    source = write_batch(tmp_path, *(json.dumps(document) for document in documents))
    run_batch(mini_assessor, source, tmp_path / "out.jsonl", stderr=out)
    rows = results((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    for row, document in zip(rows, documents, strict=True):
        alone = mini_assessor.assess(parse_answers(mini_assessor.ruleset, document))
        assert row["assessment"] == json.loads(alone.model_dump_json())
