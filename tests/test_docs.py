"""The rules reference (docs/rules.md) is generated from rules/ and must never drift from it."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from fixtures_paths import MINI_RULES

from triage.ruleset.reference import REGENERATE, reference_markdown

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date(ruleset):
    expected = reference_markdown(ruleset)
    committed = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    assert committed == expected, f"docs/rules.md is out of date with rules/: regenerate it with `{REGENERATE}`"


def test_every_finding_is_documented_with_its_level_words_and_sources(ruleset):
    text = " ".join(reference_markdown(ruleset).split())
    for finding in ruleset.findings:
        section = text.split(f"#### `{finding.id}`: ", 1)[1].split("#### ", 1)[0]
        assert f"**Level:** `{finding.level.value}`" in section, finding.id
        for words in (finding.message, finding.rationale, *(s.ref for s in finding.sources)):
            assert " ".join(words.split()).replace("|", "\\|") in section, finding.id
        if finding.caution:
            assert f"**Caution:** {' '.join(finding.caution.split())}" in section
        assert "**Fires when**" in section


def test_findings_are_grouped_by_level_most_urgent_first(ruleset):
    text = reference_markdown(ruleset)
    headings = [line.split(":")[0] for line in text.splitlines() if line.startswith("### ") and "(" in line]
    order = ["### emergency", "### urgent", "### within_24h", "### appointment", "### self_care"]
    assert headings == [h for h in order if h in headings]
    for question in ruleset.questions:
        assert f"| `{question.id}` |" in text


def test_conditions_read_as_words(mini_ruleset):
    text = reference_markdown(mini_ruleset)
    assert "- **Fires when** `chest` (Do you have chest pain?) is **Yes** or **Not sure**" in text
    assert "- **Fires when** all of:\n  - `injury` (Did it start after an injury?) is **Yes**\n  - `numb` (Any numbness?) is **Yes** or **Not sure**" in text
    assert "- **Fires when** `age` (How old are you?) is 56 years or more" in text
    assert "- `desk_breaks`: Breaks; when `habits` includes `desk`." in text
    assert "| `numb` | yes_no_unsure, red flag | Any numbness? | `yes`, `no`, `not_sure` | `injury` is `yes`/`not_sure` (refines `injury`) |" in text
    assert "- **Caution:** inference" in text  # the [I] finding says how cautiously it is used
    assert "inference, needs clinical review (facts.md §6.3) [I]" in text
    assert "Test source <https://example.org/source> (facts.md §6.15) [F]" in text


def test_the_command_writes_the_same_text_it_prints(tmp_path):
    target = tmp_path / "rules.md"
    command = [sys.executable, "-m", "triage", "--rules", str(MINI_RULES), "rules", "docs"]
    printed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    written = subprocess.run([*command, "-o", str(target)], capture_output=True, text=True, cwd=ROOT)
    assert printed.returncode == 0 and written.returncode == 0, written.stderr
    assert written.stdout == "" and target.read_text(encoding="utf-8") == printed.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # documentation, not health data
    assert [p.name for p in tmp_path.iterdir()] == ["rules.md"]
