"""Assessments into the record and back: what was stored is re-validated, never re-computed."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import ValidationError

from ..assessment.answers import AnswersFile, answers_file_model
from ..assessment.outcome import Assessment
from ..errors import AnswersError
from ..ruleset.load import Ruleset
from .people import person_of
from .store import Entry, RecordError, RecordStore

PAIN = "pain_now"  # the questionnaire's 0-10 pain question: the trend's scores


def record_assessment(store: RecordStore, answers: AnswersFile, assessment: Assessment, *, started: datetime,
                      ended: datetime, source: str) -> str:
    """Store a finished assessment for the person it is about ("me" if none); its ID."""
    document = answers.model_dump(mode="json", exclude_none=True)
    pain = answers.answers.get(PAIN)
    return store.add_assessment(
        person_of(document), started=started, ended=ended, source=source,
        ruleset_version=assessment.ruleset.version, ruleset_hash=assessment.ruleset.hash,
        disposition=assessment.disposition.value, pain=pain if isinstance(pain, int) else None,
        answers_json=json.dumps(document, ensure_ascii=False), assessment_json=assessment.model_dump_json())


def recorded_assessment(entry: Entry) -> Assessment:
    """The assessment as it was recorded, checked against the model (``RecordError`` if damaged)."""
    try:
        return Assessment.model_validate_json(entry.assessment_json)
    except (ValidationError, ValueError):
        raise RecordError(f"record {entry.id}: the stored result is damaged and cannot be shown") from None


def recorded_document(entry: Entry) -> dict:
    try:
        document = json.loads(entry.answers_json)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("answers"), dict):
        raise RecordError(f"record {entry.id}: the stored answers are damaged")
    return document


def recorded_answers(entry: Entry, ruleset: Ruleset) -> AnswersFile:
    """The stored answers, checked strictly against ``ruleset`` (each answer's type and value).

    Unlike an answers file, they need not be complete: a questionnaire that stopped at an emergency
    is recorded too. ``AnswersError`` if they do not fit these rules.
    """
    try:
        checked = answers_file_model(ruleset).model_validate(recorded_document(entry))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise AnswersError(f"record {entry.id}: {where}: {first['msg']} (the rules have changed since)") from None
    given = {qid: value for qid, value in checked.answers.__dict__.items() if value is not None}
    return AnswersFile.model_construct(checked.model_fields_set, **{**checked.__dict__, "answers": given})
