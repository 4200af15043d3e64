"""Who is answering, about whom, and what the nurse noted: everything typed besides the answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..assessment.answers import MAX_NAME, MAX_TEXT, AnswersFile, Nurse, Override, Patient, StoppedEarly, written_date

Name = Annotated[str, Field(max_length=MAX_NAME)]


def _iso_text(value: Any) -> Any:
    """A time read back from a draft: ISO 8601 text or a datetime, never a bare number."""
    if value is None or isinstance(value, (str, datetime)):
        return value
    raise ValueError("a time must be written as ISO 8601 text")


class Visit(BaseModel):
    # strict, with the answers file's limits: a draft is read back through this model
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)  # built on first use

    nurse: Name | None = None
    patient_name: Name | None = None
    date_of_birth: Annotated[date | None, Field(strict=False), BeforeValidator(written_date)] = None
    respondent: Literal["patient", "someone_else"] = "patient"
    notes: dict[str, Annotated[str, Field(max_length=MAX_TEXT)]] = {}
    intro_done: bool = False
    # when the questionnaire began, kept in a draft as ISO 8601 text (strict mode takes no text for a datetime)
    started: Annotated[datetime | None, Field(strict=False), BeforeValidator(_iso_text)] = None

    def answers_file(self, ruleset_version: str, answers: dict[str, Any], override: Override | None = None,
                     ended: datetime | None = None, stopped_early: StoppedEarly | None = None) -> AnswersFile:
        """The answers file for these answers: the same document ``triage assess`` reads."""
        has_patient = self.patient_name or self.date_of_birth
        return AnswersFile(
            ruleset_version=ruleset_version,
            respondent=self.respondent,
            patient=Patient(name=self.patient_name, date_of_birth=self.date_of_birth) if has_patient else None,
            nurse=Nurse(name=self.nurse) if self.nurse else None,
            answers=dict(answers),
            notes={key: text for key, text in self.notes.items() if text.strip()},
            override=override,
            started=self.started,
            ended=ended,
            stopped_early=stopped_early,
        )

    def typed_anything(self) -> bool:
        return bool(self.nurse or self.patient_name or self.date_of_birth or self.notes)
