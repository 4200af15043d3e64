"""The match-stack model against the real engine: 64 entries pass, the 65th fails with error 303.

Each shape below is one the model claims to bound exactly, built with n rules, and asserted with a
fact that matches them all (so the bound is reached). At n = bound - 1 = 64 the engine must take
the case; one more entry must fail. If durable-rules walked its network differently from
``triage.engine.alpha_stack``, one side of a pair would break.
"""

from __future__ import annotations

import json

import pytest

from triage.engine.adapter import _SyncHost
from triage.engine.alpha_stack import MAX_STACK_SIZE, STACK_BUDGET, Network, UnknownShape, stack_bound


def _rule(index: int, expression: dict) -> tuple[str, dict]:
    return f"r{index}", {"all": [{"m": {"$and": [{"kind": "case"}, expression]}}], "run": f"r{index}"}


def distinct_properties(n: int):
    rules = dict(_rule(i, {f"p{i}": "x"}) for i in range(n))
    return rules, {f"p{i}": "x" for i in range(n)}


def shared_test_then_distinct(n: int):
    rules = dict(_rule(i, {"$and": [{"q": "yes"}, {f"p{i}": "x"}]}) for i in range(n))
    return rules, {"q": "yes", **{f"p{i}": "x" for i in range(n)}}


def any_of_sharing_a_test(n: int):
    rules = dict(_rule(i, {"$or": [{"q": "yes"}, {"q": "not_sure"}]}) for i in range(n))
    return rules, {"q": "yes"}


def thresholds_on_one_number(n: int):
    rules = dict(_rule(i, {"$gte": {"age": i}}) for i in range(n))
    return rules, {"age": 1000}


def ticked_choices(n: int):
    rules = dict(_rule(i, {"$and": [{"$iany": {"sym": {"$eq": {"$i": "a"}}}}]}) for i in range(n))
    return rules, {"sym": ["a", "b"]}


def deep_branch_popped_first(n: int):
    """'leaf' and 'deep' hang under 'kind'; 'deep' has n - 1 children. The fact lists 'leaf' first,
    so 'deep' is pushed last and popped first, with 'leaf' still below it: n entries."""
    rules = dict(_rule(i, {"$and": [{"deep": "x"}, {f"p{i}": "x"}]}) for i in range(n - 1))
    rules.update([_rule(n, {"leaf": "x"})])
    return rules, {"leaf": "x", "deep": "x", **{f"p{i}": "x" for i in range(n - 1)}}


SHAPES = [distinct_properties, shared_test_then_distinct, any_of_sharing_a_test, thresholds_on_one_number,
          ticked_choices, deep_branch_popped_first]


def _engine_takes(rules: dict, fact: dict, fires: set[str] | None = None) -> bool:
    host = _SyncHost()
    host.set_rulesets({"probe": json.loads(json.dumps(rules))})
    try:
        fired = host.assert_case("probe", json.dumps({**fact, "kind": "case", "sid": "1"}))
    except Exception as error:  # noqa: BLE001
        assert "303" in str(error), error
        return False
    assert set(fired) == (set(rules) if fires is None else fires)  # each shape's fact meets every rule
    return True


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
def test_the_model_is_exact_at_the_engines_limit(shape):
    at_limit, over_limit = shape(MAX_STACK_SIZE), shape(MAX_STACK_SIZE + 1)
    assert stack_bound(at_limit[0].values()) == MAX_STACK_SIZE
    assert stack_bound(over_limit[0].values()) == MAX_STACK_SIZE + 1
    assert _engine_takes(*at_limit)
    assert not _engine_takes(*over_limit)


def test_order_of_the_fact_decides_whether_the_worst_case_is_reached():
    """The bound is the worst order; in the kinder order the same rules need one entry fewer."""
    rules, fact = deep_branch_popped_first(MAX_STACK_SIZE + 1)
    kinder = {"deep": "x", **{k: v for k, v in fact.items() if k != "deep"}}
    assert not _engine_takes(rules, fact)
    assert _engine_takes(rules, kinder)


def test_equal_tests_on_one_property_exclude_each_other():
    """100 rules testing one answer for 100 different codes: one fact matches one of them."""
    rules = dict(_rule(i, {"q": f"code{i}"}) for i in range(100))
    assert stack_bound(rules.values()) == 1
    assert _engine_takes(rules, {"q": "code7"}, fires={"r7"})


def test_identical_tests_are_shared_as_the_engine_shares_them():
    rules = dict(_rule(i, {"q": "yes"}) for i in range(100))
    assert stack_bound(rules.values()) == 1
    assert _engine_takes(rules, {"q": "yes"})


def test_a_rule_that_would_not_fit_is_left_out_and_the_network_is_unchanged():
    network = Network()
    rules, _ = distinct_properties(STACK_BUDGET)
    for rule in rules.values():
        network.add_rule(rule)
    assert network.stack_bound() == STACK_BUDGET
    assert not network.add_if_safe(_rule(99, {"$and": [{"extra": "x"}, {"more": "y"}]})[1])
    assert network.stack_bound() == STACK_BUDGET
    assert network.widest() == STACK_BUDGET
    assert network.add_if_safe(_rule(100, {"$and": [{"p0": "x"}, {"more": "y"}]})[1])  # shares p0
    assert network.stack_bound() == STACK_BUDGET


@pytest.mark.parametrize(
    "expression",
    [{"$nex": {"q": 1}}, {"a": "x", "b": "y"}, {"$or": []}, {"q": 1.5}, {"q": True}, {"$mt": {"q": "a.*"}}],
    ids=["nex", "two keys", "empty or", "float", "bool", "regex"],
)
def test_shapes_the_model_does_not_know_are_refused(expression):
    with pytest.raises(UnknownShape):
        stack_bound([_rule(0, expression)[1]])
