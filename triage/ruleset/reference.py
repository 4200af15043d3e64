"""The rules reference (``docs/rules.md``): every rule in words a clinician can review.

Generated from ``rules/`` so it can never drift from what the program does: a test fails when the
committed page differs from what ``triage rules docs`` generates. Conditions are written out from
the same condition trees the engine compiles, with each question's own wording.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from ..fileio import atomic_write
from .conditions import AllOf, Condition, Test
from .load import Ruleset
from .model import LEVEL_ORDER, Evidence, Finding, Question, QuestionType, Source

REGENERATE = "python -m triage rules docs -o docs/rules.md"
TAGS = {
    Evidence.found: "read in the source",
    Evidence.secondary: "seen in a copy of the source",
    Evidence.inference: "inference: needs the most care",
}
COMPARISONS = {"gte": "{} or more", "gt": "more than {}", "lte": "{} or less", "lt": "less than {}"}


def reference_markdown(ruleset: Ruleset) -> str:
    """The whole reference page as Markdown."""
    parts = [
        _header(ruleset),
        _scale(ruleset),
        _findings(ruleset),
        _questions(ruleset),
        _advice(ruleset),
        _safety(ruleset),
    ]
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def write_reference(ruleset: Ruleset, output: Path | None) -> None:
    """Print the reference, or replace ``output`` with it atomically (a document, mode 0644)."""
    text = reference_markdown(ruleset)
    if output is None:
        sys.stdout.write(text)
        return
    _replace_file(Path(output), text.encode("utf-8"))


def _replace_file(path: Path, data: bytes) -> None:
    atomic_write(path, data, mode=0o644)  # documentation, not health data


# --- page sections -----------------------------------------------------------------------------


def _header(ruleset: Ruleset) -> str:
    red_flags = sum(q.red_flag for q in ruleset.questions)
    inferred = sum(_inferred(f.sources) for f in ruleset.findings)
    tags = "; ".join(f"**[{tag.value}]** {meaning}" for tag, meaning in TAGS.items())
    return f"""# Rules reference: {ruleset.scale.title}

