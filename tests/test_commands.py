"""The non-interactive commands: questions, schema, rules check, and the Python-version guard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_paths import MINI_RULES

from triage import cli


def triage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triage", "--rules", str(MINI_RULES), *args], capture_output=True, text=True)


def test_questions_as_json_carry_ids_wording_types_choices_and_conditions():
    result = triage("questions", "--format", "json")
    data = json.loads(result.stdout)
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id["chest"]["type"] == "yes_no_unsure" and by_id["chest"]["ask_nurse"].startswith("Does the patient")
    assert by_id["numb"]["ask_when"] == {"q": "injury", "in": ["yes", "not_sure"]}
    assert [c["code"] for c in by_id["sleep"]["choices"]] == ["side", "front"]
    assert data["ruleset"]["version"] == "2026.11.0"


def test_questions_as_text_list_every_question():
    out = triage("questions").stdout
    assert "chest (yes_no_unsure) [red flag]: Do you have chest pain?" in out
    assert "asked only depending on: injury" in out


def test_schema_describes_the_answers_file():
    schema = json.loads(triage("schema").stdout)
    answers = schema["$defs"]["Answers"]
    assert answers["additionalProperties"] is False
    assert answers["properties"]["pain_now"]["anyOf"][0] == {"maximum": 10, "minimum": 0, "type": "integer"}
    assert "answers" in schema["required"]


def test_unknown_command_is_a_usage_error():
    result = triage("diagnose")
    assert result.returncode == 2 and "invalid choice" in result.stderr


@pytest.mark.parametrize("version", [(3, 9, 18), (3, 14, 0)])
def test_untested_python_fails_with_a_clear_message(monkeypatch, capsys, version):
    monkeypatch.setattr(sys, "version_info", (*version, "final", 0))
    assert cli.main(["rules", "check"]) == 1
    err = capsys.readouterr().err
    assert "needs Python 3.10-3.13" in err and "contact a healthcare provider" in err


def test_the_python_guard_matches_requires_python():
    (low_major, low_minor), (high_major, high_minor) = cli.SUPPORTED_PYTHON
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert f'requires-python = ">={low_major}.{low_minor},<{high_major}.{high_minor + 1}"' in pyproject


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_emergency_outcome_says_what_to_do_now_and_if_worse(tmp_path, fmt):
    path = tmp_path / "a.yaml"
    path.write_text("answers: {chest: not_sure, injury: no, cancer: no, night_pain: no, age: 50, pain_now: 3, sleep: side}\n")
    result = triage("assess", str(path), "--format", fmt)
    assert result.returncode == 0
    assert "Call 911 / 112 / 999 now." in result.stdout
    assert "not a diagnosis" in result.stdout
