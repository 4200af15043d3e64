"""Reading YAML the way people write it: 'yes' and 'no' stay strings, numbers and dates are read only
in their plain forms, duplicate keys are errors."""

from __future__ import annotations

import re
from collections.abc import Hashable

import yaml

_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_PLAIN_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")  # "056" stays text: never octal
_PLAIN_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_PLAIN_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_REPLACED = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with YAML 1.2 booleans, plain numbers and dates, and duplicate keys rejected.

    YAML 1.1 reads an unquoted ``yes`` or ``no`` as a boolean, which would turn the answer code
    ``yes`` into ``True``. Only true/false are booleans here. YAML 1.1 also reads ``056`` as octal
    46, ``0x1C`` and ``2_8`` as 28 and ``1:20`` as 80: an age or a number of days must mean what it
    says, so only plain decimal numbers are numbers (``056`` and the rest stay text, which the
    answers check refuses), and only ``YYYY-MM-DD`` is a date (no times, no one-digit months).
    """


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _REPLACED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
SafeLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _YAML12_BOOL, list("tTfF"))
SafeLoader.add_implicit_resolver("tag:yaml.org,2002:int", _PLAIN_INT, list("-+0123456789"))
SafeLoader.add_implicit_resolver("tag:yaml.org,2002:float", _PLAIN_FLOAT, list("-+0123456789."))
SafeLoader.add_implicit_resolver("tag:yaml.org,2002:timestamp", _PLAIN_DATE, list("0123456789"))


def _plain_int(loader: SafeLoader, node: yaml.ScalarNode):
    """A decimal integer (also for an explicit ``!!int``: never octal, hex or base 60)."""
    text = loader.construct_scalar(node)
    if not _PLAIN_INT.match(text):
        raise yaml.constructor.ConstructorError(None, None, f"not a plain decimal integer: {text!r}", node.start_mark)
    return int(text, 10)


def _plain_float(loader: SafeLoader, node: yaml.ScalarNode):
    text = loader.construct_scalar(node)
    if not _PLAIN_FLOAT.match(text):
        raise yaml.constructor.ConstructorError(None, None, f"not a plain decimal number: {text!r}", node.start_mark)
    return yaml.SafeLoader.construct_yaml_float(loader, node)


def _plain_date(loader: SafeLoader, node: yaml.ScalarNode):
    text = loader.construct_scalar(node)
    if not _PLAIN_DATE.match(text):
        raise yaml.constructor.ConstructorError(None, None, f"not a date written YYYY-MM-DD: {text!r}", node.start_mark)
    return yaml.SafeLoader.construct_yaml_timestamp(loader, node)


SafeLoader.add_constructor("tag:yaml.org,2002:int", _plain_int)
SafeLoader.add_constructor("tag:yaml.org,2002:float", _plain_float)
SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _plain_date)


def _mapping_without_duplicates(loader: SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):  # e.g. "? [a, b]": PyYAML's own check comes later
            raise yaml.constructor.ConstructorError(None, None, "a key cannot be a list or mapping", key_node.start_mark)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {line})", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


SafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def load_yaml(text: str, rule_file: bool = False):
    """Parse YAML text; raises ``yaml.YAMLError`` with a line number on bad input.

    Rule files are read with libyaml when it is there (8x faster: the rules load before the first
    question), but only when they cannot be deeply nested, because libyaml's composer recurses in C
    without a limit and a deep file would crash the process. Any problem is reported by the
    pure-Python loader, so error messages are the same with or without libyaml. Answers files
    always use the pure-Python loader: libyaml reads some odd input differently (a stray BOM, a
    trailing tab), and what a person's answers say must not depend on how the program was built.
    """
    if rule_file and FastSafeLoader is not None and _shallow(text):
        try:
            return yaml.load(text, Loader=FastSafeLoader)  # noqa: S506 - safe loader subclass
        except Exception:  # noqa: BLE001 - re-parsed below for the usual error message
            pass
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader subclass


MAX_FAST_NESTING = 1000  # libyaml's composer crashed between 10,000 and 100,000 levels here; rule files need ~300


def _shallow(text: str) -> bool:
    """Whether the text cannot nest collections deeper than MAX_FAST_NESTING (a cheap upper bound).

    Flow collections nest at most once per '[' or '{'. Nested block collections start further right,
    except a sequence directly under a mapping key, so block depth is at most twice the widest
    line prefix of spaces, '-' and '?' (where block collections start), plus one.
    """
    flow = text.count("[") + text.count("{")
    if flow > MAX_FAST_NESTING:
        return False
    prefix = max((len(line) - len(line.lstrip(" -?")) for line in text.splitlines()), default=0)
    return flow + 2 * (prefix + 1) + 1 <= MAX_FAST_NESTING


FastSafeLoader = None
if getattr(yaml, "CSafeLoader", None) is not None:

    class FastSafeLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """The same rules as ``SafeLoader`` on libyaml's parser."""

    FastSafeLoader.yaml_implicit_resolvers = SafeLoader.yaml_implicit_resolvers
    FastSafeLoader.yaml_constructors = dict(SafeLoader.yaml_constructors)


def describe_yaml_error(error: yaml.YAMLError) -> str:
    """One line for a YAML error: what is wrong and where."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return f"{where}{problem}"
