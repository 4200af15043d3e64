"""Fail-safe: broken rules or a crashing engine give exit 1 and "contact a provider", never self-care."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_paths import MINI_RULES

from triage import cli
from triage.engine.adapter import _SyncHost
from triage.ruleset.files import default_rules_dir

ROOT = Path(__file__).resolve().parent.parent
CONTACT = "Please contact a healthcare provider"
CLEAR = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 44, "pain_now": 3, "sleep": "side"}


def append(name: str, text: str):
    return lambda rules: (rules / name).write_text((rules / name).read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(name: str, old: str, new: str):
    def edit(rules: Path) -> None:
        text = (rules / name).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        (rules / name).write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


TOO_BIG = ", ".join(f"{{q: age, gte: {n}}}" for n in range(70))  # a case of 70 could match all 70 at once
BREAKS = {
    "bad yaml": append("red_flags.yaml", "  - {id: broken, title: [\n"),
    "unknown question id": replace("red_flags.yaml", "{q: chest,", "{q: chset,"),
    "unknown level": replace("red_flags.yaml", "level: emergency", "level: critical"),
    "missing file": lambda rules: (rules / "thresholds.yaml").unlink(),
    "empty file": lambda rules: (rules / "scale.yaml").write_text(""),
    "not utf-8": lambda rules: (rules / "questions.yaml").write_bytes(b"\xff\xfe\x00junk"),
    "rule too big for the engine": append(
        "thresholds.yaml",
        f"  - {{id: huge, title: Huge, level: appointment, when: {{any: [{TOO_BIG}]}}, message: m,"
        ' rationale: r, sources: [{ref: "x", tag: F, title: "Test source", url: "https://example.org/source"}]}\n',
    ),
}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triage", *args], capture_output=True, text=True, input=stdin, cwd=ROOT, timeout=120)


def assert_fails_safe(code: int, stdout: str, stderr: str) -> None:
    assert code == 1, stderr
    assert CONTACT in stderr
    assert "Traceback" not in stderr
    assert "self_care" not in stdout and "self-care" not in stdout.lower()
    assert "RESULT" not in stderr and '"disposition"' not in stderr  # no outcome of any level


@pytest.fixture
def answers_file(tmp_path) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"answers": CLEAR}))
    return path


@pytest.mark.parametrize("name", list(BREAKS))
def test_broken_mini_rules_fail_safe(tmp_path, answers_file, name):
    rules = tmp_path / "rules"
    shutil.copytree(MINI_RULES, rules)
    BREAKS[name](rules)
    result = run("--rules", str(rules), "assess", str(answers_file), "--format", "json")
    assert_fails_safe(result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize("mode", ["assess", "batch", "interactive"])
def test_broken_shipped_rules_fail_safe_in_every_mode(tmp_path, answers_file, mode):
    """The real clinical rules, with their red-flag file cut in half."""
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    red_flags = rules / "red_flags.yaml"
    text = red_flags.read_text(encoding="utf-8")
    red_flags.write_text(text[: len(text) // 2] + "\n  - {broken: [\n", encoding="utf-8")
    batch = tmp_path / "in.jsonl"
    batch.write_text(answers_file.read_text() + "\n")
    out = tmp_path / "out.jsonl"
    args = {
        "assess": ["assess", str(answers_file)],
        "batch": ["assess", "--batch", str(batch), "-o", str(out)],
        "interactive": ["--plain"],
    }[mode]
    result = run("--rules", str(rules), *args, stdin="\n" * 5)
    assert_fails_safe(result.returncode, result.stdout, result.stderr)
    assert "red_flags.yaml" in result.stderr
    assert not out.exists()


def test_rules_check_reports_the_broken_file_and_rule(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(MINI_RULES, rules)
    BREAKS["unknown question id"](rules)
    result = run("--rules", str(rules), "rules", "check")
    assert result.returncode == 1
    assert "red_flags.yaml: rule chest_pain: unknown question id 'chset' (did you mean 'chest'?)" in result.stderr


def test_rules_check_lists_every_problem_in_every_file(tmp_path):
    """A clinician editing the rules sees every mistake at once, each with its file and rule id."""
    rules = tmp_path / "rules"
    shutil.copytree(MINI_RULES, rules)
    replace("self_care.yaml", "text: Stay active.", "txt: Stay active.")(rules)
    replace("red_flags.yaml", "level: emergency", "level: critical")(rules)  # the first finding only
    result = run("--rules", str(rules), "rules", "check")
    assert result.returncode == 1 and CONTACT in result.stderr and "Traceback" not in result.stderr
    assert "3 problems in the rule files" in result.stderr
    for line in (
        "red_flags.yaml: rule chest_pain: findings.0.level: Input should be",
        "self_care.yaml: rule keep_moving: self_care.0.text: Field required",
        "self_care.yaml: rule keep_moving: self_care.0.txt: Extra inputs are not permitted",
    ):
        assert line in result.stderr


def test_rules_check_lists_every_problem_across_files(tmp_path):
    """Once each file is valid on its own, every cross-file problem is listed, not only the first."""
    rules = tmp_path / "rules"
    shutil.copytree(MINI_RULES, rules)
    replace("red_flags.yaml", "{q: chest,", "{q: chset,")(rules)
    replace("red_flags.yaml", "{q: night_pain, in: [yes, not_sure]}", "{q: night_pain, in: [yes, no]}")(rules)
    replace("thresholds.yaml", "{q: pain_now, gte: 8}", "{q: pain_now, gte: 80}")(rules)
    result = run("--rules", str(rules), "rules", "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    for line in (
        "red_flags.yaml: rule chest_pain: unknown question id 'chset' (did you mean 'chest'?)",
        "thresholds.yaml: rule severe_pain: 80 is outside the range of 'pain_now'",
        "red_flags.yaml: rule night: fires on 'night_pain' answered 'no'",
        "questions.yaml: question night_pain: red-flag question has no finding for 'not_sure'",
    ):
        assert line in result.stderr
    assert "problems in the rule files" in result.stderr


def _crash(self, ruleset_name, case_json):
    raise RuntimeError("simulated crash inside the rules engine")


def _skipped(self, ruleset_name, case_json):
    return []  # as if the engine had not evaluated the case at all (not even the sentinel rule)


@pytest.mark.parametrize(("method", "replacement"), [("assert_case", _crash), ("assert_case", _skipped)])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_engine_crash_fails_safe(answers_file, monkeypatch, capsys, method, replacement, fmt):
    """Patches our adapter's host class (not durable-rules) to make the engine fail mid-assessment."""
    monkeypatch.setattr(_SyncHost, method, replacement)
    code = cli.main(["--rules", str(MINI_RULES), "assess", str(answers_file), "--format", fmt])
    captured = capsys.readouterr()
    assert_fails_safe(code, captured.out, captured.err)
    assert captured.out == ""
    assert captured.err.startswith("triage: error: ")


def test_an_unexpected_bug_fails_safe_with_a_traceback(answers_file, monkeypatch, capsys):
    """A bug (not a TriageError) shows its traceback for the report, and still fails safe."""
    monkeypatch.setattr("triage.assessment.assess.Assessor.assess", lambda self, answers: 1 / 0)
    code = cli.main(["--rules", str(MINI_RULES), "assess", str(answers_file)])
    captured = capsys.readouterr()
    assert code == 1
    assert "ZeroDivisionError" in captured.err and CONTACT in captured.err
    assert captured.out == ""
