"""Clinical vignettes (tests/cases/*.yaml), run through the real engine by one parametrized test.

Each case holds answers plus the expected disposition, the findings that must fire and the
near-miss findings that must stay silent. Clinicians can review the cases without reading Python.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.assessment.answers import parse_answers
from triage.ruleset.model import LEVEL_ORDER
from triage.ruleset.yamlio import load_yaml

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES.glob("*.yaml"))
CASE_KEYS = {"description", "expect"}


def load_case(path: Path) -> dict:
    case = load_yaml(path.read_text(encoding="utf-8"))
    assert set(case["expect"]) <= {"disposition", "fires", "silent"}, path.name
    return case


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_vignette(path, ruleset, assessor):
    case = load_case(path)
    answers_file = parse_answers(ruleset, {k: v for k, v in case.items() if k not in CASE_KEYS}, source=path.name)
    outcome = assessor.assess(answers_file)
    expect = case["expect"]
    fired = set(outcome.finding_ids)
    assert outcome.disposition.value == expect["disposition"], f"{path.name}: {case['description']} (fired {sorted(fired)})"
    assert set(expect.get("fires", [])) <= fired, f"{path.name}: expected to fire"
    assert not set(expect.get("silent", [])) & fired, f"{path.name}: near-miss fired"


def test_vignettes_cover_every_level_and_every_finding(ruleset):
    cases = [load_case(p) for p in CASE_FILES]
    reached = {c["expect"]["disposition"] for c in cases}
    assert reached == {level.value for level in LEVEL_ORDER}
    finding_ids = {f.id for f in ruleset.findings}
    fires = {i for c in cases for i in c["expect"].get("fires", [])}
    silent = {i for c in cases for i in c["expect"].get("silent", [])}
    assert fires <= finding_ids and silent <= finding_ids, "a vignette names an unknown finding"
    assert finding_ids - fires == set(), "findings with no vignette that fires them"
    assert finding_ids - silent == set(), "findings with no near-miss vignette"


@pytest.mark.parametrize(
    ("name", "medicine_advice"),
    [
        ("self_care_pregnant_desk_worker", "pain_relief_pregnancy"),
        ("self_care_may_be_pregnant_woke_stiff", "pain_relief_pregnancy"),
        ("self_care_older_adult_gardening_not_first", "pain_relief"),
        ("self_care_nurse_note_still_working", "pain_relief"),
    ],
)
def test_pregnancy_changes_the_medicine_advice(ruleset, assessor, name, medicine_advice):
    """Issue 13: a person who is or may be pregnant is not offered over-the-counter anti-inflammatories."""
    case = load_case(CASES / f"{name}.yaml")
    outcome = assessor.assess(parse_answers(ruleset, {k: v for k, v in case.items() if k not in CASE_KEYS}, source=name))
    advice = {item.id for item in outcome.advice}
    assert medicine_advice in advice
    assert not ({"pain_relief", "pain_relief_pregnancy"} - {medicine_advice}) & advice
