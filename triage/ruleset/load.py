"""Load ``rules/``: parse each YAML file, validate it, and cross-check it against the questions.

Every error is a ``RulesError`` naming the file and the rule or question id, with a "did you mean"
hint for unknown ids and codes.

``rules/parsed.json`` (made by ``triage rules compile``) holds each rule file already parsed, with
the SHA-256 of the YAML it came from. A file whose bytes still match is taken from there instead
of being parsed again: reading YAML was the largest part of start-up. It is only a faster way to
read the same data: everything is validated and cross-checked exactly as from YAML, and a file
that changed since (or a missing or damaged parsed.json) is simply read from its YAML.

The copy is used only from the rules folder that comes with the program (as protected as its code).
Anywhere else (``--rules DIR``, ``TRIAGE_RULES_DIR``) the YAML is always read, so the SHA-256 shown
with every result is the hash of what was actually loaded: editing only parsed.json there changes
nothing. ``triage rules check`` reports a parsed.json that does not match its YAML.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..errors import RulesError
from .conditions import Condition, Test, iter_tests
from .files import read_rule_file, rules_digest, rules_dir
from .model import (
    NO,
    NOT_SURE,
    Exercise,
    ExercisesFile,
    Factor,
    Finding,
    FindingsFile,
    PreventionFile,
    Question,
    QuestionGroup,
    QuestionsFile,
    QuestionType,
    ScaleFile,
    SelfCare,
    SelfCareFile,
    Tip,
)

RULE_FILES: dict[str, type[BaseModel]] = {  # the files of rulefiles.RULE_FILE_NAMES, in that order
    "scale.yaml": ScaleFile,
    "questions.yaml": QuestionsFile,
    "red_flags.yaml": FindingsFile,
    "thresholds.yaml": FindingsFile,
    "self_care.yaml": SelfCareFile,
    "exercises.yaml": ExercisesFile,
    "prevention.yaml": PreventionFile,
}
PARSED_COPY = "parsed.json"
PARSED_FORMAT = 1
REGENERATE_PARSED = "python -m triage rules compile"
RESERVED_IDS = frozenset({"kind", "sid", "id"})  # property names the engine uses itself
NUMERIC_OPS = {"gte", "gt", "lte", "lt"}
POPULATION_SECTION = "about_you"  # the questions about the person (age, sex) a population limit may use


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per load
class Ruleset:
    """All clinical content, validated and cross-checked."""

    directory: Path
    scale: ScaleFile
    questions: tuple[Question, ...]
    sections: dict[str, str]
    findings: tuple[Finding, ...]
    self_care: tuple[SelfCare, ...]
    exercises_file: ExercisesFile
    factors: tuple[Factor, ...]
    tips: tuple[Tip, ...]
    digest: str
    finding_files: dict[str, str] = field(default_factory=dict)  # finding id -> file name
    groups: tuple[QuestionGroup, ...] = ()  # red-flag questions screened on one screen
    sections_clinical: dict[str, str] = field(default_factory=dict)  # headings for a clinician, where they differ

    def section_title(self, section: str, clinical: bool = False) -> str:
        """The heading of ``section``: the person's, or a clinician's (nurse mode, summaries)."""
        return (clinical and self.sections_clinical.get(section)) or self.sections.get(section, section)

    @cached_property
    def group_by_id(self) -> dict[str, QuestionGroup]:
        return {g.id: g for g in self.groups}

    @cached_property
    def group_of(self) -> dict[str, QuestionGroup]:
        """Question id -> the group it is screened in (questions in no group are absent)."""
        return {member: g for g in self.groups for member in g.members}

    @property
    def version(self) -> str:
        return self.scale.version

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def required_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.required)

    @cached_property
    def finding_by_id(self) -> dict[str, Finding]:
        return {f.id: f for f in self.findings}

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return self.exercises_file.exercises


def load_ruleset(directory: Path | None = None) -> Ruleset:
    """Load and check every rule file in ``directory``; raises the first problem (``RulesError``)."""
    ruleset, problems = inspect_rules(directory)
    if problems:
        raise problems[0]
    return ruleset


def inspect_rules(directory: Path | None = None) -> tuple[Ruleset | None, list[RulesError]]:
    """The ruleset in ``directory`` (None unless it is clean) and every problem found in it.

    Each file is read and validated on its own, and every validation error is reported; the checks
    across files run once every file is valid (they need the whole ruleset).
    """
    directory = rules_dir(directory)
    already_parsed = _parsed_copy(directory) if ships_with_program(directory) else {}
    raw, parsed, problems = {}, {}, []
    for name, model in RULE_FILES.items():
        try:
            raw[name] = read_rule_file(directory, name)
            document = _document(name, raw[name], already_parsed)
        except RulesError as problem:
            problems.append(problem)
            continue
        try:
            parsed[name] = model.model_validate(document)
        except ValidationError as error:
            problems += [_rules_error(name, document, detail) for detail in error.errors()]
    if problems:
        return None, problems
    try:
        ruleset = _assemble(directory, parsed, rules_digest(raw))
    except RulesError as problem:
        return None, [problem]
    problems = list(ruleset_problems(ruleset))
    return (None if problems else ruleset), problems


_UNPARSED = object()


def _document(name: str, data: bytes, already_parsed: dict):
    """The parsed content of one rule file: from parsed.json while its hash matches, else its YAML."""
    document = already_parsed.get((name, hashlib.sha256(data).hexdigest()), _UNPARSED)
    return _parse_yaml(name, data) if document is _UNPARSED else document


def _parse_yaml(name: str, data: bytes):
    import yaml  # only when a rule file is not in parsed.json: importing PyYAML alone is slow

    from .yamlio import describe_yaml_error, load_yaml

    try:
        return load_yaml(data.decode("utf-8"), rule_file=True)
    except UnicodeDecodeError:
        raise RulesError(name, None, "not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise RulesError(name, None, f"invalid YAML: {describe_yaml_error(error)}") from None


def ships_with_program(directory: Path) -> bool:
    """Whether ``directory`` is the program's own rules folder (in the package, or in its source checkout)."""
    package = Path(__file__).resolve().parents[1]
    try:
        return Path(directory).resolve() in (package / "rules", package.parent / "rules")
    except OSError:
        return False


