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

from .answers import AnswersFile
from .conditions import evaluate
from .errors import AnswersError
from .loader import Ruleset
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
)
from .rules_model import NO, NOT_SURE, Finding, Level, QuestionType, most_urgent

GATE = "gate:exercise"


class RuleEvaluator(Protocol):
    def fired(self, fact: Mapping[str, object]) -> list[str]: ...


def engine_rules(ruleset: Ruleset):
    """Every conditional item of the ruleset as a named engine rule."""
    from .engine import EngineRule

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
                yield EngineRule(f"{group}:{item.id}", item.when)
    yield EngineRule(GATE, ruleset.scale.exercise_gate.never_when)


class ReferenceEvaluator:
    """The same rules evaluated in plain Python: the test oracle for the durable-rules engine."""

    def __init__(self, ruleset: Ruleset):
        self._rules = list(engine_rules(ruleset))

    def fired(self, fact: Mapping[str, object]) -> list[str]:
        return [rule.name for rule in self._rules if evaluate(rule.condition, fact)]


def build_engine(ruleset: Ruleset) -> RuleEvaluator:
    """The durable-rules engine for ``ruleset`` (raises EngineError if it cannot be built)."""
    from .engine import Engine

    return Engine(engine_rules(ruleset), (q.id for q in ruleset.questions))


