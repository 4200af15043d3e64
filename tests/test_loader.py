"""Rule files: the shipped rules load cleanly; every broken fixture gives its one clear error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.assess import Assessor
from triage.errors import RulesError
from triage.loader import RULE_FILES, default_rules_dir, load_ruleset

BAD_RULES = Path(__file__).parent / "fixtures" / "bad_rules"
FIXTURES = sorted(p.name for p in BAD_RULES.iterdir())


def _apply(fixture: Path, target: Path) -> None:
    for item in fixture.iterdir():
        if item.name == "DELETE":
            for name in item.read_text().split():
                (target / name).unlink()
        elif item.name != "expected.txt":
            shutil.copy(item, target / item.name)


def test_shipped_rules_load_and_compile(ruleset):
    assert ruleset.questions and ruleset.findings
    assert set(RULE_FILES) <= {p.name for p in default_rules_dir().iterdir()}
    Assessor(ruleset)  # compiles into durable-rules: shape and hash checks


def test_rules_check_command_is_clean():
    result = subprocess.run([sys.executable, "-m", "triage", "rules", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rules OK")


def test_every_red_flag_question_handles_not_sure(ruleset):
    """'Not sure' is never read as 'no' (the loader enforces it; this pins it for the shipped rules)."""
    from triage.conditions import iter_tests

    unsure = {t.q for f in ruleset.findings for t in iter_tests(f.when) if "not_sure" in (t.in_ or (t.is_,))}
    red_flags = {q.id for q in ruleset.questions if q.red_flag and q.type.value == "yes_no_unsure"}
    assert red_flags <= unsure


@pytest.mark.parametrize("name", FIXTURES)
def test_broken_rules_fixture_gives_its_error(name, rules_copy):
    fixture = BAD_RULES / name
    _apply(fixture, rules_copy)
    expected = (fixture / "expected.txt").read_text().strip()
    with pytest.raises(RulesError) as raised:
        Assessor(load_ruleset(rules_copy))
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_broken_rules_fail_safe_on_the_command_line(rules_copy, tmp_path):
    _apply(BAD_RULES / "unknown_question", rules_copy)
    answers = tmp_path / "a.yaml"
    answers.write_text("answers: {chest: no}\n")
    result = subprocess.run(
        [sys.executable, "-m", "triage", "--rules", str(rules_copy), "assess", str(answers), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "rule night: unknown question id 'nigth_pain'" in result.stderr
    assert "contact a healthcare provider" in result.stderr
    assert "Traceback" not in result.stderr
