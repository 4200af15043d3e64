"""The summary as an ordered outline of sections, shared by the text, Markdown and PDF writers.

The order and wording of the sections are decided once, here; each writer only decides how a
heading, a paragraph or a list looks. The HTML template follows the same order (a test checks that
every section heading appears in every format).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..ruleset.model import QuestionType
from .summary import AnsweredQuestion, Summary

Kind = Literal["para", "bullets", "numbered"]


@dataclass(frozen=True)
class Item:
    """One paragraph or list entry: an optional bold label, the text, and indented detail lines."""

    text: str
    label: str | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    kind: Kind
    items: tuple[Item, ...]
    title: str | None = None  # a small sub-heading above the block
    compact: bool = False  # a long list of short facts: print writers may run it on as one paragraph


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    blocks: tuple[Block, ...]


def with_colon(text: str) -> str:
    """'Label:' unless the text already ends in punctuation (a question, a sentence, a colon)."""
    return text if text[-1:] in "?.!:" else text + ":"


def para(text: str, label: str | None = None) -> Block:
    return Block("para", (Item(text, label),))


def bullets(items, title: str | None = None, kind: Kind = "bullets") -> Block:
    return Block(kind, tuple(i if isinstance(i, Item) else Item(i) for i in items), title)


def patient_lines(s: Summary) -> list[tuple[str, str]]:
    """(label, value) pairs for the header: when, who, answered by, nurse."""
    lines = [("Date", s.created_text)]
    if s.patient_name:
        lines.append(("Patient", s.patient_name))
    if s.date_of_birth:
        age = f" (age {s.age_years})" if s.age_years is not None else ""
        lines.append(("Date of birth", f"{s.date_of_birth.isoformat()}{age}"))
    lines.append(("Answered by", s.answered_by))
    if s.nurse:
        lines.append(("Nurse", s.nurse))
    return lines


def disposition_lines(s: Summary) -> list[tuple[str, str]]:
    """What stands out at the top: the level, its timeframe, what to do now and if worse."""
    d = s.disposition
    lines = [("Result", f"{d.label} ({d.timeframe})"), ("What to do now", d.action), ("If things get worse", d.if_worse)]
    if s.override:
        o = s.override
        by = f" by {o.by}" if o.by else ""
        change = f"from \"{o.engine_label}\" to \"{o.final_label}\"" if o.direction != "unchanged" else f"\"{o.final_label}\""
        verb = o.direction.capitalize() if o.direction != "unchanged" else "Confirmed"
        lines.append(("Nurse override", f"{verb}{by} {change}. Reason: {o.reason or 'none given'}"))
    if s.raised_by_combination:
        lines.append(("Raised one level", s.raised_by_combination))
    return lines


def outline(s: Summary) -> list[Section]:
    """Every section after the header, in reading order; empty sections are left out."""
    sections = [
        _findings(s),
        _safety_net(s),
        _symptoms(s),
        _pain_and_time(s),
        _self_care(s),
        _exercises(s),
        _prevention(s),
        Section("questions", "Questions you may want to ask", (bullets(s.provider_questions),)),
        _notes(s),
        Section("not_a_diagnosis", "This is not a diagnosis", (para(s.disclaimer),)),
    ]
    return [section for section in sections if section.blocks]


def footer(s: Summary) -> str:
    return f"Rules version {s.ruleset_version}, sha256 {s.ruleset_hash}"


def _findings(s: Summary) -> Section:
    if not s.findings:
        return Section("findings", "What was found", (para("No warning signs were found in the answers given."),))
    items = []
    for f in s.findings:
        sources = "; ".join(f"{src.ref} {src.url}" if src.url else src.ref for src in f.sources)
        details = [f.message, f"Why: {f.rationale}"]
        if f.unsure:
            details.append("Raised because an answer was \"not sure\": please clarify with the clinician.")
        if f.caution:
            details.append(f"Caution: {f.caution}")
        details.append(f"Sources: {sources}")
        items.append(Item(f"({f.level_label})", label=f.title, details=tuple(details)))
    return Section("findings", "What was found and why", (bullets(items),))


def _safety_net(s: Summary) -> Section:
    """Right after the findings: what new symptoms mean 'get help now', whatever the result."""
    return Section("safety_net", "Get help now if things change", (bullets(s.safety_net, s.safety_net_intro),))


def _answer_items(answers: tuple[AnsweredQuestion, ...]) -> list[Item]:
    return [Item(a.answer, label=a.question) for a in answers]


def _symptom_items(answers: tuple[AnsweredQuestion, ...]) -> list[Item]:
    """A yes/no question alone; a checklist or choice with the items that apply."""
    return [Item(a.question) if a.type is QuestionType.yes_no_unsure else Item(a.answer, a.question) for a in answers]


def _symptoms(s: Summary) -> Section:
    blocks = []
    if s.present:
        blocks.append(bullets(_symptom_items(s.present), "Reported as present (yes)"))
    if s.not_sure:
        blocks.append(bullets(_symptom_items(s.not_sure), "Not sure"))
    if s.negatives:
        negatives = bullets(_symptom_items(s.negatives), "Pertinent negatives (answered no)")
        blocks.append(Block(negatives.kind, negatives.items, negatives.title, compact=True))
    return Section("symptoms", "Symptoms", tuple(blocks))


def _pain_and_time(s: Summary) -> Section:
    blocks = []
    if s.pain:
        blocks.append(bullets(_answer_items(s.pain), "Pain scores (0 = no pain, 10 = worst imaginable)"))
    if s.timeline:
        blocks.append(bullets(_answer_items(s.timeline), "Onset and duration"))
    if s.other_answers:
        blocks.append(bullets(_answer_items(s.other_answers), "Other answers"))
    return Section("answers", "Pain, onset and duration", tuple(blocks))


def _self_care(s: Summary) -> Section:
    if not s.self_care:
        return Section("self_care", "Self-care plan", ())
    return Section("self_care", "Self-care plan", (bullets([Item(a.text, a.title) for a in s.self_care]),))


def _exercises(s: Summary) -> Section:
    if s.exercises_withheld:
        return Section("exercises", "Exercises", (para(f"Not now. {s.exercises_withheld}"),))
    if not s.exercises:
        return Section("exercises", "Exercises", ())
    blocks = [bullets(s.exercise_general, "How to do every exercise")] if s.exercise_general else []
    for e in s.exercises:
        title = f"{e.name}. Hold: {e.hold}. Repeat: {e.repetitions}."
        blocks.append(Block("para", (Item(e.position, "Start position"),), title))
        steps = bullets(e.steps, kind="numbered")
        blocks.append(Block(steps.kind, steps.items, compact=True))
        if e.cautions:
            blocks.append(bullets([Item(c, "Caution") for c in e.cautions]))
    if s.stop_rules:
        blocks.append(bullets(s.stop_rules, s.stop_rules_intro))
    return Section("exercises", "Exercises", tuple(blocks))


def _prevention(s: Summary) -> Section:
    blocks = []
    if s.factors:
        blocks.append(bullets([Item(f.text, f.title) for f in s.factors], "Things that may add to neck strain"))
    if s.prevention:
        blocks.append(bullets([Item(t.text, t.title) for t in s.prevention], "Tips"))
    return Section("prevention", "Prevention", tuple(blocks))


def _notes(s: Summary) -> Section:
    items = [Item(n.text, n.about) for n in s.notes]
    heading = "Nurse's notes" if s.is_nurse_mode else "Notes"
    return Section("notes", heading, (bullets(items),) if items else ())