def engine_fact(ruleset: Ruleset, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The one fact per case: every answer except free text (which no rule may test)."""
    is_text = _catalogue(ruleset).is_text  # an unknown id raises KeyError, as it must
    return {qid: value for qid, value in answers.items() if not is_text[qid]}


class Assessor:
    """Assesses answer sets against one ruleset with one engine (reused across cases)."""

    def __init__(self, ruleset: Ruleset, evaluator: RuleEvaluator | None = None):
        self.ruleset = ruleset
        self.evaluator = evaluator or build_engine(ruleset)

    def fired(self, answers: Mapping[str, Any]) -> set[str]:
        return set(self.evaluator.fired(engine_fact(self.ruleset, answers)))

    def assess(self, answers_file: AnswersFile) -> Assessment:
        return assess(self.ruleset, answers_file, self.fired(answers_file.answers))

    def assess_answers(self, answers: Mapping[str, Any]) -> Assessment:
        return self.assess(AnswersFile(answers=dict(answers)))


def assess(ruleset: Ruleset, answers_file: AnswersFile, fired: set[str]) -> Assessment:
    answers = answers_file.answers
    findings = _findings(ruleset, fired)
    engine_level, combination = _engine_disposition(ruleset, findings)
    override = _override(answers_file, engine_level, findings)
    final = override.final_level if override else engine_level
    gating = most_urgent([engine_level, final])
    scale = ruleset.scale
    exercises, withheld = _exercises(ruleset, fired, gating)
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
        pertinent_negatives=tuple(_answered(ruleset, answers, NO, red_flags_only=True)),
        unknowns=tuple(_answered(ruleset, answers, NOT_SURE, red_flags_only=False)),
        safety_net=scale.safety_net,
        disclaimer=scale.disclaimer,
        ruleset=RulesetRef(version=ruleset.version, hash=ruleset.digest),
    )


@dataclass(frozen=True)
class _Catalogue:
    """Output items built once per ruleset: they are frozen, so every assessment can share them.

    Building them anew for each case was most of an assessment's time in batch mode.
    """

    findings: dict[str, FindingResult]
    finding_names: tuple[tuple[str, Finding], ...]  # ("finding:<id>", finding), in rule-file order
    self_care: dict[str, AdviceItem]
    exercises: dict[str, ExerciseItem]
    tips: dict[str, TipItem]
    factors: dict[str, FactorItem]
    answers: dict[tuple[str, str], AnswerRef]  # (question id, "no" or "not_sure")
    yes_no: tuple[tuple[str, bool], ...]  # (question id, red flag?) of yes/no/not-sure questions
    is_text: dict[str, bool]  # question id -> free text?


@lru_cache(maxsize=8)
def _catalogue(ruleset: Ruleset) -> _Catalogue:
    yes_no = [q for q in ruleset.questions if q.type is QuestionType.yes_no_unsure]
    return _Catalogue(
        findings={f.id: _finding_result(f) for f in ruleset.findings},
        finding_names=tuple((f"finding:{f.id}", f) for f in ruleset.findings),
        self_care={i.id: AdviceItem(id=i.id, title=i.title, text=i.text, sources=i.sources, caution=i.caution) for i in ruleset.self_care},
        exercises={e.id: ExerciseItem(**e.model_dump(exclude={"when", "caution"})) for e in ruleset.exercises},
        tips={t.id: TipItem(id=t.id, topic=t.topic, title=t.title, text=t.text, sources=t.sources) for t in ruleset.tips},
        factors={x.id: FactorItem(id=x.id, label=x.label, explanation=x.explanation, sources=x.sources) for x in ruleset.factors},
        answers={(q.id, code): AnswerRef(id=q.id, question=q.ask, answer=q.choice_label(code)) for q in yes_no for code in (NO, NOT_SURE)},
        yes_no=tuple((q.id, q.red_flag) for q in yes_no),
        is_text={q.id: q.type is QuestionType.text for q in ruleset.questions},
    )


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
    found = [f for name, f in _catalogue(ruleset).finding_names if name in fired]
    found.sort(key=lambda f: -f.level.rank)  # most urgent first, rule-file order within a level
    results = _catalogue(ruleset).findings
    return [results[f.id] for f in found]


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
    if target.rank < engine_level.rank and not reason:
        raise AnswersError("override.reason: lowering the disposition needs a written reason")
    if target is Level.self_care and any(f.level is not Level.self_care for f in findings):
        raise AnswersError("override.level: cannot lower to self_care while a finding needs a provider")
    direction = "raised" if target.rank > engine_level.rank else "lowered" if target.rank < engine_level.rank else "unchanged"
    return OverrideResult(engine_level=engine_level, final_level=target, direction=direction, reason=reason, by=by)


def _offered(item_id: str, group: str, has_condition: bool, fired: set[str]) -> bool:
    return not has_condition or f"{group}:{item_id}" in fired


def _advice(ruleset: Ruleset, fired: set[str], level: Level) -> Iterable[AdviceItem]:
    if level.rank > ruleset.scale.offer.self_care.rank:
        return
    for item in ruleset.self_care:
        if _offered(item.id, "self_care", item.when is not None, fired):
            yield _catalogue(ruleset).self_care[item.id]


def _exercises(ruleset: Ruleset, fired: set[str], level: Level) -> tuple[list[ExerciseItem], str | None]:
    if level.rank > ruleset.scale.offer.exercises.rank:
        return [], "Exercises are not suggested until a provider has checked the findings above."
    if GATE in fired:
        return [], ruleset.scale.exercise_gate.reason
    chosen = [e for e in ruleset.exercises if _offered(e.id, "exercise", e.when is not None, fired)]
    return [_catalogue(ruleset).exercises[e.id] for e in chosen], None


def _tips(ruleset: Ruleset, fired: set[str], level: Level) -> Iterable[TipItem]:
    if level.rank > ruleset.scale.offer.prevention.rank:
        return
    for tip in ruleset.tips:
        if _offered(tip.id, "tip", tip.when is not None, fired):
            yield _catalogue(ruleset).tips[tip.id]


def _factors(ruleset: Ruleset, fired: set[str]) -> Iterable[FactorItem]:
    for factor in ruleset.factors:
        if f"factor:{factor.id}" in fired:
            yield _catalogue(ruleset).factors[factor.id]


def _answered(ruleset: Ruleset, answers: Mapping[str, Any], code: str, red_flags_only: bool) -> Iterable[AnswerRef]:
    catalogue = _catalogue(ruleset)
    refs = catalogue.answers
    for question_id, red_flag in catalogue.yes_no:
        if answers.get(question_id) == code and (red_flag or not red_flags_only):
            yield refs[(question_id, code)]
