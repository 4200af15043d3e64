"""Reading YAML the way people write it: 'yes' and 'no' stay strings, duplicate keys are errors."""

from __future__ import annotations

import re

import yaml

_YAML12_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with YAML 1.2 booleans and duplicate keys rejected.

    YAML 1.1 reads an unquoted ``yes`` or ``no`` as a boolean, which would turn the answer code
    ``yes`` into ``True``. Only true/false are booleans here.
    """


SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
SafeLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _YAML12_BOOL, list("tTfF"))


def _mapping_without_duplicates(loader: SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            line = key_node.start_mark.line + 1
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (line {line})", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


SafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def load_yaml(text: str):
    """Parse YAML text; raises ``yaml.YAMLError`` with a line number on bad input."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - SafeLoader subclass


def describe_yaml_error(error: yaml.YAMLError) -> str:
    """One line for a YAML error: what is wrong and where."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return f"{where}{problem}"
