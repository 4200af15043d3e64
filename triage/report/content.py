"""The summary's own wording, ``rules/summary.yaml``: who answered, questions to ask the provider.

Kept as data next to the rules (a clinic can reword it in its own rules folder) but outside the
ruleset hash: nothing in it changes a disposition. The questions to ask are chosen from what the
assessment found: one per finding, plus groups for findings, "not sure" answers, exercises and
self-care only, plus questions that always apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..assessment.outcome import Assessment
from ..errors import RulesError
from ..ruleset.files import default_rules_dir
from ..ruleset.load import Ruleset
from ..ruleset.yamlio import load_yaml

SUMMARY_FILE = "summary.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProviderQuestions(_Model):
    """Questions the person may want to ask, chosen by what the assessment found."""

    always: tuple[str, ...] = Field(min_length=1)
    per_finding: str = Field(description="Asked once per finding; '{title}' is the finding's title")
    with_findings: tuple[str, ...] = ()
    when_unsure: tuple[str, ...] = ()
    with_exercises: tuple[str, ...] = ()
    self_care_only: tuple[str, ...] = ()


class SummaryContent(_Model):
    """``rules/summary.yaml``: wording that belongs to the summary rather than to any rule."""

    answered_by: dict[Literal["patient", "someone_else"], str]
    provider_questions: ProviderQuestions
    short_labels: dict[str, str] = Field(default_factory=dict, description="question id -> a short name for the answers table")

    def questions_for(self, assessment: Assessment) -> tuple[str, ...]:
        asked = self.provider_questions
        chosen = [asked.per_finding.replace("{title}", f.title) for f in assessment.findings]
        if assessment.findings:
            chosen += asked.with_findings
        else:
            chosen += asked.self_care_only
        if assessment.unknowns:
            chosen += asked.when_unsure
        if assessment.exercises:
            chosen += asked.with_exercises
        return tuple(chosen) + asked.always


def load_summary_content(ruleset: Ruleset) -> SummaryContent:
    """``summary.yaml`` from the ruleset's folder, else the one shipped with the program.

    A clinic with its own rules folder may reword the summary there; test rule folders need not
    carry one. A broken file is a ``RulesError`` (fail safe), like any other rule file.
    """
    for folder in (Path(ruleset.directory), default_rules_dir(), Path(__file__).resolve().parents[2] / "rules"):
        path = folder / SUMMARY_FILE
        if path.is_file():
            return _read_content(path)
    raise RulesError(SUMMARY_FILE, None, f"rule file is missing (looked in {ruleset.directory})")


def _read_content(path: Path) -> SummaryContent:
    try:
        return SummaryContent.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RulesError(str(path), None, f"cannot read: {error}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RulesError(str(path), None, f"{where}: {first['msg']}") from None
