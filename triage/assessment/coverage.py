"""Rule coverage: every finding must fire in a vignette and stay silent in a near-miss vignette.

A vignette (``tests/cases/*.yaml``) is an answers file plus what a clinician expects::

    description: Neck pain after a fall, with numb hands
    answers: {...}
    expect: {disposition: emergency, fires: [trauma_neuro], silent: [trauma_only]}

The claims are not trusted: each vignette is run through the real engine, and a finding counts as
covered only where the engine agrees. A silent vignette counts as a near-miss only if changing a
single answer would make the finding fire (checked with the engine too), so "silent" means "close,
but not quite", not "about something else". A finding that lacks either kind of evidence, or a
vignette whose claims the engine contradicts, makes the report incomplete (exit 1), so CI fails
until a vignette is written or fixed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import AnswersError, UserError
from ..ruleset.conditions import iter_tests
from ..ruleset.load import Ruleset
from ..ruleset.model import LEVEL_ORDER, Finding
from ..ruleset.yamlio import load_yaml
from .answers import parse_answers
from .assess import Assessor

CASE_KEYS = frozenset({"description", "expect"})  # everything else is the answers file
EXPECT_KEYS = frozenset({"disposition", "fires", "silent"})
EXIT_COMPLETE, EXIT_INCOMPLETE = 0, 1


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    document: dict[str, Any]
    disposition: str | None
    fires: tuple[str, ...]
    silent: tuple[str, ...]


@dataclass
class RuleCoverage:
    finding: Finding
    fires_in: list[str] = field(default_factory=list)
    silent_in: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.fires_in and self.silent_in)


@dataclass
class CoverageReport:
    source: str
    version: str
    rules: list[RuleCoverage]
    cases: int
    reached: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    far_silent: int = 0  # silent as claimed, but more than one answer away from firing

    @property
    def complete(self) -> bool:
        return not self.problems and all(rule.covered for rule in self.rules)

    def gaps(self) -> list[str]:
        """One line per finding that lacks a firing vignette or a near-miss."""
        lines = []
        for rule in self.rules:
            missing = [
                what
                for what, names in (("fires in no vignette", rule.fires_in), ("has no near-miss (silent, one answer from firing)", rule.silent_in))
                if not names
            ]
            if missing:
                lines.append(f"{rule.finding.id}: {' and '.join(missing)}")
        return lines


# --- loading vignettes -------------------------------------------------------------------------


def default_cases_dir() -> Path:
    """``tests/cases`` of the source checkout this program runs from."""
    return Path(__file__).resolve().parents[2] / "tests" / "cases"


def load_cases(directory: Path) -> list[Case]:
    """Every ``*.yaml`` vignette in ``directory``, sorted by name; raises ``UserError`` if none."""
    if not directory.is_dir():
        raise UserError(f"{directory}: no vignettes folder here (pass --cases DIR)")
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise UserError(f"{directory}: no vignettes (*.yaml) in this folder")
    return [load_case(path) for path in paths]


def load_case(path: Path) -> Case:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise UserError(f"{path}: cannot read vignette: {str(error).splitlines()[0]}") from None
    expect = data.get("expect") if isinstance(data, dict) else None
    if not isinstance(expect, dict) or not set(expect) <= EXPECT_KEYS:
        raise UserError(f"{path}: a vignette needs 'expect' with only {', '.join(sorted(EXPECT_KEYS))}")
    return Case(
        name=path.name,
        description=str(data.get("description", "")),
        document={k: v for k, v in data.items() if k not in CASE_KEYS},
        disposition=expect.get("disposition"),
        fires=_ids(path, expect, "fires"),
        silent=_ids(path, expect, "silent"),
    )


def _ids(path: Path, expect: dict, key: str) -> tuple[str, ...]:
    ids = expect.get(key) or []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise UserError(f"{path}: expect.{key} must be a list of finding ids")
    return tuple(ids)


# --- measuring ---------------------------------------------------------------------------------


def measure_coverage(ruleset: Ruleset, cases: list[Case], source: str = "", assessor: Assessor | None = None) -> CoverageReport:
    """Run every vignette through the engine and check each claim against what really fired."""
    assessor = assessor or Assessor(ruleset)
    report = CoverageReport(source, ruleset.version, [RuleCoverage(f) for f in ruleset.findings], len(cases))
    by_id = {rule.finding.id: rule for rule in report.rules}
    for case in cases:
        _check_case(ruleset, assessor, case, by_id, report)
    return report


def _check_case(ruleset: Ruleset, assessor: Assessor, case: Case, by_id: dict, report: CoverageReport) -> None:
    try:
        answers_file = parse_answers(ruleset, case.document, source=case.name)
        outcome = assessor.assess(answers_file)
    except AnswersError as error:
        report.problems.append(f"{error} (the vignette cannot be run)")
        return
    fired = set(outcome.finding_ids)
    report.reached[outcome.disposition.value] += 1
    if case.disposition is not None and case.disposition != outcome.disposition.value:
        report.problems.append(f"{case.name}: expects {case.disposition} but the engine gives {outcome.disposition.value}")
    for finding_id in case.fires:
        _check_fires(case, finding_id, fired, by_id, report)
    for finding_id in case.silent:
        _check_silent(assessor, case, finding_id, fired, answers_file.answers, by_id, report)


def _check_fires(case: Case, finding_id: str, fired: set[str], by_id: dict, report: CoverageReport) -> None:
    if finding_id not in by_id:
        report.problems.append(f"{case.name}: fires: '{finding_id}' is not a finding id")
    elif finding_id not in fired:
        report.problems.append(f"{case.name}: lists '{finding_id}' under fires, but the engine did not fire it")
    else:
        by_id[finding_id].fires_in.append(case.name)


def _check_silent(assessor, case: Case, finding_id: str, fired: set[str], answers: dict, by_id: dict, report) -> None:
    if finding_id not in by_id:
        report.problems.append(f"{case.name}: silent: '{finding_id}' is not a finding id")
    elif finding_id in fired:
        report.problems.append(f"{case.name}: lists '{finding_id}' under silent, but the engine fired it")
    elif one_answer_away(assessor, by_id[finding_id].finding, answers):
        by_id[finding_id].silent_in.append(case.name)
    else:
        report.far_silent += 1


def one_answer_away(assessor: Assessor, finding: Finding, answers: dict) -> bool:
    """Whether changing a single answer makes ``finding`` fire: what makes a silent case a near-miss."""
    name = f"finding:{finding.id}"
    return any(name in assessor.fired({**answers, qid: value}) for qid, value in _tipping_answers(finding, answers))


def _tipping_answers(finding: Finding, answers: dict):
    """(question id, answer) pairs that each satisfy one test of the finding's condition."""
    for test in iter_tests(finding.when):
        op, operand = test.operator, test.operand
        if op == "is_":
            yield test.q, operand
        elif op == "in_":
            yield from ((test.q, value) for value in operand)
        elif op == "has":
            current = answers.get(test.q)
            yield test.q, [*(current if isinstance(current, list) else []), operand]
        else:
            yield test.q, {"gte": operand, "gt": operand + 1, "lte": operand, "lt": operand - 1}[op]


