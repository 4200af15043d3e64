"""Answers in, assessment out: run the rules, apply the scale's rules, pick the advice.

The disposition is the most urgent level any finding reaches; two or more combinable findings at a
level named by the scale raise it one level; a nurse override may raise it freely and lower it only
with a reason. Advice is offered only at the levels the scale allows, and exercises never when the
scale's exercise gate holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from pydantic_core import to_json

from ..errors import AnswersError
from ..ruleset.conditions import NamedCondition, evaluate
from ..ruleset.load import Ruleset
from ..ruleset.model import NO, NOT_SURE, Finding, Level, QuestionType
from ..ruleset.vocabulary import most_urgent
from .answers import AnswersFile
from .outcome import (
    AdviceItem,
    AnswerRef,
    Assessment,
    ExerciseItem,
    FactorItem,
    FindingResult,
    OverrideResult,
    RulesetRef,
    TipItem,
    assessment_json,
)

GATE = "gate:exercise"


class RuleEvaluator(Protocol):
    def fired(self, fact: Mapping[str, object]) -> list[str]: ...


def engine_rules(ruleset: Ruleset):
    """Every conditional item of the ruleset as a named engine rule."""
    groups = (
        ("finding", ruleset.findings),
        ("self_care", ruleset.self_care),
        ("exercise", ruleset.exercises),
        ("factor", ruleset.factors),
        ("tip", ruleset.tips),
    )
    for group, items in groups:
        for item in items:
            if item.when is not None:
                yield NamedCondition(_rule_name(group, item), item.when)
    yield NamedCondition(GATE, ruleset.scale.exercise_gate.never_when)


class ReferenceEvaluator:
    """The same rules evaluated in plain Python: the test oracle for the durable-rules engine."""

    def __init__(self, ruleset: Ruleset):
        self._rules = list(engine_rules(ruleset))

    def fired(self, fact: Mapping[str, object]) -> list[str]:
        return [rule.name for rule in self._rules if evaluate(rule.condition, fact)]


def build_engine(ruleset: Ruleset) -> RuleEvaluator:
    """The durable-rules engine for ``ruleset`` (raises EngineError if it cannot be built)."""
    from ..engine.adapter import Engine

    return Engine(engine_rules(ruleset), (q.id for q in ruleset.questions))


def engine_fact(ruleset: Ruleset, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The one fact per case: every answer except free text (which no rule may test)."""
    is_text = _catalogue(ruleset).is_text  # an unknown id raises KeyError, as it must
    return {qid: value for qid, value in answers.items() if not is_text[qid]}


class Assessor:
    """Assesses answer sets against one ruleset with one engine (reused across cases)."""

    def __init__(self, ruleset: Ruleset, evaluator: RuleEvaluator | None = None, lazy: bool = False):
        """``lazy``: build the engine at the first assessment, not now (the questionnaire shows
        its first question sooner; a broken engine then fails, safely, after the first answer)."""
        self.ruleset = ruleset
        self._evaluator = evaluator or (None if lazy else build_engine(ruleset))

    @property
    def evaluator(self) -> RuleEvaluator:
        if self._evaluator is None:
            self._evaluator = build_engine(self.ruleset)
        return self._evaluator

    def fired(self, answers: Mapping[str, Any]) -> set[str]:
        return set(self.evaluator.fired(engine_fact(self.ruleset, answers)))

    def assess(self, answers_file: AnswersFile) -> Assessment:
        return assess(self.ruleset, answers_file, self.fired(answers_file.answers))

    def assess_answers(self, answers: Mapping[str, Any]) -> Assessment:
        return self.assess(AnswersFile(answers=dict(answers)))

    def to_json(self, assessment: Assessment) -> bytes:
        """``assessment.model_dump_json()`` as UTF-8, quicker: the rules' texts are serialized once."""
        return assessment_json(assessment, _catalogue(self.ruleset).json_by_id)


