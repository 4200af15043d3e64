"""The durable-rules adapter: the only module that imports durable-rules.

How it is used safely (see the engine notes):
- rules are compiled to JSON rulesets, each rule tagged ``kind: case`` plus one sentinel rule that
  matches every case, so every assert is handled (an unhandled fact leaves durable-rules with state
  that crashes it when touched) and a result without the sentinel means the case was skipped;
- a host without its background dispatcher threads; nothing runs on another thread;
- one fact per case, built from answers already validated by the strict pydantic models, because
  durable-rules compares values without type checks ("9" passes ``>= 8``);
- one state (sid) per ruleset for the engine's whole life, under a lock: each case is asserted as a
  fact with its own id and retracted once its fired rules are read. A fresh sid per case would
  make durable-rules allocate and clear about half a megabyte of match state for every case (its
  ``createStateNode``), which was most of its time. Any failure retires the engine;
- rules have no Python actions: the names of the rules a case fired are read from durable-rules'
  queue (so no action can fail, and durable-rules cannot swallow an exception);
- a static check of the compiled JSON rejects shapes that crash or hang it, and property names
  whose 32-bit FNV-1a hashes collide (the engine never compares the names themselves);
- rules are packed into as few rulesets as possible such that no fact can overflow the engine's
  64-entry match stack (error 303), bounded by a model of its network (``alpha_stack``).
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Iterable, Mapping

from ..errors import EngineError, RulesError
from ..ruleset.conditions import NamedCondition, iter_tests, to_durable
from .alpha_stack import MAX_CHILDREN, MAX_STACK_SIZE, STACK_BUDGET, Network, UnknownShape

try:  # durable-rules 2.0.28 does not import on Python 3.13+ (PyEval_CallObject was removed)
    import durable_rules_engine
    from durable.engine import Host, MessageNotHandledException
except ImportError as error:  # pragma: no cover - exercised only on unsupported Pythons
    Host = None  # type: ignore[assignment,misc]
    MessageNotHandledException = Exception  # type: ignore[assignment,misc]
    IMPORT_ERROR: ImportError | None = error
else:
    IMPORT_ERROR = None

SENTINEL = "__case_seen__"
CASE_SID = "cases"  # the one state each ruleset keeps
_to_json = json.JSONEncoder(ensure_ascii=False).encode
MAX_RULES_PER_RULESET = 500  # MAX_ACTIONS is 4096; kept low so one ruleset stays quick to build
ENGINE_PROPERTIES = ("kind", "sid", "id", "$s")


class _SyncHost(Host if Host is not None else object):  # type: ignore[misc]
    """A durable-rules host that starts no dispatcher threads and reports which rules fired."""

    def _run(self):  # the base class starts two polling timer threads here
        pass

    def get_action(self, action_name):
        """durable-rules wants a callable per rule; ours are never called (see ``assert_case``)."""

        def not_called(context):
            raise RuntimeError(f"rule {action_name}: rules are only run through assert_case")

        return not_called

    def assert_case(self, ruleset_name: str, case_json: str) -> list[str]:
        """Assert one case and return the names of the rules it fired, in firing order.

        ``Host.assert_fact`` would run each fired rule's action through durable-rules' Python
        dispatcher, which parses the whole case from JSON and writes the state back after every
        action: about 60 µs per fired rule. Our rules have nothing to do but be counted, and they
        never read the state (``$s`` is rejected by ``check_ruleset_json``), so this walks the
        engine's queue of fired rules directly on its C API, completing each in turn.
        """
        handle = self.get_ruleset(ruleset_name)._handle
        code, state_offset = durable_rules_engine.assert_fact(handle, case_json)
        if code == 1:
            raise MessageNotHandledException(case_json)
        if code != 0:
            raise RuntimeError(f"assert_fact returned code {code}")
        fired = []
        started = durable_rules_engine.start_action_for_state(handle, state_offset)
        queued = started[1] if started else None
        while queued:
            fired.append(_rule_name(queued))
            queued = durable_rules_engine.complete_and_start_action(handle, state_offset)
        return fired

    def retract_case(self, ruleset_name: str, case_json: str) -> None:
        """Remove an asserted case (found by its id) from the ruleset's state."""
        code, _state_offset = durable_rules_engine.retract_fact(self.get_ruleset(ruleset_name)._handle, case_json)
        if code != 0:
            raise RuntimeError(f"retract_fact returned code {code}")