# --- reporting ---------------------------------------------------------------------------------


def format_report(report: CoverageReport) -> str:
    lines = [f"Rule coverage: {len(report.rules)} findings, {report.cases} vignettes in {report.source} (rules {report.version})", ""]
    width = max((len(rule.finding.id) for rule in report.rules), default=10)
    lines.append(f"  {'finding':<{width}}  {'level':<11}  fires  near-misses  e.g. fires in / near-miss")
    for rule in sorted(report.rules, key=lambda r: -r.finding.level.rank):
        mark = " " if rule.covered else "!"
        fires, silent = len(rule.fires_in), len(rule.silent_in)
        example = f"{_first(rule.fires_in)} / {_first(rule.silent_in)}"
        lines.append(f"{mark} {rule.finding.id:<{width}}  {rule.finding.level.value:<11}  {fires:>5}  {silent:>11}  {example}")
    reached = ", ".join(f"{level.value} {report.reached.get(level.value, 0)}" for level in reversed(LEVEL_ORDER))
    lines += ["", f"Dispositions the vignettes reach: {reached}"]
    if report.far_silent:
        lines.append(f"{report.far_silent} silent claims hold but are more than one answer from firing: checked, not counted as near-misses")
    lines.append("")
    problems = report.gaps() + report.problems
    if not problems:
        lines.append("Coverage complete: every finding fires in a vignette and stays silent in a near-miss.")
        return "\n".join(lines)
    lines.append(f"COVERAGE INCOMPLETE: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    lines += [f"  - {problem}" for problem in problems]
    return "\n".join(lines)


def _first(names: list[str]) -> str:
    return names[0].removesuffix(".yaml") if names else "-"


def run_coverage(ruleset: Ruleset, cases_dir: Path | None) -> int:
    """``triage rules coverage``: print the report; exit 0 when complete, 1 when not."""
    directory = cases_dir or default_cases_dir()
    report = measure_coverage(ruleset, load_cases(directory), source=str(directory))
    print(format_report(report))
    return EXIT_COMPLETE if report.complete else EXIT_INCOMPLETE