<!-- Generated from rules/*.yaml by `{REGENERATE}`. Do not edit by hand. -->

Rules version **{ruleset.version}**, SHA-256 of the rule files `{ruleset.digest}`.

This page lists everything the triage program decides with, for clinical review: the disposition
scale, every finding (red flags and time thresholds) with its level, when it fires, what the person
is told, why, and its sources, then the questions and the advice. {len(ruleset.questions)} questions
({red_flags} red-flag questions), {len(ruleset.findings)} findings ({inferred} resting on inference).

Source tags: {tags}. Every rule with an [I] source carries a caution saying how it is used.
"""


def _scale(ruleset: Ruleset) -> str:
    scale = ruleset.scale
    rows = [_row(level.value, text.label, text.timeframe, text.action, text.if_worse) for level in reversed(LEVEL_ORDER) for text in [scale.levels[level]]]
    combination, offer, gate = scale.combination, scale.offer, scale.exercise_gate
    levels = " or ".join(f"`{level.value}`" for level in combination.levels)
    lines = [
        "## Disposition scale",
        "",
        "The disposition is the most urgent level any finding reaches. More findings never lower it.",
        "",
        _row("level", "the person is told", "timeframe", "what to do", "if things get worse"),
        _row(*["---"] * 5),
        *rows,
        "",
        f"**Combination rule.** {combination.min_findings} or more combinable findings at {levels} raise the "
        f"disposition one level: {_text(combination.explanation)}. Sources: {_sources(combination.sources)}.",
        "",
        f"**Advice offered** up to these levels: self-care `{offer.self_care.value}`, exercises "
        f"`{offer.exercises.value}`, prevention `{offer.prevention.value}`.",
        "",
        f"**Exercise gate.** Exercises are never offered when {_inline(ruleset, gate.never_when)}: "
        f"{_text(gate.reason)} Sources: {_sources(gate.sources)}.",
    ]
    return "\n".join(lines)


def _findings(ruleset: Ruleset) -> str:
    lines = ["## Findings by level"]
    for level in reversed(LEVEL_ORDER):
        found = [f for f in ruleset.findings if f.level is level]
        if found:
            lines += ["", f"### {level.value}: {_text(ruleset.scale.levels[level].label)} ({len(found)})"]
            for finding in found:
                lines += ["", *_finding(ruleset, finding)]
    return "\n".join(lines)


def _finding(ruleset: Ruleset, finding: Finding) -> list[str]:
    flags = [f"file `{ruleset.finding_files.get(finding.id, '?')}`"]
    if finding.combinable:
        flags.append("combinable (counts toward the combination rule)")
    if finding.risk_group:
        flags.append(f"risk group `{finding.risk_group}` (one exposure: its findings count once in a combination)")
    if finding.unsure:
        flags.append("fires on a 'not sure' answer (reported as an unknown to clarify)")
    lines = [
        f"#### `{finding.id}`: {_text(finding.title)}",
        "",
        f"- **Level:** `{finding.level.value}`; {'; '.join(flags)}",
        *_condition_block(ruleset, finding.when, "- **Fires when** "),
        f"- **Message:** {_text(finding.message)}",
        f"- **Rationale:** {_text(finding.rationale)}",
        *([f"- **Review note:** {_text(finding.review_note)}"] if finding.review_note else []),
        f"- **Sources:** {_sources(finding.sources)}",
    ]
    if finding.caution:
        lines.append(f"- **Caution:** {_text(finding.caution)}")
    return lines


def _questions(ruleset: Ruleset) -> str:
    lines = ["## Questions", "", "In asking order. A red-flag question answered 'not sure' is never read as 'no'."]
    for section_id, heading in ruleset.sections.items():
        lines += ["", f"### {_text(heading)}", "", _row("id", "type", "question", "answers", "asked when"), _row(*["---"] * 5)]
        for question in (q for q in ruleset.questions if q.section == section_id):
            lines.append(_question_row(ruleset, question))
    return "\n".join(lines)


def _question_row(ruleset: Ruleset, question: Question) -> str:
    kind = question.type.value + (", red flag" if question.red_flag else "") + ("" if question.required else ", optional")
    if question.codes:
        answers = ", ".join(f"`{code}`" for code in question.codes)
    elif question.bounds:
        answers = f"{question.bounds[0]}-{question.bounds[1]}" + (f" {question.unit}" if question.unit else "")
    else:
        answers = "free text (never tested by a rule)"
    asked = _inline(ruleset, question.ask_when) if question.ask_when is not None else "always"
    reason = question.ask_when_reason
    if reason is not None:  # why a red flag is not asked of everyone
        asked += f" (refines {', '.join(f'`{q}`' for q in reason.refines)})" if reason.refines else (
            f" (population: {_text(reason.population or '')}; {_sources(reason.sources)})")
    return _row(f"`{question.id}`", kind, question.ask, answers, asked)


def _advice(ruleset: Ruleset) -> str:
    exercises = ruleset.exercises_file
    lines = ["## Advice", "", "### Self-care", ""]
    lines += [_item(ruleset, s.id, s.title, s.when, s.sources, s.caution) for s in ruleset.self_care]
    lines += ["", "### Exercises", "", f"Stop rules: {_text(exercises.stop_rules.intro)} " + "; ".join(_text(i) for i in exercises.stop_rules.items) + ".", ""]
    lines += [_item(ruleset, e.id, e.name, e.when, e.sources, e.caution, e.cautions) for e in exercises.exercises]
    lines += ["", "### Factors that may add to neck strain", ""]
    lines += [_item(ruleset, f.id, f.label, f.when, f.sources, f.caution) for f in ruleset.factors]
    lines += ["", "### Prevention tips", ""]
    lines += [_item(ruleset, t.id, f"{t.title} ({t.topic})", t.when, t.sources, t.caution) for t in ruleset.tips]
    return "\n".join(lines)


def _item(ruleset, item_id, title, when, sources, caution=None, cautions=()) -> str:
    shown = f"when {_inline(ruleset, when)}" if when is not None else "always, when offered"
    text = f"- `{item_id}`: {_text(title)}; {shown}. Sources: {_sources(sources)}."
    for extra in (caution, *cautions):
        if extra:
            text += f" Caution: {_text(extra)}"
    return text


def _safety(ruleset: Ruleset) -> str:
    scale = ruleset.scale
    net = scale.safety_net
    return "\n".join(
        [
            "## Safety net, disclaimer and failure message",
            "",
            f"Every outcome ends with: {_text(net.intro)}",
            "",
            *(f"- {_text(item)}" for item in net.items),
            "",
            f"Sources: {_sources(net.sources)}.",
            "",
            f"**Disclaimer:** {_text(scale.disclaimer)}",
            "",
            f"**If anything fails:** {_text(scale.failure_message)}",
        ]
    )


# --- conditions in words -----------------------------------------------------------------------


def _condition_block(ruleset: Ruleset, condition: Condition, lead: str, indent: str = "") -> list[str]:
    """A condition as a (nested) Markdown list item: a test on one line, all/any as sub-lists."""
    if isinstance(condition, Test):
        return [f"{indent}{lead}{_test_words(ruleset, condition, wording=True)}"]
    children, joiner = (condition.all, "all of") if isinstance(condition, AllOf) else (condition.any, "any of")
    lines = [f"{indent}{lead}{joiner}:"]
    for child in children:
        lines += _condition_block(ruleset, child, "- ", indent + "  ")
    return lines


def _inline(ruleset: Ruleset, condition: Condition) -> str:
    """A condition on one line, by question id, with brackets around nested groups."""
    if isinstance(condition, Test):
        return _test_words(ruleset, condition, wording=False)
    children, joiner = (condition.all, " and ") if isinstance(condition, AllOf) else (condition.any, " or ")
    words = [_inline(ruleset, child) if isinstance(child, Test) else f"({_inline(ruleset, child)})" for child in children]
    return joiner.join(words)


def _test_words(ruleset: Ruleset, test: Test, wording: bool) -> str:
    question = ruleset.question_by_id[test.q]
    subject = f"`{test.q}`" + (f" ({_text(question.ask)})" if wording else "")
    return f"{subject} {_predicate(question, test, wording)}"


def _predicate(question: Question, test: Test, wording: bool) -> str:
    op = test.operator.rstrip("_")
    if op in COMPARISONS:
        unit = f" {question.unit}" if question.unit else ""
        return "is " + COMPARISONS[op].format(f"{test.operand}{unit}")
    if op == "has":
        return f"includes {_answer(question, test.has, wording)}"
    values = test.in_ if op == "in" else (test.is_,)
    return "is " + (" or " if wording else "/").join(_answer(question, value, wording) for value in values or ())


def _answer(question: Question, value, wording: bool) -> str:
    """An answer code: bare in one-line conditions, with its label in full ones."""
    if isinstance(value, int):
        return str(value)
    if not wording:
        return f"`{value}`"
    label = _text(question.choice_label(value))
    return f"**{label}**" if question.type is QuestionType.yes_no_unsure else f"**{label}** (`{value}`)"


# --- text helpers ------------------------------------------------------------------------------


def _sources(sources: Iterable[Source]) -> str:
    """Named sources with their links; an inference is marked as such, never shown as a source."""
    return "; ".join(_source(s) for s in sources)


def _source(source: Source) -> str:
    if source.tag is Evidence.inference:
        return f"inference, needs clinical review ({_text(source.ref)}) [I]"
    return f"{_text(source.title or source.ref)} <{source.url}> ({_text(source.ref)}) [{source.tag.value}]"


def _inferred(sources: Iterable[Source]) -> bool:
    return any(s.tag is Evidence.inference for s in sources)


def _text(text: str) -> str:
    """One line of Markdown-safe text: whitespace collapsed, table pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _row(*cells: str) -> str:
    return "| " + " | ".join(_text(cell) for cell in cells) + " |"