def _tested_by_ruleset(rulesets: Mapping[str, dict], rules: list[NamedCondition]) -> dict[str, tuple[str, ...]]:
    """The answers each compiled ruleset's rules test: only those go into its copy of the case.

    The engine parses the case and copies it into every action it queues; a ruleset never looks at
    answers its rules do not name, so leaving them out changes nothing but the cost (about 15 %).
    """
    tested = {rule.name: {test.q for test in iter_tests(rule.condition)} for rule in rules}
    return {name: tuple(sorted(set().union(*(tested.get(rule, set()) for rule in body)))) for name, body in rulesets.items()}


def _case_json(fact: Mapping[str, object], tested: tuple[str, ...], case_id: str) -> str:
    case = {key: fact[key] for key in tested if key in fact}
    case["kind"], case["sid"], case["id"] = "case", CASE_SID, case_id
    return _to_json(case)


def _rule_name(queued: str) -> str:
    """The rule name in the engine's queued message '{"<name>":{"m":{...}}}' (names are plain)."""
    end = queued.find('"', 2)
    if end < 0 or not queued.startswith('{"'):
        raise RuntimeError(f"unexpected action message from the engine: {queued[:40]!r}")
    return queued[2:end]


def fnv1a_32(text: str) -> int:
    """The hash durable-rules identifies property names and sids by (fnv1Hash32 in state.c)."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def check_property_names(names: Iterable[str]) -> None:
    """Reject two property names with the same FNV-1a-32 hash: the engine would confuse them."""
    seen: dict[int, str] = {}
    for name in (*ENGINE_PROPERTIES, *names):
        other = seen.setdefault(fnv1a_32(name), name)
        if other != name:
            raise RulesError("questions.yaml", f"question {name}", f"id collides with '{other}' in the engine's hash")


def compile_rulesets(rules: Iterable[NamedCondition], prefix: str = "triage") -> dict[str, dict]:
    """Compile rules into as few durable-rules JSON rulesets as the engine's limits allow.

    A rule joins the current ruleset if no fact could then overflow the engine's 64-entry match
    stack (``alpha_stack``) or crowd one node with 512 children; otherwise it starts the next one.
    Fewer rulesets mean fewer asserts per case.
    """
    rulesets: dict[str, dict] = {}
    current, network = _new_ruleset()
    for rule in rules:
        compiled = {"all": [{"m": {"$and": [{"kind": "case"}, to_durable(rule.condition)]}}], "run": rule.name}
        if len(current) >= MAX_RULES_PER_RULESET or not _add_if_safe(network, rule, compiled):
            if len(current) == 1:  # alone with the sentinel and still too big
                raise RulesError(*_rule_location(rule), _too_complex(compiled))
            rulesets[f"{prefix}{len(rulesets)}"] = current
            current, network = _new_ruleset()
            if not _add_if_safe(network, rule, compiled):
                raise RulesError(*_rule_location(rule), _too_complex(compiled))
        current[rule.name] = compiled
    if len(current) > 1:
        rulesets[f"{prefix}{len(rulesets)}"] = current
    for name, ruleset in rulesets.items():
        check_ruleset_json(name, ruleset)
    return rulesets


def _sentinel_rule() -> dict:
    return {"all": [{"m": {"kind": "case"}}], "run": SENTINEL}


def _new_ruleset() -> tuple[dict, Network]:
    """A ruleset holding only the sentinel rule, and its network."""
    ruleset = {SENTINEL: _sentinel_rule()}
    network = Network()
    network.add_rule(ruleset[SENTINEL])
    return ruleset, network


def _add_if_safe(network: Network, rule: NamedCondition, compiled: dict) -> bool:
    try:
        return network.add_if_safe(compiled)
    except UnknownShape as error:
        raise RulesError(*_rule_location(rule), f"the engine adapter cannot check this condition: {error}") from None


def _too_complex(compiled: dict) -> str:
    _, network = _new_ruleset()
    network.add_rule(compiled)
    return (f"condition is too complex for the rules engine: a case could need {network.stack_bound()} "
            f"match-stack entries (at most {STACK_BUDGET}, a margin below the engine's {MAX_STACK_SIZE})")


def _rule_location(rule: NamedCondition) -> tuple[str, str]:
    return ("rules", f"rule {rule.name.split(':', 1)[-1]}")


def check_ruleset_json(name: str, ruleset: Mapping) -> None:
    """Reject rule shapes known to crash or hang durable-rules 2.0.28 (engine notes §1.8), and
    rulesets in which some fact could overflow the match stack."""
    if len(ruleset) > MAX_RULES_PER_RULESET:
        raise RulesError(name, None, f"{len(ruleset)} rules in one ruleset (at most {MAX_RULES_PER_RULESET})")
    for rule_name, rule in ruleset.items():
        where = f"rule {rule_name}"
        patterns = rule.get("all")
        if not isinstance(patterns, list) or len(patterns) != 1 or set(patterns[0]) != {"m"}:
            raise RulesError(name, where, "only single-pattern rules (one 'm') are allowed: correlations crash the engine")
        expression = patterns[0]["m"]
        if expression != {"kind": "case"}:
            parts = expression.get("$and") if isinstance(expression, dict) else None
            if not parts or parts[0] != {"kind": "case"}:
                raise RulesError(name, where, "every rule must start with the 'kind: case' test")
            _check_expression(name, where, parts[1:])
        if not isinstance(rule.get("run"), str):
            raise RulesError(name, where, "every rule needs a named action")
    _check_network(name, ruleset)


def _check_network(name: str, ruleset: Mapping) -> None:
    """No fact may overflow the match stack (error 303) or meet a node with 512 children (hang)."""
    network = Network()
    try:
        for rule in ruleset.values():
            network.add_rule(rule)
    except UnknownShape as error:
        raise RulesError(name, None, f"the engine adapter cannot check this ruleset: {error}") from None
    if network.stack_bound() > MAX_STACK_SIZE:
        raise RulesError(name, None, f"a case could need {network.stack_bound()} match-stack entries (at most {MAX_STACK_SIZE})")
    if network.widest() > MAX_CHILDREN:
        raise RulesError(name, None, f"{network.widest()} conditions under one node (at most {MAX_CHILDREN})")


def _check_expression(name: str, where: str, node) -> None:
    if isinstance(node, list):
        for item in node:
            _check_expression(name, where, item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("$nex", "$ex"):
            raise RulesError(name, where, f"'{key}' is not allowed: it can match the engine's own state and loop")
        if key in ("$s", "first", "second") or (isinstance(value, dict) and _is_pattern_reference(value)):
            raise RulesError(name, where, "references to other patterns or to the state crash the engine")
        _check_expression(name, where, value)


def _is_pattern_reference(value: dict) -> bool:
    return len(value) == 1 and next(iter(value)) in ("m", "first", "second", "$m")


class Engine:
    """Evaluates a set of named conditions on one case at a time with durable-rules."""

    def __init__(self, rules: Iterable[NamedCondition], property_names: Iterable[str]):
        if Host is None:
            raise EngineError(f"the rules engine (durable-rules) cannot be imported: {IMPORT_ERROR}")
        check_property_names(property_names)
        rules = list(rules)
        self._rulesets = compile_rulesets(rules)
        self._tested = _tested_by_ruleset(self._rulesets, rules)
        self._host = _SyncHost()
        self._host.set_rulesets(copy.deepcopy(self._rulesets))  # set_rulesets mutates its argument
        self._lock = threading.Lock()
        self._case_ids = itertools.count(1)
        self._failed: str | None = None

    @property
    def rulesets(self) -> dict[str, dict]:
        """The compiled JSON, for inspection and tests."""
        return copy.deepcopy(self._rulesets)

    def fired(self, fact: Mapping[str, object]) -> list[str]:
        """Names of the rules whose conditions ``fact`` meets (the fact must be validated)."""
        with self._lock:
            if self._failed:
                raise EngineError(f"the rules engine failed earlier and was not used again: {self._failed}")
            case_id = str(next(self._case_ids))
            try:
                names = [
                    name
                    for ruleset, tested in self._tested.items()
                    for name in self._fire(ruleset, _case_json(fact, tested, case_id))
                ]
            except EngineError as error:
                # The shared state may hold a half-handled case: no clean-up, no further cases
                # (touching a half-made state can crash durable-rules, engine notes §1.8).
                self._failed = str(error)
                raise
            return list(dict.fromkeys(names))  # a rule whose 'any' matches twice is queued twice

    def _fire(self, ruleset: str, case: str) -> list[str]:
        try:
            fired = self._host.assert_case(ruleset, case)
        except Exception as error:  # durable_rules_engine.error, MemoryError, not handled, ...
            raise EngineError(f"the rules engine failed in {ruleset}: {type(error).__name__}: {error}") from error
        if SENTINEL not in fired:  # every case matches the sentinel: without it, the case was skipped
            raise EngineError(f"the engine skipped the case in {ruleset}")
        self._retract(ruleset, case)
        return [name for name in fired if name != SENTINEL]

    def _retract(self, ruleset: str, case: str) -> None:
        try:
            self._host.retract_case(ruleset, case)
        except Exception as error:
            raise EngineError(f"the rules engine could not clear a case from {ruleset}: {error}") from error
