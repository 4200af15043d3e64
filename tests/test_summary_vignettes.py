"""Golden files for the text, Markdown and HTML summaries of several vignettes (mini rules).

The expected files live in tests/golden/<vignette>.<txt|md|html>. After a deliberate change to the
summary's layout or wording, regenerate them and review the diff:

    UPDATE_GOLDEN=1 python -m pytest tests/test_summary_vignettes.py

Also home of the vignettes and helpers the other summary and FHIR tests share.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from triage.assessment.answers import applicable, parse_answers
from triage.report.save import render
from triage.report.summary import build_summary
from triage.ruleset.model import QuestionType

GOLDEN = Path(__file__).parent / "golden"
CREATED = datetime(2026, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=1)))
UNICODE_NAME = "Zoë Łukasiewicz 李雷"
HOSTILE = '<script>alert("x")</script> **bold** [link](javascript:alert(1)) <img src=x onerror=alert(1)> & &amp;'
GOLDEN_FORMATS = {"text": "txt", "markdown": "md", "html": "html"}

_BENIGN = {"chest": "no", "injury": "no", "cancer": "no", "night_pain": "no", "age": 34, "pain_now": 3, "sleep": "side"}
MINI_VIGNETTES: dict[str, dict[str, Any]] = {
    "emergency": {
        "patient": {"name": UNICODE_NAME, "date_of_birth": "1980-04-02"},
        "answers": {**_BENIGN, "chest": "yes", "pain_now": 8},
    },
    "combined_unsure": {
        "patient": {"name": "Ann Smith"},
        "answers": {**_BENIGN, "cancer": "yes", "night_pain": "not_sure", "age": 61, "pain_now": 6, "habits": ["desk", "phone"]},
    },
    "self_care": {
        "answers": {**_BENIGN, "habits": ["desk"], "sleep": "front", "other": "Started after a long drive."},
    },
    "nurse_hostile": {
        "respondent": "someone_else",
        "patient": {"name": f"{UNICODE_NAME} {HOSTILE}", "date_of_birth": "1955-12-31"},
        "nurse": {"name": f"Nurse {HOSTILE}"},
        "notes": {"general": f"Caller says {HOSTILE}", "cancer": "Treated 2015\n# not a heading\n- not a list"},
        "override": {"level": "appointment", "reason": f"Lowered after talking to the GP {HOSTILE}"},
        "answers": {**_BENIGN, "injury": "yes", "numb": "no", "cancer": "yes", "other": HOSTILE},
    },
}


def summary_for(ruleset, assessor, document: dict, created: datetime = CREATED):
    answers_file = parse_answers(ruleset, document)
    assessment = assessor.assess(answers_file)
    return build_summary(ruleset, answers_file, assessment, created)


def benign_answers(ruleset) -> dict[str, Any]:
    """A complete answer set for any ruleset: every red flag 'no', middling numbers, 'none' lists."""
    answers: dict[str, Any] = {}
    for question in ruleset.questions:
        if applicable(question, answers) and question.type is not QuestionType.text:
            answers[question.id] = _benign(question)
    return answers


def _benign(question):
    kind = question.type
    if kind is QuestionType.yes_no_unsure:
        return "no"
    if kind is QuestionType.single:
        return next(code for code in question.codes if code != "not_sure")
    if kind is QuestionType.multi:
        return ["none"] if "none" in question.codes else []
    if kind is QuestionType.pain:
        return 4
    low, high = question.bounds
    return min(max(5, low), high)


@pytest.fixture(scope="module")
def mini_summaries(mini_ruleset, mini_assessor):
    return {name: summary_for(mini_ruleset, mini_assessor, doc) for name, doc in MINI_VIGNETTES.items()}


@pytest.mark.parametrize("fmt", sorted(GOLDEN_FORMATS))
@pytest.mark.parametrize("name", sorted(MINI_VIGNETTES))
def test_summary_matches_golden_file(mini_summaries, name, fmt):
    produced = render(mini_summaries[name], fmt).decode("utf-8")
    path = GOLDEN / f"{name}.{GOLDEN_FORMATS[fmt]}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(produced, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDEN=1 to create it"
    assert produced == path.read_text(encoding="utf-8")


def test_golden_vignettes_cover_every_level_of_interest(mini_summaries):
    levels = {name: s.disposition.level.value for name, s in mini_summaries.items()}
    assert levels == {
        "emergency": "emergency",
        "combined_unsure": "within_24h",
        "self_care": "self_care",
        "nurse_hostile": "appointment",
    }
    assert mini_summaries["self_care"].exercises and mini_summaries["nurse_hostile"].override


def test_summary_is_deterministic(mini_ruleset, mini_assessor):
    first = summary_for(mini_ruleset, mini_assessor, MINI_VIGNETTES["nurse_hostile"])
    second = summary_for(mini_ruleset, mini_assessor, MINI_VIGNETTES["nurse_hostile"])
    for fmt in ("text", "markdown", "html", "fhir"):
        assert render(first, fmt) == render(second, fmt)
