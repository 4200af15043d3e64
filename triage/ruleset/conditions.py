"""Conditions over answers: their models; walk them, evaluate them in Python, compile them for durable-rules.

The Python evaluator is the reference semantics (and the test oracle for the engine): a test on a
question that has no answer is false; ``is``/``in`` compare exactly; ``has`` looks inside a
multiple-choice answer; ``gte``/``gt``/``lte``/``lt`` compare integers.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, ClassVar, Union

from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from .base import Id, Strict

# --- models: a test, all of, any of -----------------------------------------------------

Scalar = Union[str, int]


class Test(Strict):
    """One comparison on one question's answer. Exactly one operator is given."""

    q: Id
    is_: Scalar | None = Field(default=None, alias="is")
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in", min_length=1)
    has: str | None = None  # a multiple-choice answer contains this code
    gte: int | None = None
    gt: int | None = None
    lte: int | None = None
    lt: int | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    OPERATORS: ClassVar[tuple[str, ...]] = ("is_", "in_", "has", "gte", "gt", "lte", "lt")

    @model_validator(mode="after")
    def _exactly_one_operator(self):
        given = [op for op in self.OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            names = ", ".join(op.rstrip("_") for op in self.OPERATORS)
            raise ValueError(f"a test on {self.q!r} needs exactly one of: {names}")
        return self

    @cached_property  # conditions are evaluated for every question of every case: look it up once
    def operator(self) -> str:
        return next(op for op in self.OPERATORS if getattr(self, op) is not None)

    @cached_property
    def operand(self):
        return getattr(self, self.operator)


class AllOf(Strict):
    all: tuple["Condition", ...] = Field(min_length=1)


class AnyOf(Strict):
    any: tuple["Condition", ...] = Field(min_length=1)


def _condition_shape(value) -> str:
    """Pick the condition model by its key, so an error names one shape, not three."""
    keys = value.keys() if isinstance(value, dict) else vars(value).keys() if hasattr(value, "__dict__") else ()
    for key in ("all", "any"):
        if key in keys:
            return key
    return "test"


Condition = Annotated[
    Union[Annotated[AllOf, Tag("all")], Annotated[AnyOf, Tag("any")], Annotated[Test, Tag("test")]],
    Discriminator(_condition_shape),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


# --- evaluating and compiling ---------------------------------------------------------------


@dataclass(frozen=True)
class NamedCondition:
    """One condition to evaluate, named ``<group>:<id>`` (e.g. ``finding:chest_pain``)."""

    name: str
    condition: Condition


_COMPARE = {"gte": operator.ge, "gt": operator.gt, "lte": operator.le, "lt": operator.lt}


def iter_tests(condition: Condition | None) -> Iterator[Test]:
    """Every leaf test in ``condition``, depth first."""
    if condition is None:
        return
    if isinstance(condition, Test):
        yield condition
        return
    for child in _children(condition):
        yield from iter_tests(child)


def _children(condition: AllOf | AnyOf):
    return condition.all if isinstance(condition, AllOf) else condition.any


def evaluate(condition: Condition | None, answers: Mapping[str, object]) -> bool:
    """True when ``answers`` meet ``condition``; a missing condition always holds."""
    if condition is None:
        return True
    if isinstance(condition, AllOf):
        return all(evaluate(c, answers) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(evaluate(c, answers) for c in condition.any)
    return _evaluate_test(condition, answers)


def _evaluate_test(test: Test, answers: Mapping[str, object]) -> bool:
    if test.q not in answers:
        return False
    value = answers[test.q]
    op = test.operator
    if op == "is_":
        return _same(value, test.is_)
    if op == "in_":
        return any(_same(value, option) for option in test.in_ or ())
    if op == "has":
        return isinstance(value, (list, tuple)) and test.has in value
    return isinstance(value, int) and not isinstance(value, bool) and _COMPARE[op](value, test.operand)


def _same(value: object, expected: object) -> bool:
    return type(value) is type(expected) and value == expected


def to_durable(condition: Condition) -> dict:
    """The durable-rules JSON expression for ``condition`` (operator-first form)."""
    if isinstance(condition, AllOf):
        return _join("$and", [to_durable(c) for c in condition.all])
    if isinstance(condition, AnyOf):
        return _join("$or", [to_durable(c) for c in condition.any])
    return _test_to_durable(condition)


def _join(op: str, parts: list[dict]) -> dict:
    return parts[0] if len(parts) == 1 else {op: parts}


def _test_to_durable(test: Test) -> dict:
    op = test.operator
    if op == "is_":
        return {test.q: test.is_}
    if op == "in_":
        return _join("$or", [{test.q: option} for option in test.in_ or ()])
    if op == "has":
        return {"$iany": {test.q: {"$eq": {"$i": test.has}}}}
    return {f"${op}": {test.q: test.operand}}


def compile_condition(condition: Condition | None) -> Callable[[Mapping[str, object]], bool]:
    """``condition`` as a plain function of the answers: same result as ``evaluate``, faster.

    Used where conditions run for every question of every case (which questions apply); the
    tree-walking ``evaluate`` stays the reference the tests compare against.
    """
    if condition is None:
        return lambda answers: True
    if isinstance(condition, (AllOf, AnyOf)):
        parts = tuple(compile_condition(c) for c in _children(condition))
        return _all_of(parts) if isinstance(condition, AllOf) else _any_of(parts)
    return _compile_test(condition)


def _all_of(parts: tuple[Callable[[Mapping[str, object]], bool], ...]) -> Callable[[Mapping[str, object]], bool]:
    def all_hold(answers: Mapping[str, object]) -> bool:
        for part in parts:
            if not part(answers):
                return False
        return True

    return all_hold


def _any_of(parts: tuple[Callable[[Mapping[str, object]], bool], ...]) -> Callable[[Mapping[str, object]], bool]:
    def any_holds(answers: Mapping[str, object]) -> bool:
        for part in parts:
            if part(answers):
                return True
        return False

    return any_holds


def _compile_test(test: Test) -> Callable[[Mapping[str, object]], bool]:
    q, op = test.q, test.operator
    if op in ("is_", "in_"):
        options = frozenset((type(v), v) for v in (test.in_ if op == "in_" else (test.is_,)))
        return lambda answers: q in answers and (type(answers[q]), answers[q]) in options
    if op == "has":
        code = test.has
        return lambda answers: isinstance(answers.get(q), (list, tuple)) and code in answers[q]
    compare, bound = _COMPARE[op], test.operand
    return lambda answers: type(answers.get(q)) is int and compare(answers[q], bound)


_SYMBOLS = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}


def describe(condition: Condition) -> str:
    """A condition on one line in plain words, by question id (for one-line error messages)."""
    if isinstance(condition, Test):
        op = condition.operator
        if op == "is_":
            return f"{condition.q} is {condition.is_}"
        if op == "in_":
            return f"{condition.q} is {' or '.join(str(v) for v in condition.in_ or ())}"
        if op == "has":
            return f"{condition.q} includes {condition.has}"
        return f"{condition.q} {_SYMBOLS[op]} {condition.operand}"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    parts = [describe(c) if isinstance(c, Test) else f"({describe(c)})" for c in _children(condition)]
    return joiner.join(parts)