def assess(ruleset: Ruleset, answers_file: AnswersFile, fired: set[str]) -> Assessment:
    answers = answers_file.answers
    findings = _findings(ruleset, fired)
    engine_level, combination = _engine_disposition(ruleset, findings)
    override = _override(answers_file, engine_level, findings)
    final = override.final_level if override else engine_level
    gating = most_urgent([engine_level, final])
    scale = ruleset.scale
    exercises, withheld = _exercises(ruleset, fired, gating)
    negatives, unknowns = _negatives_and_unknowns(ruleset, answers)
    return Assessment(
        disposition=final,
        engine_disposition=engine_level,
        level=scale.levels[final],
        raised_by_combination=combination,
        override=override,
        findings=tuple(findings),
        advice=tuple(_advice(ruleset, fired, gating)),
        exercises=tuple(exercises),
        exercise_general=ruleset.exercises_file.general if exercises else (),
        stop_rules=ruleset.exercises_file.stop_rules if exercises else None,
        exercises_withheld=withheld,
        prevention=tuple(_tips(ruleset, fired, gating)),
        factors=tuple(_factors(ruleset, fired)),
        pertinent_negatives=negatives,
        unknowns=unknowns,
        safety_net=scale.safety_net,
        disclaimer=scale.disclaimer,
        ruleset=_catalogue(ruleset).ruleset_ref,
    )


@dataclass(frozen=True)
class _Catalogue:
    """Output items built once per ruleset: they are frozen, so every assessment can share them.

    Building them anew for each case was most of an assessment's time in batch mode.
    """

    finding_order: dict[str, tuple[tuple[int, int], FindingResult]]  # "finding:<id>" -> (sort key, result)
    # (engine rule name, or None if the item has no condition, item) in rule-file order
    self_care: tuple[tuple[str | None, AdviceItem], ...]
    exercises: tuple[tuple[str | None, ExerciseItem], ...]
    tips: tuple[tuple[str | None, TipItem], ...]
    factors: tuple[tuple[str | None, FactorItem], ...]  # a factor without a condition never applies
    answers: dict[tuple[str, str], AnswerRef]  # (question id, "no" or "not_sure")
    yes_no: tuple[tuple[str, bool], ...]  # (question id, red flag?) of yes/no/not-sure questions
    is_text: dict[str, bool]  # question id -> free text?
    ruleset_ref: RulesetRef
    json_by_id: dict[int, bytes]  # id() of each item above (and of the scale's texts) -> its JSON

    def shared_items(self, ruleset: Ruleset) -> Iterable[Any]:
        """Every frozen object an assessment may share with this catalogue (kept alive by it)."""
        yield from (result for _, result in self.finding_order.values())
        for offers in (self.self_care, self.exercises, self.tips, self.factors):
            yield from (item for _, item in offers)
        yield from self.answers.values()
        yield from ruleset.scale.levels.values()
        yield from (ruleset.scale.safety_net, ruleset.exercises_file.stop_rules, self.ruleset_ref)


@lru_cache(maxsize=8)
def _catalogue(ruleset: Ruleset) -> _Catalogue:
    yes_no = [q for q in ruleset.questions if q.type is QuestionType.yes_no_unsure]
    catalogue = _Catalogue(
        finding_order={
            _rule_name("finding", f): ((-f.level.rank, position), _finding_result(f)) for position, f in enumerate(ruleset.findings)
        },
        self_care=tuple(
            (_rule_name("self_care", i), AdviceItem(id=i.id, title=i.title, text=i.text, sources=i.sources, caution=i.caution))
            for i in ruleset.self_care
        ),
        exercises=tuple(
            (_rule_name("exercise", e), ExerciseItem(**e.model_dump(exclude={"when", "caution"}))) for e in ruleset.exercises
        ),
        tips=tuple(
            (_rule_name("tip", t), TipItem(id=t.id, topic=t.topic, title=t.title, text=t.text, sources=t.sources))
            for t in ruleset.tips
        ),
        factors=tuple(
            (_rule_name("factor", x), FactorItem(id=x.id, label=x.label, explanation=x.explanation, sources=x.sources))
            for x in ruleset.factors
        ),
        answers={(q.id, code): AnswerRef(id=q.id, question=q.ask, answer=q.choice_label(code)) for q in yes_no for code in (NO, NOT_SURE)},
        yes_no=tuple((q.id, q.red_flag) for q in yes_no),
        is_text={q.id: q.type is QuestionType.text for q in ruleset.questions},
        ruleset_ref=RulesetRef(version=ruleset.version, hash=ruleset.digest),
        json_by_id={},
    )
    catalogue.json_by_id.update((id(item), to_json(item)) for item in catalogue.shared_items(ruleset))
    return catalogue


