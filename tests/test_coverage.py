"""Rule coverage: every finding fires in a vignette and stays silent in a near-miss, checked by the engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fixtures_paths import CASES, MINI_RULES

from triage.assessment.coverage import format_report, load_cases, measure_coverage

ROOT = Path(__file__).resolve().parent.parent
CLEAR = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 40, "pain_now": 3, "sleep": "side"}
ALL_MINI = ["chest_pain", "injury_numb", "injury_only", "cancer_history", "night", "old_age", "severe_pain"]
MINI_CASES = {
    "all_clear": (CLEAR, "self_care", [], ALL_MINI),
    "chest": ({**CLEAR, "chest": "yes"}, "emergency", ["chest_pain"], ["injury_only"]),
    "injury_numb": ({**CLEAR, "injury": "yes", "numb": "not_sure"}, "emergency", ["injury_numb", "injury_only"], []),
    "injury_no_numb": ({**CLEAR, "injury": "yes", "numb": "no"}, "within_24h", ["injury_only"], ["injury_numb"]),
    "two_flags": ({**CLEAR, "cancer": "yes", "night_pain": "yes"}, "within_24h", ["cancer_history", "night"], []),
    "old_severe": ({**CLEAR, "age": 70, "pain_now": 8}, "appointment", ["old_age", "severe_pain"], []),
    "almost": ({**CLEAR, "age": 55, "pain_now": 7}, "self_care", [], ["old_age", "severe_pain"]),
}


def write_cases(folder: Path, cases: dict) -> Path:
    folder.mkdir(exist_ok=True)
    for name, (answers, disposition, fires, silent) in cases.items():
        case = {"description": name, "answers": answers, "expect": {"disposition": disposition, "fires": fires, "silent": silent}}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return folder


def coverage(rules: Path, cases: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "triage", "--rules", str(rules), "rules", "coverage", "--cases", str(cases)],
        capture_output=True, text=True, cwd=ROOT,
    )


def test_the_shipped_rules_are_fully_covered_by_the_vignettes():
    """CI fails here when a finding has no vignette that fires it or no near-miss that does not."""
    result = subprocess.run([sys.executable, "-m", "triage", "rules", "coverage"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Coverage complete" in result.stdout


def test_every_shipped_finding_is_listed_with_evidence(ruleset, assessor):
    report = measure_coverage(ruleset, load_cases(CASES), assessor=assessor)
    assert [rule.finding.id for rule in report.rules] == [f.id for f in ruleset.findings]
    assert all(rule.fires_in and rule.silent_in for rule in report.rules), report.gaps()
    assert report.problems == []
    assert set(report.reached) == {"emergency", "urgent", "within_24h", "appointment", "self_care"}


def test_complete_mini_coverage_exits_0_and_shows_the_evidence(tmp_path):
    result = coverage(MINI_RULES, write_cases(tmp_path / "cases", MINI_CASES))
    assert result.returncode == 0, result.stdout
    assert "7 findings, 7 vignettes" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.lstrip().startswith("injury_numb "))
    assert row.split()[1:5] == ["emergency", "1", "1", "injury_numb"]
    assert row.endswith("injury_numb / injury_no_numb")


def test_a_finding_without_a_firing_vignette_exits_1(tmp_path):
    cases = {k: v for k, v in MINI_CASES.items() if k != "injury_numb"}
    result = coverage(MINI_RULES, write_cases(tmp_path / "cases", cases))
    assert result.returncode == 1
    assert "! injury_numb" in result.stdout
    assert "  - injury_numb: fires in no vignette" in result.stdout
    assert "COVERAGE INCOMPLETE: 1 problem" in result.stdout


def test_a_finding_without_a_near_miss_exits_1(tmp_path):
    cases = {k: v for k, v in MINI_CASES.items() if k not in ("injury_no_numb",)}
    result = coverage(MINI_RULES, write_cases(tmp_path / "cases", cases))
    assert result.returncode == 1
    assert "  - injury_numb: has no near-miss (silent, one answer from firing)" in result.stdout
    # all_clear lists injury_numb as silent, but it is two answers away (injury, then numb): not counted
    assert "1 silent claims hold but are more than one answer from firing" in result.stdout


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ((CLEAR, "self_care", ["chest_pain"], []), "wrong.yaml: lists 'chest_pain' under fires, but the engine did not fire it"),
        (({**CLEAR, "chest": "yes"}, "emergency", [], ["chest_pain"]), "wrong.yaml: lists 'chest_pain' under silent, but the engine fired it"),
        ((CLEAR, "self_care", ["chest_pian"], []), "wrong.yaml: fires: 'chest_pian' is not a finding id"),
        ((CLEAR, "urgent", [], []), "wrong.yaml: expects urgent but the engine gives self_care"),
        (({"chest": "no"}, "self_care", [], []), "wrong.yaml: answers: required questions not answered"),
    ],
    ids=["claimed fires", "claimed silent", "unknown id", "disposition", "invalid answers"],
)
def test_claims_the_engine_contradicts_are_problems(tmp_path, case, problem):
    """Claims are checked by running the engine, not by reading the lists."""
    folder = write_cases(tmp_path / "cases", {**MINI_CASES, "wrong": case})
    result = coverage(MINI_RULES, folder)
    assert result.returncode == 1
    assert problem in result.stdout


def test_a_vignette_that_fired_as_claimed_still_counts_once(mini_ruleset, mini_assessor, tmp_path):
    cases = load_cases(write_cases(tmp_path / "cases", MINI_CASES))
    report = measure_coverage(mini_ruleset, cases, source="x", assessor=mini_assessor)
    by_id = {rule.finding.id: rule for rule in report.rules}
    assert by_id["old_age"].fires_in == ["old_severe.yaml"] and by_id["old_age"].silent_in == ["all_clear.yaml", "almost.yaml"]
    assert report.complete
    assert "Coverage complete" in format_report(report)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("answers: {chest: no}\n", "a vignette needs 'expect'"),
        ("answers: {}\nexpect: {fires: chest_pain}\n", "expect.fires must be a list of finding ids"),
        ("answers: {}\nexpect: {fired: []}\n", "a vignette needs 'expect'"),
        ("answers: [\n", "cannot read vignette"),
    ],
)
def test_a_malformed_vignette_is_one_line_exit_2(tmp_path, content, message):
    folder = write_cases(tmp_path / "cases", MINI_CASES)
    (folder / "bad.yaml").write_text(content)
    result = coverage(MINI_RULES, folder)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "bad.yaml" in result.stderr and message in result.stderr and "Traceback" not in result.stderr


def test_no_vignettes_is_one_line_exit_2(tmp_path):
    result = coverage(MINI_RULES, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"triage: error: {tmp_path}: no vignettes (*.yaml) in this folder"
