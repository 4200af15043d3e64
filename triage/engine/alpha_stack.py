"""How deep durable-rules' match stack can get for a ruleset, worked out before the ruleset is used.

durable-rules 2.0.28 matches a fact by walking its network of conditions ("alpha nodes") depth
first with a fixed stack of 64 entries (``MAX_STACK_SIZE`` in ``handleAlpha``, events.c). If a
fact would push a 65th entry, the whole assert fails with error 303. So before a ruleset is handed
to the engine, we rebuild the network the way durable-rules does (``createAlpha``, ``findAlpha``
and ``linkAlpha`` in rete.c, read at 72070f4 = PyPI 2.0.28) and bound the stack for *any* fact:

- a node shares an existing child with the same property, operator and value; ``$iany`` nodes and
  the "forward" node each ``$or`` ends in are never shared;
- when a node is popped, every child it matches is pushed: children on the "next list" (the
  ``$or`` forward nodes) always, other children when their test holds;
- children testing one property for equality with different strings exclude each other (a fact
  has one value per property, and durable compares strings exactly); everything else is assumed
  to match at once.

Then ``bound(node) = max(1, c, c - 1 + max(bound(child)))`` over the ``c`` children that can be
pushed together: the first child popped works on top of its ``c - 1`` siblings. The bound is exact
for the shapes the tests build (64 passes, 65 fails with error 303) and an upper bound otherwise.

Only the expressions ``conditions.to_durable`` produces are modelled; anything else is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_STACK_SIZE = 64  # events.c
STACK_BUDGET = MAX_STACK_SIZE - 8  # what rulesets are packed to: spare entries in case the model is short
MAX_CHILDREN = 500  # 512 children of one node hang the engine (NEXT_BUCKET_LENGTH, engine notes §1.4)
COMPARISONS = ("$eq", "$neq", "$gt", "$gte", "$lt", "$lte")


class UnknownShape(ValueError):
    """An expression this model does not know how durable-rules would build."""


@dataclass(eq=False)
class _Node:
    prop: str | None = None
    op: str = ""
    value: object = None
    tests: list[_Node] = field(default_factory=list)  # pushed when their test holds
    forwards: list[_Node] = field(default_factory=list)  # '$or' ends: always pushed
    parents: list[_Node] = field(default_factory=list)  # one entry per link (a forward node has several)
    bound: int | None = None  # cached; None again whenever a descendant changes

    def width(self) -> int:
        return len(self.tests) + len(self.forwards)


# What adding a rule changed, to undo it: (parent, the parent's list that grew)
Log = list[tuple[_Node, list[_Node]]]


@dataclass
class Network:
    """durable-rules' alpha network for one ruleset, as far as the stack bound needs it.

    Each node caches its bound; adding or removing a link clears the caches of the node's
    ancestors only, so packing rules one by one costs little at start-up.
    """

    root: _Node = field(default_factory=_Node)
    _widest: int = 0

    def add_rule(self, rule: Mapping) -> None:
        """Add one rule of the compiled JSON (``{"all": [{"m": expression}], "run": ...}``)."""
        self._widest = max(self._widest, _widest_grown(self._link(rule)))

    def add_if_safe(self, rule: Mapping) -> bool:
        """Add ``rule`` if the network then stays within the budget; else leave it as it was."""
        log = self._link(rule)
        widest = _widest_grown(log)
        if widest <= MAX_CHILDREN and self.stack_bound() <= STACK_BUDGET:
            self._widest = max(self._widest, widest)
            return True
        for parent, children in reversed(log):
            children.pop().parents.remove(parent)
            _invalidate(parent)
        return False

    def _link(self, rule: Mapping) -> Log:
        log: Log = []
        _add(_expression(rule), self.root, log)
        return log

    def stack_bound(self) -> int:
        """The most stack entries any fact can need (the engine allows ``MAX_STACK_SIZE``)."""
        return _bound(self.root)

    def widest(self) -> int:
        """The most children under one node (the engine hangs at 512)."""
        return self._widest


def stack_bound(rules: Iterable[Mapping]) -> int:
    network = Network()
    for rule in rules:
        network.add_rule(rule)
    return network.stack_bound()


def _widest_grown(log: Log) -> int:
    """The most children of any node that adding a rule gave a child to."""
    return max((parent.width() for parent, _ in log), default=0)


def _expression(rule: Mapping):
    patterns = rule.get("all")
    if not isinstance(patterns, list) or len(patterns) != 1 or set(patterns[0]) != {"m"}:
        raise UnknownShape("only single-pattern rules are modelled")
    return patterns[0]["m"]


def _add(expression, parent: _Node, log: Log) -> _Node:
    """Build ``expression`` under ``parent`` as ``createAlpha`` does; returns the node it ends in."""
    if not isinstance(expression, dict) or len(expression) != 1:
        raise UnknownShape(f"not a one-key expression: {expression!r:.80}")
    ((key, value),) = expression.items()
    if key == "$and":
        node = parent
        for item in _items(key, value):
            node = _add(item, node, log)
        return node
    if key == "$or":
        forward = _Node(prop="$forward", op="$nex")
        for item in _items(key, value):
            end = _add(item, parent, log)
            _link(end, end.forwards, forward, log)
        return forward
    if key == "$iany":
        prop, _inner = _single(key, value)  # the inner test runs inside the array match, off the stack
        return _link(parent, parent.tests, _Node(prop=prop, op=key), log)
    if key in COMPARISONS:
        prop, operand = _single(key, value)
        return _find(parent, prop, key, operand, log)
    if key.startswith("$"):
        raise UnknownShape(f"operator {key} is not modelled")
    return _find(parent, key, "$eq", value, log)


def _items(key: str, value) -> list:
    if not isinstance(value, list) or not value:
        raise UnknownShape(f"{key} needs a non-empty list")
    return value


def _single(key: str, value) -> tuple[str, object]:
    if not isinstance(value, dict) or len(value) != 1:
        raise UnknownShape(f"{key} needs one property")
    return next(iter(value.items()))


def _find(parent: _Node, prop: str, op: str, operand, log: Log) -> _Node:
    """The existing child with this test (``findAlpha``), or a new one (``linkAlpha``)."""
    if isinstance(operand, bool) or not isinstance(operand, (str, int)):
        raise UnknownShape(f"only string and integer operands are modelled, not {operand!r:.40}")
    for child in parent.tests:
        if child.prop == prop and child.op == op and type(child.value) is type(operand) and child.value == operand:
            return child
    return _link(parent, parent.tests, _Node(prop=prop, op=op, value=operand), log)


def _link(parent: _Node, children: list[_Node], child: _Node, log: Log) -> _Node:
    children.append(child)
    child.parents.append(parent)
    log.append((parent, children))
    _invalidate(parent)
    return child


def _invalidate(node: _Node) -> None:
    """Clear the cached bound of ``node`` and its ancestors (a cleared node's ancestors are clear)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.bound is not None:
            current.bound = None
            stack.extend(current.parents)


def _bound(node: _Node) -> int:
    if node.bound is None:
        pushed = _pushed_together(node)
        deepest = max((_bound(child) for child in pushed), default=0)
        node.bound = max(1, len(pushed), len(pushed) - 1 + deepest)
    return node.bound


def _pushed_together(node: _Node) -> list[_Node]:
    """The largest set of children one fact can push, keeping the deepest of exclusive ones."""
    exclusive: dict[str, _Node] = {}
    others = list(node.forwards)
    for child in node.tests:
        if child.op == "$eq" and isinstance(child.value, str):
            kept = exclusive.get(child.prop)
            if kept is None or _bound(child) > _bound(kept):
                exclusive[child.prop] = child
        else:
            others.append(child)
    return others + list(exclusive.values())