def _rule_name(group: str, item) -> str | None:
    """The engine rule of a conditional item, e.g. ``tip:screen_height``; None without a condition."""
    return None if item.when is None else f"{group}:{item.id}"


def _finding_result(f: Finding) -> FindingResult:
    return FindingResult(
        id=f.id,
        title=f.title,
        level=f.level,
        message=f.message,
        rationale=f.rationale,
        sources=f.sources,
        caution=f.caution,
        unsure=f.unsure,
        combinable=f.combinable,
    )


def _findings(ruleset: Ruleset, fired: set[str]) -> list[FindingResult]:
    """The findings that fired, most urgent first, in rule-file order within a level."""
    order = _catalogue(ruleset).finding_order
    found = sorted(order[name] for name in fired if name in order)
    return [result for _, result in found]


def _engine_disposition(ruleset: Ruleset, findings: list[FindingResult]) -> tuple[Level, str | None]:
    level = most_urgent(f.level for f in findings)
    combination = ruleset.scale.combination
    at_level = [f for f in findings if f.combinable and f.level is level]
    if level in combination.levels and len(at_level) >= combination.min_findings:
        titles = ", ".join(f.title for f in at_level)
        return level.raised(), f"{combination.explanation} ({titles})"
    return level, None


def _override(answers_file: AnswersFile, engine_level: Level, findings) -> OverrideResult | None:
    requested = answers_file.override
    if requested is None:
        return None
    reason = requested.reason.strip()
    target = requested.level
    by = answers_file.nurse.name if answers_file.nurse else None
    if target.rank < engine_level.rank and not any(char.isalpha() for char in reason):  # words, not "\u200b" or "..."
        raise AnswersError("override.reason: lowering the disposition needs a written reason (in words)")
    if target is Level.self_care and any(f.level is not Level.self_care for f in findings):
        raise AnswersError("override.level: cannot lower to self_care while a finding needs a provider")
    direction = "raised" if target.rank > engine_level.rank else "lowered" if target.rank < engine_level.rank else "unchanged"
    return OverrideResult(engine_level=engine_level, final_level=target, direction=direction, reason=reason, by=by)


def _offered(offers, fired: set[str]) -> list:
    """The items whose rule fired, or that have no condition, in rule-file order."""
    return [item for name, item in offers if name is None or name in fired]


def _advice(ruleset: Ruleset, fired: set[str], level: Level) -> list[AdviceItem]:
    if level.rank > ruleset.scale.offer.self_care.rank:
        return []
    return _offered(_catalogue(ruleset).self_care, fired)


def _exercises(ruleset: Ruleset, fired: set[str], level: Level) -> tuple[list[ExerciseItem], str | None]:
    if level.rank > ruleset.scale.offer.exercises.rank:
        return [], "Exercises are not suggested until a provider has checked the findings above."
    if GATE in fired:
        return [], ruleset.scale.exercise_gate.reason
    return _offered(_catalogue(ruleset).exercises, fired), None


def _tips(ruleset: Ruleset, fired: set[str], level: Level) -> list[TipItem]:
    if level.rank > ruleset.scale.offer.prevention.rank:
        return []
    return _offered(_catalogue(ruleset).tips, fired)


def _factors(ruleset: Ruleset, fired: set[str]) -> list[FactorItem]:
    return [item for name, item in _catalogue(ruleset).factors if name in fired]


def _negatives_and_unknowns(ruleset: Ruleset, answers: Mapping[str, Any]) -> tuple[tuple[AnswerRef, ...], tuple[AnswerRef, ...]]:
    """Red-flag questions answered "no", and every question answered "not sure", in asking order."""
    catalogue = _catalogue(ruleset)
    refs = catalogue.answers
    negatives, unknowns = [], []
    for question_id, red_flag in catalogue.yes_no:
        answer = answers.get(question_id)
        if answer == NO and red_flag:
            negatives.append(refs[(question_id, NO)])
        elif answer == NOT_SURE:
            unknowns.append(refs[(question_id, NOT_SURE)])
    return tuple(negatives), tuple(unknowns)
