"""The package layout is the pipeline: each stage imports only from the stages below it.

Every import is counted, also those inside functions (the lazy ones that keep start-up light), so a
stage cannot reach up even where the import would only run late.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "triage"

# Lowest first. A module may import its own stage and any stage listed before it, except where
# ``FORBIDDEN`` says otherwise.
STAGES = ("shared", "ruleset", "engine", "assessment", "report", "record", "interactive", "command")
SHARED = {"triage", "triage.errors", "triage.fileio", "triage.text_safety"}
COMMAND = {"triage.cli", "triage.app", "triage.__main__"}
FORBIDDEN = {("report", "engine"), ("record", "engine")}  # made from an assessment, never from the engine


def stage_of(module: str) -> str:
    if module in SHARED:
        return "shared"
    if module in COMMAND:
        return "command"
    parts = module.split(".")
    assert parts[0] == "triage" and len(parts) > 1, module
    assert parts[1] in STAGES, f"{module} is in no stage: add its package to STAGES"
    return parts[1]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(name: str, is_package: bool, source: str) -> set[str]:
    """Every ``triage`` module that module ``name`` imports, absolute or relative, anywhere in it."""
    package = name if is_package else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
    return {module for module in found if module == "triage" or module.startswith("triage.")}


def wrong_way_imports(name: str, is_package: bool, source: str) -> list[str]:
    """Each import of ``name`` that reaches a stage above its own, or one it may not use."""
    stage = stage_of(name)
    problems = []
    for target in sorted(imported_modules(name, is_package, source)):
        other = stage_of(target)
        if STAGES.index(other) > STAGES.index(stage) or (stage, other) in FORBIDDEN:
            problems.append(f"{name} ({stage}) imports {target} ({other})")
    return problems


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_imports_only_from_stages_below(path):
    source = path.read_text(encoding="utf-8")
    assert wrong_way_imports(module_name(path), path.name == "__init__.py", source) == []


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("triage.ruleset.load", "def late():\n    from ..report.summary import Summary\n"),
        ("triage.engine.adapter", "from triage.assessment import assess\n"),
        ("triage.report.summary", "from ..engine.adapter import Engine\n"),
        ("triage.errors", "from .ruleset import load\n"),
    ],
)
def test_a_wrong_way_import_is_caught(name, source):
    assert wrong_way_imports(name, False, source)


def test_only_the_engine_imports_durable_rules():
    importers = set()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            if any(n == "durable" or n.startswith("durable.") for n in names):
                importers.add(module_name(path))
    assert importers == {"triage.engine.adapter"}


def test_every_stage_says_what_goes_in_and_out():
    for stage in STAGES:
        if stage in ("shared", "command"):
            continue
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and " in" in doc.splitlines()[0], f"{init}: its first line says what goes in and what comes out"


def test_the_readme_map_names_every_module():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in readme.splitlines() if line.startswith("| `triage/")}
    for stage in STAGES:
        if stage in ("shared", "command"):
            continue
        row = rows.get(f"`triage/{stage}/`")
        assert row, f"README's map has no row for triage/{stage}/"
        if stage == "interactive":
            continue  # described as a whole
        for module in sorted((PACKAGE / stage).glob("*.py")):
            if module.name != "__init__.py":
                assert f"`{module.stem}`" in row, f"README's map does not name triage/{stage}/{module.name}"
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    named = " ".join(row for key, row in rows.items() if not key.endswith("/`"))
    for name in sorted(top):
        assert f"{name}.py`" in named, f"README's map does not name triage/{name}.py"
