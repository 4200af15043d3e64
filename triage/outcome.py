"""The assessment: what the engine found for one set of answers, ready to render or export."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .rules_model import Level, LevelText, Source, StopRules


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindingResult(_Out):
    id: str
    title: str
    level: Level
    message: str
    rationale: str
    sources: tuple[Source, ...]
    caution: str | None = None
    unsure: bool = False
    combinable: bool = False


class AdviceItem(_Out):
    id: str
    title: str
    text: str
    sources: tuple[Source, ...]
    caution: str | None = None


class ExerciseItem(_Out):
    id: str
    name: str
    position: str
    steps: tuple[str, ...]
    hold: str
    repetitions: str
    cautions: tuple[str, ...] = ()
    sources: tuple[Source, ...]


class TipItem(_Out):
    id: str
    topic: str
    title: str
    text: str
    sources: tuple[Source, ...]


class FactorItem(_Out):
    id: str
    label: str
    explanation: str
    sources: tuple[Source, ...]


class AnswerRef(_Out):
    """A question and its answer as the person saw them."""

    id: str
    question: str
    answer: str


class OverrideResult(_Out):
    engine_level: Level
    final_level: Level
    direction: str  # "raised", "lowered" or "unchanged"
    reason: str
    by: str | None = None


class RulesetRef(_Out):
    version: str
    hash: str


class Assessment(_Out):
    disposition: Level
    engine_disposition: Level
    level: LevelText
    raised_by_combination: str | None = None
    override: OverrideResult | None = None
    findings: tuple[FindingResult, ...]
    advice: tuple[AdviceItem, ...]
    exercises: tuple[ExerciseItem, ...]
    exercise_general: tuple[str, ...] = ()
    stop_rules: StopRules | None = None
    exercises_withheld: str | None = None
    prevention: tuple[TipItem, ...]
    factors: tuple[FactorItem, ...]
    pertinent_negatives: tuple[AnswerRef, ...]
    unknowns: tuple[AnswerRef, ...]
    safety_net: StopRules
    disclaimer: str
    ruleset: RulesetRef

    @property
    def finding_ids(self) -> list[str]:
        return [f.id for f in self.findings]