def parsed_copy_problems(directory: Path) -> list[RulesError]:
    """A parsed.json entry whose YAML hash matches but whose content differs from that YAML.

    Slow (every file is parsed again): for ``triage rules check``, never at start-up.
    """
    problems = []
    for (name, sha256), document in _parsed_copy(directory).items():
        try:
            data = read_rule_file(directory, name)
        except RulesError:
            continue
        if hashlib.sha256(data).hexdigest() != sha256:
            continue  # stale: not used for this file
        try:
            fresh = json.loads(json.dumps(_parse_yaml(name, data), ensure_ascii=False))
        except (RulesError, TypeError, ValueError):
            continue  # reported by the usual checks
        if fresh != document:
            problems.append(RulesError(str(directory / PARSED_COPY), name,
                                       f"does not match the rule file it was compiled from: run `{REGENERATE_PARSED}`"))
    return problems


def _parsed_copy(directory: Path) -> dict[tuple[str, str], object]:
    """(file name, SHA-256 of its YAML) -> its parsed document, from parsed.json if it is usable."""
    try:
        content = json.loads((directory / PARSED_COPY).read_bytes())
        if content.get("format") != PARSED_FORMAT:
            return {}
        return {(name, entry["sha256"]): entry["document"] for name, entry in content["files"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # missing or damaged: read the YAML
        return {}


def parsed_copy_text(directory: Path) -> str:
    """The content of parsed.json for the rule files in ``directory``, parsed from their YAML.

    A file is included only if its JSON copy validates to exactly the same rules as its YAML (JSON
    has no dates, and its keys are text: ``{0: ...}`` comes back as ``{"0": ...}`` and must still
    validate to the same); any other file would be read from its YAML each time.
    """
    files = {}
    for name, model in RULE_FILES.items():
        data = read_rule_file(directory, name)
        document = _parse_yaml(name, data)
        try:
            copy = json.loads(json.dumps(document, ensure_ascii=False))
        except (TypeError, ValueError):
            continue
        if _validate(name, model, copy) == _validate(name, model, document):
            files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "document": copy}
    note = f"Generated from the rule files by `{REGENERATE_PARSED}`; used only while each file's sha256 matches."
    return json.dumps({"format": PARSED_FORMAT, "note": note, "files": files}, ensure_ascii=False, indent=1) + "\n"


def _validate(name: str, model: type[BaseModel], document) -> BaseModel:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise _rules_error(name, document, error.errors()[0]) from None


def _rules_error(name: str, document, detail) -> RulesError:
    loc = list(detail["loc"])
    where = _rule_id_at(document, loc)
    path = ".".join(str(part) for part in loc if part != "test")
    return RulesError(name, where, f"{path}: {detail['msg']}" if path else detail["msg"])


def _rule_id_at(document, loc: list) -> str | None:
    """The id of the list item an error location points into (e.g. findings.3 -> its id)."""
    node = document
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                return f"rule {node['id']}"
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        break
    return None


def _assemble(directory: Path, parsed: dict, digest: str) -> Ruleset:
    findings, owners = [], {}
    for name in ("red_flags.yaml", "thresholds.yaml"):
        for finding in parsed[name].findings:
            if finding.id in owners:
                raise RulesError(name, f"rule {finding.id}", f"duplicate finding id (also in {owners[finding.id]})")
            findings.append(finding)
            owners[finding.id] = name
    questions_file: QuestionsFile = parsed["questions.yaml"]
    return Ruleset(
        directory=directory,
        scale=parsed["scale.yaml"],
        questions=questions_file.questions,
        sections=dict(questions_file.sections),
        sections_clinical=dict(questions_file.sections_clinical),
        findings=tuple(findings),
        self_care=parsed["self_care.yaml"].self_care,
        exercises_file=parsed["exercises.yaml"],
        factors=parsed["prevention.yaml"].factors,
        tips=parsed["prevention.yaml"].tips,
        digest=digest,
        finding_files=owners,
        groups=questions_file.groups,
    )


# --- cross-checks ------------------------------------------------------------------------------


def ruleset_problems(ruleset: Ruleset) -> Iterator[RulesError]:
    """Every problem that needs more than one file at a time to see."""
    yield from _question_problems(ruleset)
    order = {q.id: i for i, q in enumerate(ruleset.questions)}
    for file, where, condition, position in _all_conditions(ruleset):
        yield from _condition_problems(ruleset, order, file, where, condition, position)
    yield from _duplicate_id_problems(ruleset)
    yield from _red_flag_safety_problems(ruleset)
    yield from _hidden_red_flag_problems(ruleset)
    yield from _group_problems(ruleset)
    yield from _rationale_problems(ruleset)


def _question_problems(ruleset: Ruleset) -> Iterator[RulesError]:
    for section in ruleset.sections_clinical:
        if section not in ruleset.sections:
            yield RulesError("questions.yaml", f"sections_clinical.{section}",
                             f"unknown section '{section}'{_did_you_mean(section, ruleset.sections)}")
    seen: set[str] = set()
    for question in ruleset.questions:
        where = f"question {question.id}"
        if question.id in seen:
            yield RulesError("questions.yaml", where, "duplicate question id")
        if question.id in RESERVED_IDS:
            yield RulesError("questions.yaml", where, f"'{question.id}' is reserved for the engine")
        if question.section not in ruleset.sections:
            hint = _did_you_mean(question.section, ruleset.sections)
            yield RulesError("questions.yaml", where, f"unknown section '{question.section}'{hint}")
        seen.add(question.id)


def _all_conditions(ruleset: Ruleset):
    """(file, where, condition, index of the asking question or None) for every condition."""
    for index, question in enumerate(ruleset.questions):
        if question.ask_when is not None:
            yield "questions.yaml", f"question {question.id}", question.ask_when, index
    for finding in ruleset.findings:
        yield ruleset.finding_files[finding.id], f"rule {finding.id}", finding.when, None
    for item in ruleset.self_care:
        yield "self_care.yaml", f"rule {item.id}", item.when, None
    for exercise in ruleset.exercises:
        yield "exercises.yaml", f"rule {exercise.id}", exercise.when, None
    for factor in ruleset.factors:
        yield "prevention.yaml", f"rule {factor.id}", factor.when, None
    for tip in ruleset.tips:
        yield "prevention.yaml", f"rule {tip.id}", tip.when, None
    yield "scale.yaml", "exercise_gate", ruleset.scale.exercise_gate.never_when, None


def _condition_problems(
    ruleset: Ruleset, order: dict[str, int], file: str, where: str, condition: Condition | None, position
) -> Iterator[RulesError]:
    for test in iter_tests(condition):
        question = ruleset.question_by_id.get(test.q)
        if question is None:
            hint = _did_you_mean(test.q, ruleset.question_by_id)
            yield RulesError(file, where, f"unknown question id '{test.q}'{hint}")
            continue
        if position is not None and order[test.q] >= position:
            yield RulesError(file, where, f"ask_when may only use questions asked earlier, not '{test.q}'")
        problem = _test_problem(question, test)
        if problem:
            yield RulesError(file, where, problem)


def _test_problem(question: Question, test: Test) -> str | None:
    op, kind = test.operator.rstrip("_"), question.type
    if kind is QuestionType.text:
        return f"'{question.id}' is a free-text question and cannot be tested"
    if op in NUMERIC_OPS or (op in ("is", "in") and question.bounds):
        return _numeric_problem(question, test, op)
    if op == "has" and kind is not QuestionType.multi:
        return f"'has' needs a multiple-choice question; '{question.id}' is {kind.value}"
    if op in ("is", "in") and kind is QuestionType.multi:
        return f"'{question.id}' is multiple choice: use 'has', not '{op}'"
    values = (test.has,) if op == "has" else (test.is_,) if op == "is" else test.in_
    for value in values or ():
        if value not in question.codes:
            hint = _did_you_mean(str(value), question.codes)
            return f"'{value}' is not a code of '{question.id}'{hint}"
    return None


def _numeric_problem(question: Question, test: Test, op: str) -> str | None:
    if not question.bounds:
        return f"'{op}' needs a number or pain question; '{question.id}' is {question.type.value}"
    low, high = question.bounds
    values = test.in_ if op == "in" else (test.operand,)
    for value in values or ():
        if not isinstance(value, int) or isinstance(value, bool):
            return f"'{question.id}' takes whole numbers, not {value!r}"
        if not low - 1 <= value <= high + 1:
            return f"{value} is outside the range of '{question.id}' ({low}-{high})"
    return None


def _did_you_mean(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _duplicate_id_problems(ruleset: Ruleset) -> Iterator[RulesError]:
    groups = {
        "self-care": [("self_care.yaml", s.id) for s in ruleset.self_care],
        "exercise": [("exercises.yaml", e.id) for e in ruleset.exercises],
        "factor/tip": [("prevention.yaml", x.id) for x in (*ruleset.factors, *ruleset.tips)],
    }
    for kind, items in groups.items():
        seen: set[str] = set()
        for file, item_id in items:
            if item_id in seen:
                yield RulesError(file, f"rule {item_id}", f"duplicate {kind} id")
            seen.add(item_id)


def _red_flag_safety_problems(ruleset: Ruleset) -> Iterator[RulesError]:
    """'Not sure' is never read as 'no', and a 'no' can never raise the level.

    Every red-flag question must be tested for 'not_sure' by some finding, and no finding may fire
    on a red-flag question answered 'no' (so more red flags can never lower the disposition).
    """
    unsure_covered: set[str] = set()
    for finding in ruleset.findings:
        for test in iter_tests(finding.when):
            question = ruleset.question_by_id.get(test.q)
            if question is None:  # reported by the condition checks
                continue
            values = test.in_ if test.in_ else (test.is_,)
            if question.red_flag and NO in values:
                yield RulesError(
                    ruleset.finding_files[finding.id],
                    f"rule {finding.id}",
                    f"fires on '{test.q}' answered 'no': a red-flag 'no' must never raise the level",
                )
            if NOT_SURE in values:
                unsure_covered.add(test.q)
    for question in ruleset.questions:
        if question.red_flag and question.type is QuestionType.yes_no_unsure and question.id not in unsure_covered:
            yield RulesError(
                "questions.yaml",
                f"question {question.id}",
                "red-flag question has no finding for 'not_sure' ('not sure' must never be read as 'no')",
            )


def _hidden_red_flag_problems(ruleset: Ruleset) -> Iterator[RulesError]:
    """A red-flag question is asked of everyone its source applies to.

    An ``ask_when`` on a red-flag question must say why (``ask_when_reason``): it either refines
    the same symptom (it may then only test those questions for a positive answer) or applies a
    population limit that its source states (it may then only test the questions about the person).
    """
    for question in ruleset.questions:
        where = f"question {question.id}"
        reason = question.ask_when_reason
        if reason is not None and question.ask_when is None:
            yield RulesError("questions.yaml", where, "ask_when_reason given but the question has no ask_when")
            continue
        if not question.red_flag or question.ask_when is None:
            continue
        if reason is None:
            yield RulesError(
                "questions.yaml",
                where,
                "red-flag question hidden behind ask_when without an ask_when_reason "
                "(a red flag is asked of everyone its source applies to: say what it refines, or the population its source states)",
            )
            continue
        for test in iter_tests(question.ask_when):
            problem = _refines_problem(ruleset, reason.refines, test) if reason.refines else _population_problem(ruleset, test)
            if problem:
                yield RulesError("questions.yaml", where, problem)
                break


def _refines_problem(ruleset: Ruleset, refines: tuple[str, ...], test: Test) -> str | None:
    if test.q not in refines:
        return f"ask_when tests '{test.q}', which is not a question it refines ({', '.join(refines)})"
    values = (test.has,) if test.has is not None else test.in_ if test.in_ else (test.is_,)
    if test.operator in NUMERIC_OPS or any(v in (NO, "none") for v in values):
        return f"ask_when on '{test.q}' must test for a positive answer (yes, not sure or a ticked item) to refine it"
    return None


def _population_problem(ruleset: Ruleset, test: Test) -> str | None:
    question = ruleset.question_by_id.get(test.q)
    if question is None or question.section != POPULATION_SECTION:
        return f"a population limit may only test the questions about the person (section {POPULATION_SECTION}), not '{test.q}'"
    return None


def _can_be_grouped(question, warning_signs: set[str]) -> bool:
    """A yes/no/not sure red-flag question, or a single choice with "no" and "not sure" answers that
    a finding reads (a headache: "no" / "mild" / "severe" / "not sure"; ticked, it is asked on its own)."""
    if question.type is QuestionType.yes_no_unsure:
        return question.red_flag
    return question.type is QuestionType.single and {NO, NOT_SURE} <= set(question.codes) and question.id in warning_signs


def _group_problems(ruleset: Ruleset) -> Iterator[RulesError]:
    """A group may only hold questions whose "no" means the same as "No, none of these".

    Members are warning-sign questions of the group's own section (``_can_be_grouped``), each in one
    group only, and none is a follow-up of another member (its ``ask_when`` reads no member): a
    follow-up would be answered "no" before the answer it depends on is known. Questions that need
    a number or a list of choices are never grouped.
    """
    seen: dict[str, str] = {}
    ids = set(ruleset.question_by_id)
    warning_signs = {test.q for finding in ruleset.findings for test in iter_tests(finding.when)}
    for group in ruleset.groups:
        where = f"group {group.id}"
        if group.id in ids or group.id in RESERVED_IDS:
            yield RulesError("questions.yaml", where, "a group id must differ from every question id")
        ids.add(group.id)
        if group.section not in ruleset.sections:
            yield RulesError("questions.yaml", where, f"unknown section '{group.section}'{_did_you_mean(group.section, ruleset.sections)}")
        for member in group.members:
            question = ruleset.question_by_id.get(member)
            if question is None:
                yield RulesError("questions.yaml", where, f"unknown member question '{member}'{_did_you_mean(member, ruleset.question_by_id)}")
                continue
            if not _can_be_grouped(question, warning_signs):
                yield RulesError("questions.yaml", where, f"member {member} is not a warning-sign question answered yes/no/not sure "
                                                          "(or a single choice with 'no' and 'not_sure' answers that a finding reads)")
            if question.section != group.section:
                yield RulesError("questions.yaml", where, f"member {member} is in section {question.section}, not {group.section}")
            if member in seen:
                yield RulesError("questions.yaml", where, f"member {member} is already in group {seen[member]}")
            seen[member] = group.id
            reads = {test.q for test in iter_tests(question.ask_when)}
            reads |= set(question.ask_when_reason.refines or ()) if question.ask_when_reason else set()
            inside = sorted(reads & set(group.members))
            if inside:
                yield RulesError("questions.yaml", where, f"member {member} is a follow-up of member {', '.join(inside)}: list it outside the group")


# A rationale (and a finding's caution) is what a clinician reads in every summary: no program ids, no references to the fact file
# (those go in ``review_note``, shown only in docs/rules.md).
_FACT_FILE_REFERENCE = re.compile(r"facts\.md|\(facts\b|\bfacts §|\[(?:F|F2|I)\]", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9_]+")


def _declared_ids(ruleset: Ruleset) -> set[str]:
    """Every id and code the rules declare that a reader could not mistake for a word (it has an underscore)."""
    ids = {*ruleset.sections, *(level.value for level in ruleset.scale.levels)}
    for question in ruleset.questions:
        ids.add(question.id)
        ids.update(c.code for c in question.choices or ())
    ids.update(item.id for item in (*ruleset.findings, *ruleset.self_care, *ruleset.exercises, *ruleset.factors, *ruleset.tips))
    return {i for i in ids if "_" in i} | {NOT_SURE}


def _rationale_problems(ruleset: Ruleset) -> Iterator[RulesError]:
    ids = _declared_ids(ruleset)
    for finding in ruleset.findings:
        where = f"rule {finding.id}"
        file = ruleset.finding_files[finding.id]
        for field_name in ("rationale", "caution"):
            text = getattr(finding, field_name) or ""
            named = [word for word in _WORD.findall(text) if word in ids]
            if named:
                yield RulesError(file, where, f"{field_name} names the program id '{named[0]}': say it in words "
                                              "(rule mechanics go in review_note)")
            if _FACT_FILE_REFERENCE.search(text):
                yield RulesError(file, where, f"{field_name} cites the fact file: put facts.md references in review_note "
                                              "(the sources are listed by name)")
