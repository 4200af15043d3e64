"""Who is answering, about whom, and what the nurse noted: everything typed besides the answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..assessment.answers import AnswersFile, Nurse, Override, Patient, StoppedEarly


class Visit(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use

    nurse: str | None = None
    patient_name: str | None = None
    date_of_birth: date | None = None
    respondent: Literal["patient", "someone_else"] = "patient"
    notes: dict[str, str] = {}
    intro_done: bool = False
    started: datetime | None = None  # when the first question was shown (kept in a draft)

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
