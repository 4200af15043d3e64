"""Rule files: the shipped rules load cleanly; every broken fixture gives its one clear error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.assessment.assess import Assessor
from triage.errors import RulesError
from triage.ruleset.files import RULE_FILE_NAMES, default_rules_dir
from triage.ruleset.load import RULE_FILES, load_ruleset

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
    assert tuple(RULE_FILES) == RULE_FILE_NAMES, "the digest the first screen checks must cover the same files"
    Assessor(ruleset)  # compiles into durable-rules: shape and hash checks


def test_rules_check_command_is_clean():
    result = subprocess.run([sys.executable, "-m", "triage", "rules", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rules OK")


def test_every_red_flag_question_handles_not_sure(ruleset):
    """'Not sure' is never read as 'no' (the loader enforces it; this pins it for the shipped rules)."""
    from triage.ruleset.conditions import iter_tests

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


# --- rules/parsed.json: the same rules, quicker to load ----------------------------------------

SHIPPED_RULES = Path(__file__).resolve().parent.parent / "rules"


def _same_rules(first, second) -> bool:
    fields = ("scale", "questions", "sections", "findings", "self_care", "exercises_file", "factors", "tips", "digest")
    return all(getattr(first, name) == getattr(second, name) for name in fields)


def test_the_shipped_parsed_copy_is_up_to_date():
    from triage.ruleset.load import PARSED_COPY, REGENERATE_PARSED, parsed_copy_text

    committed = (SHIPPED_RULES / PARSED_COPY).read_text(encoding="utf-8")
    assert committed == parsed_copy_text(SHIPPED_RULES), f"rules/parsed.json is out of date: run `{REGENERATE_PARSED}`"
    assert set(__import__("json").loads(committed)["files"]) == set(RULE_FILES)  # every file is in it


def test_the_parsed_copy_gives_exactly_the_rules_the_yaml_gives(tmp_path):
    yaml_only = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, yaml_only)
    (yaml_only / "parsed.json").unlink()
    assert _same_rules(load_ruleset(SHIPPED_RULES), load_ruleset(yaml_only))


def test_a_rule_file_changed_since_is_read_from_its_yaml(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, rules)
    red_flags = rules / "red_flags.yaml"
    original = load_ruleset(rules).finding_by_id["cardiac_chest_pain"].title
    red_flags.write_text(red_flags.read_text(encoding="utf-8").replace(original, "Edited title", 1), encoding="utf-8")
    assert load_ruleset(rules).finding_by_id["cardiac_chest_pain"].title == "Edited title"


@pytest.mark.parametrize("damage", ["", "not json", '{"format": 99, "files": {}}', '{"format": 1, "files": []}', "[1]"])
def test_a_missing_or_damaged_parsed_copy_is_ignored(tmp_path, damage):
    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, rules)
    (rules / "parsed.json").write_text(damage, encoding="utf-8")
    assert _same_rules(load_ruleset(rules), load_ruleset(SHIPPED_RULES))


def test_a_parsed_copy_still_goes_through_every_check(tmp_path, monkeypatch):
    """A matching parsed copy is only a faster read: a bad rule in it is refused like bad YAML.

    (It is used only from the program's own rules folder: this copy stands in for it.)"""
    import hashlib
    import json

    import triage.ruleset.load

    monkeypatch.setattr(triage.ruleset.load, "ships_with_program", lambda directory: True)
    rules = tmp_path / "rules"
    shutil.copytree(SHIPPED_RULES, rules)
    content = json.loads((rules / "parsed.json").read_text(encoding="utf-8"))
    content["files"]["red_flags.yaml"]["document"]["findings"][0]["level"] = "critical"
    assert content["files"]["red_flags.yaml"]["sha256"] == hashlib.sha256((rules / "red_flags.yaml").read_bytes()).hexdigest()
    (rules / "parsed.json").write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(RulesError, match="red_flags.yaml"):
        load_ruleset(rules)


def test_rules_compile_writes_the_parsed_copy(rules_copy):
    from triage import cli

    assert cli.main(["--rules", str(rules_copy), "rules", "compile"]) == 0
    import hashlib
    import json

    written = rules_copy / "parsed.json"
    assert written.stat().st_mode & 0o777 == 0o644  # rules, not health data
    files = json.loads(written.read_text(encoding="utf-8"))["files"]
    assert {name: entry["sha256"] for name, entry in files.items()} == {
        name: hashlib.sha256((rules_copy / name).read_bytes()).hexdigest() for name in RULE_FILES
    }


def test_start_up_reads_no_yaml_when_the_parsed_copy_matches():
    code = "import sys; from triage.ruleset.load import load_ruleset; load_ruleset(); print('yaml' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=SHIPPED_RULES.parent, check=True)
    assert result.stdout.strip() == "False"
