"""Renderers for the command line: the questionnaire and an assessment, as text or JSON."""

from __future__ import annotations

import json

from ..answers import AnswersFile
from ..loader import Ruleset
from ..outcome import Assessment
from .text import assessment_text, questions_text


def render_questions(ruleset: Ruleset, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(questions_data(ruleset), indent=2, ensure_ascii=False)
    if fmt == "fhir":
        from ..fhir import questionnaire_json

        return questionnaire_json(ruleset)
    return questions_text(ruleset)


def questions_data(ruleset: Ruleset) -> dict:
    return {
        "ruleset": {"version": ruleset.version, "hash": ruleset.digest},
        "sections": ruleset.sections,
        "questions": [q.model_dump(mode="json", by_alias=True, exclude_none=True) for q in ruleset.questions],
    }


def render_assessment(ruleset: Ruleset, answers: AnswersFile, assessment: Assessment, fmt: str) -> str:
    if fmt == "json":
        return assessment.model_dump_json(indent=2)
    return assessment_text(assessment)
