"""The durable-rules adapter: same results as the Python oracle, isolated cases, loud failures."""

from __future__ import annotations

import pytest
from answer_sets import answer_sets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.assessment.assess import ReferenceEvaluator, engine_fact, engine_rules
from triage.engine.adapter import CASE_SID, Engine, check_ruleset_json, fnv1a_32
from triage.errors import EngineError, RulesError

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_engine_matches_reference_evaluator(rules_and_engine, data):
    """Differential test: durable-rules fires exactly the rules plain Python says should fire."""
    ruleset, assessor = rules_and_engine
    answers = data.draw(answer_sets(ruleset))
    fact = engine_fact(ruleset, answers)
    assert sorted(assessor.evaluator.fired(fact)) == sorted(ReferenceEvaluator(ruleset).fired(fact))


def test_cases_are_isolated_and_cleared_from_the_engine_after_each_case(mini_ruleset):
    engine = Engine(engine_rules(mini_ruleset), (q.id for q in mini_ruleset.questions))
    first = engine.fired({"chest": "yes"})
    assert "finding:chest_pain" in first
    assert engine.fired({"chest": "no"}) == []  # nothing carried over from the previous case
    assert engine.fired({"chest": "yes"}) == first  # the same answers fire again
    for ruleset in engine.rulesets:
        assert engine._host.get_ruleset(ruleset).get_facts(CASE_SID) == []  # every case was retracted


def test_strings_never_reach_numeric_thresholds(mini_assessor):
    """Validation happens before the engine: durable-rules would let "9" pass '>= 8'."""
    from triage.assessment.answers import parse_answers
    from triage.errors import AnswersError

    with pytest.raises(AnswersError, match=r"answers\.pain_now: Input should be a valid integer"):
        parse_answers(mini_assessor.ruleset, {"answers": {"chest": "no", "injury": "no", "pain_now": "9"}})


def test_a_case_the_engine_skipped_is_an_error_and_retires_the_engine(mini_ruleset, monkeypatch):
    """Every case matches the sentinel rule; a result without it means the case was not evaluated."""
    engine = Engine(engine_rules(mini_ruleset), (q.id for q in mini_ruleset.questions))
    monkeypatch.setattr(engine._host, "assert_case", lambda ruleset, case: [])
    with pytest.raises(EngineError, match="skipped the case"):
        engine.fired({"chest": "yes"})
    monkeypatch.undo()
    with pytest.raises(EngineError, match="failed earlier and was not used again"):  # its state may be half-used
        engine.fired({"chest": "no"})


def test_the_rule_name_is_read_from_the_engines_queued_message():
    from triage.engine.adapter import _rule_name

    assert _rule_name('{"finding:chest_pain":{"m":{"kind":"case"}}}') == "finding:chest_pain"
    with pytest.raises(RuntimeError, match="unexpected action message"):
        _rule_name("[1, 2]")


def test_an_engine_that_failed_is_never_used_again(mini_ruleset, monkeypatch):
    """After a failed assert the case's state may be half-made: no clean-up, no further cases."""
    engine = Engine(engine_rules(mini_ruleset), (q.id for q in mini_ruleset.questions))

    def overflow(ruleset_name, case_json):
        raise MemoryError("state pool full")

    monkeypatch.setattr(engine._host, "assert_case", overflow)
    with pytest.raises(EngineError, match="MemoryError: state pool full"):
        engine.fired({"chest": "no"})
    monkeypatch.undo()
    with pytest.raises(EngineError, match="failed earlier and was not used again"):
        engine.fired({"chest": "yes"})


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"all": [{"m": {"$nex": {"x": 1}}}], "run": "r"}, "start with the 'kind: case' test"),
        ({"all": [{"m": {"$and": [{"kind": "case"}, {"$nex": {"x": 1}}]}}], "run": "r"}, r"'\$nex' is not allowed"),
        ({"all": [{"first": {"kind": "case"}}, {"second": {"kind": "case"}}], "run": "r"}, "single-pattern"),
        (
            {"all": [{"m": {"$and": [{"kind": "case"}, {"$gt": {"v": {"first": "v"}}}]}}], "run": "r"},
            "references to other patterns",
        ),
        ({"all": [{"m": {"kind": "case"}}], "run": print}, "named action"),
    ],
)
def test_rule_shapes_that_crash_durable_rules_are_rejected(rule, problem):
    with pytest.raises(RulesError, match=problem):
        check_ruleset_json("triage0", {"r": rule})


def test_fnv1a_matches_the_collision_the_engine_notes_found():
    assert fnv1a_32("q_zcfwruqoa") == fnv1a_32("q_twmjj")
    assert fnv1a_32("") == 0x811C9DC5


def test_big_rulesets_are_packed_within_the_match_stack_budget(ruleset):
    from triage.engine.adapter import compile_rulesets
    from triage.engine.alpha_stack import STACK_BUDGET, stack_bound

    rules = list(engine_rules(ruleset))
    compiled = compile_rulesets(rules)
    assert all(stack_bound(body.values()) <= STACK_BUDGET for body in compiled.values())
    assert sum(len(body) - 1 for body in compiled.values()) == len(rules)  # each has one sentinel
    assert len(compiled) <= 2, "the shipped rules fit in two rulesets: fewer asserts per case"


def test_a_ruleset_that_could_overflow_the_match_stack_is_refused():
    rules = {f"r{i}": {"all": [{"m": {"$and": [{"kind": "case"}, {f"p{i}": "x"}]}}], "run": f"r{i}"} for i in range(65)}
    with pytest.raises(RulesError, match="65 match-stack entries"):
        check_ruleset_json("triage0", rules)


def _rss_kb() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4


def test_ten_thousand_assessments_in_one_process_without_growth(ruleset, assessor):
    """Thousands of cases through one engine: no error, no leaked state, flat memory."""
    answer_sets_ = [_varied_answers(ruleset, i) for i in range(50)]
    for answers in answer_sets_ * 20:  # warm up caches and allocator pools
        assessor.assess_answers(answers)
    before = _rss_kb()
    dispositions = {assessor.assess_answers(answer_sets_[i % 50]).disposition for i in range(10_000)}
    growth_kb = _rss_kb() - before
    assert len(dispositions) >= 3
    assert growth_kb < 8_000, f"memory grew by {growth_kb} kB over 10,000 assessments"


def _varied_answers(ruleset, seed: int) -> dict:
    import random

    from triage.assessment.answers import applicable

    rng = random.Random(seed)
    answers: dict = {}
    for q in ruleset.questions:
        if not applicable(q, answers) or not q.required:
            continue
        if q.type.value == "yes_no_unsure":  # mostly "no", as in most real cases
            answers[q.id] = "no" if rng.random() < 0.93 else rng.choice(("yes", "not_sure"))
        elif q.codes:
            answers[q.id] = [rng.choice(q.codes)] if q.type.value == "multi" else rng.choice(q.codes)
        elif q.bounds:
            answers[q.id] = rng.randint(*q.bounds)
    return answers


@SETTINGS
@given(data=st.data())
def test_compiled_conditions_agree_with_the_reference_walker(data, ruleset):
    """compile_condition (used for which questions apply) must mean exactly what evaluate means."""
    from triage.ruleset.conditions import compile_condition, evaluate

    answers = data.draw(answer_sets(ruleset))
    conditions = [q.ask_when for q in ruleset.questions] + [r.condition for r in engine_rules(ruleset)]
    for condition in conditions:
        assert compile_condition(condition)(answers) == evaluate(condition, answers)
