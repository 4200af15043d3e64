"""Answers files: valid ones are assessed; malformed ones give exit 2 and one clear line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fixtures_paths import MINI_RULES

VALID = {
    "schema_version": 1,
    "patient": {"name": "Zoë Łukasiewicz", "date_of_birth": "1961-03-04"},
    "answers": {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 44, "pain_now": 4, "sleep": "side"},
}


def run_assess(tmp_path, content: str | bytes, suffix: str = ".yaml", *extra: str):
    path = tmp_path / f"answers{suffix}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return subprocess.run(
        [sys.executable, "-m", "triage", "--rules", str(MINI_RULES), "assess", str(path), *extra],
        capture_output=True,
        text=True,
    )


def test_valid_json_file_is_assessed(tmp_path):
    result = run_assess(tmp_path, json.dumps(VALID), ".json", "--format", "json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["disposition"] == "self_care"
    assert {"findings", "advice", "exercises", "ruleset"} <= out.keys()
    assert out["ruleset"]["version"] == "2026.11.0"


def test_yaml_yes_and_no_are_answer_codes_not_booleans(tmp_path):
    result = run_assess(tmp_path, "answers: {chest: yes, injury: no, cancer: no, night_pain: no, age: 30, pain_now: 2, sleep: side}\n", ".yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["disposition"] == "emergency"


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ("answers: {chest: maybe}\n", ".yaml", "answers.chest: Input should be 'yes', 'no' or 'not_sure' (got 'maybe')"),
        ("answers: {chest: true}\n", ".yaml", "answers.chest: Input should be 'yes', 'no' or 'not_sure' (got True)"),
        ("answers: {chset: no}\n", ".yaml", "answers.chset: unknown question id"),
        ("answers: {chest: no, injury: no, cancer: no, night_pain: no, age: 30, pain_now: 11, sleep: side}\n", ".yaml", "answers.pain_now: Input should be less than or equal to 10 (got 11)"),
        ("answers: {chest: no, injury: no, cancer: no, night_pain: no, age: 30, pain_now: \"7\", sleep: side}\n", ".yaml", "answers.pain_now: Input should be a valid integer (got '7')"),
        ("answers: {chest: no, injury: no, cancer: no, night_pain: no, age: 30, pain_now: 7.5, sleep: side}\n", ".yaml", "answers.pain_now: Input should be a valid integer (got 7.5)"),
        ("answers: {habits: desk}\n", ".yaml", "answers.habits: Input should be a valid list (got 'desk')"),
        ("answers: {chest: no, injury: no, cancer: no, night_pain: no, age: 30, pain_now: 2, sleep: side, habits: [desk, desk, desk, desk]}\n", ".yaml", "answers.habits: List should have at most 3 items"),
        ("answers: {chest: no\n", ".yaml", "invalid YAML: line 2"),
        ('{"answers": {"chest": "no",}}', ".json", "invalid JSON: line 1"),
        ('{"answers": {"chest": "no", "chest": "yes"}}', ".json", "invalid JSON: duplicate key 'chest'"),
        ("answers: {chest: no}\nanswers: {chest: yes}\n", ".yaml", "duplicate key 'answers'"),
        ("- chest\n", ".yaml", "expected a mapping with an 'answers' key, got list"),
        ("answers: {chest: no}\nschema_version: 2\n", ".yaml", "schema_version: Input should be 1"),
        ("answers: {chest: no}\n", ".yaml", "answers: required questions not answered: injury, cancer, night_pain, age, pain_now, sleep"),
        ("answers: {chest: no, injury: yes, cancer: no, night_pain: no, age: 30, pain_now: 2, sleep: side}\n", ".yaml", "required questions not answered: numb"),
        ("answers: {chest: no}\npatient: {name: A, date_of_birth: 3000-01-01}\n", ".yaml", "patient.date_of_birth: date of birth is in the future"),
        ("answers: {chest: no}\nnotes: {nope: hi}\n", ".yaml", "notes.nope: not a question id (or 'general')"),
        ("", ".yaml", "the file is empty"),
        (b"\x00\x01\x02binary", ".yaml", "this is a binary file, not YAML or JSON"),
        ("answers: {chest: \"no\"}\n".encode("utf-16"), ".yaml", "this is a binary file"),
        ("answers: {chest: caf\xe9}\n".encode("latin-1"), ".yaml", "not UTF-8 text"),
    ],
)
def test_malformed_answers_give_exit_2_and_one_line(tmp_path, content, suffix, message):
    result = run_assess(tmp_path, content, suffix)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert lines[0].startswith("triage: error: ")


def test_missing_file_and_directory(tmp_path):
    for target, message in ((tmp_path / "nope.yaml", "no such file"), (tmp_path, "is a directory")):
        result = subprocess.run([sys.executable, "-m", "triage", "--rules", str(MINI_RULES), "assess", str(target)], capture_output=True, text=True)
        assert result.returncode == 2
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_override_lowering_needs_a_reason(tmp_path):
    base = "answers: {chest: no, injury: no, cancer: yes, night_pain: no, age: 30, pain_now: 2, sleep: side}\n"
    lowered = run_assess(tmp_path, base + "override: {level: self_care}\n")
    assert lowered.returncode == 2 and "lowering the disposition needs a written reason" in lowered.stderr
    with_reason = run_assess(tmp_path, base + "override: {level: self_care, reason: known stable history}\n")
    assert with_reason.returncode == 2 and "cannot lower to self_care while a finding needs a provider" in with_reason.stderr
    raised = run_assess(tmp_path, base + "nurse: {name: Sam}\noverride: {level: urgent}\n", ".yaml", "--format", "json")
    out = json.loads(raised.stdout)
    assert (out["engine_disposition"], out["disposition"], out["override"]["direction"], out["override"]["by"]) == (
        "appointment",
        "urgent",
        "raised",
        "Sam",
    )


def _shipped_calm() -> dict:
    """A complete calm answer set for the shipped rules (the first vignette that ends at self-care)."""
    from pathlib import Path

    from triage.ruleset.yamlio import load_yaml

    case = Path(__file__).parent / "cases" / "self_care_woke_with_stiff_neck.yaml"
    return dict(load_yaml(case.read_text(encoding="utf-8"))["answers"])


def run_shipped(tmp_path, answers: dict):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": answers}))
    return subprocess.run([sys.executable, "-m", "triage", "assess", str(path)], capture_output=True, text=True)


def test_none_beside_another_choice_is_refused_in_one_line(tmp_path):
    result = run_shipped(tmp_path, {**_shipped_calm(), "medical_history": ["cancer", "none"]})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"triage: error: {tmp_path / 'answers.json'}: answers.medical_history: 'none' (None of these) cannot be chosen together with cancer"
    ]


def test_an_answer_to_a_question_that_does_not_apply_is_refused_saying_why(tmp_path):
    result = run_shipped(tmp_path, {**_shipped_calm(), "injury_when": "within_2_days"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "answers.injury_when: does not apply to the other answers (asked only when recent_injury is yes or not_sure)" in lines[0]
