"""The assessment: what the engine found for one set of answers, ready to render or export."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict
from pydantic_core import to_json

from ..ruleset.model import Level, LevelText, Source, StopRules


class _Out(BaseModel):
    # defer_build: validators are built on first use, not at import (after the first question)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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


def assessment_json(assessment: Assessment, known: Mapping[int, bytes]) -> bytes:
    """The same as ``assessment.model_dump_json().encode()``, reusing the JSON of shared items.

    An assessment mostly holds frozen items built once per ruleset (findings, advice, the scale's
    texts). ``known`` maps the ``id()`` of such items, kept alive by their owner, to their JSON; any
    other value is serialized as usual. Batch mode spent more time serializing than assessing.
    """
    cached = known.get
    fields = []
    for prefix, name in _FIELD_PREFIXES:
        value = getattr(assessment, name)
        if type(value) is tuple:
            fields.append(prefix + b"[" + b",".join([cached(id(item)) or to_json(item) for item in value]) + b"]")
        else:
            fields.append(prefix + (cached(id(value)) or to_json(value)))
    return b"{" + b",".join(fields) + b"}"


_FIELD_PREFIXES = tuple((f'"{name}":'.encode(), name) for name in Assessment.model_fields)
