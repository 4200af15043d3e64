"""The summary as an ordered outline of sections, shared by the text, Markdown and PDF writers.

The order and wording of the sections are decided once, here; each writer only decides how a
heading, a paragraph, a list or the answers table looks. The HTML template follows the same order
(a test checks that every section heading appears in every format).

Reading order, for a clinician: the result and what to do first (the writers' header), what was
found and why, the pain scores over time (when the record holds check-ins for the person), where
the questionnaire stopped early, the answers at a glance (present, not sure,
absent, other answers, one row per section), then the advice given.

The split between the clinician's page and the person's own copy: the printed formats (PDF and
HTML, ``brief=True``) give the advice in brief (the safety net and the exercise stop rules in full;
self-care, exercises and prevention by name) so that a self-care or routine case fits on one page
and any case on two; the text and Markdown summaries (``brief=False``) are the person's own copy and
keep every step of the advice and the questions to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..ruleset.model import NO, NOT_SURE, YES, QuestionType
from .chart import scores_text, sparkline
from .summary import NONE, AnsweredQuestion, Summary

Kind = Literal["para", "bullets", "numbered", "grid"]
GRID_COLUMNS = ("Present (yes)", "Not sure", "Absent (no)", "Other answers")
SUBTITLE = "Summary for the clinician: advice in brief (the person's own .txt or .md copy has every step)"


@dataclass(frozen=True)
class Item:
    """One paragraph or list entry: an optional bold label, the text, and indented detail lines."""

    text: str
    label: str | None = None
    details: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()  # a grid row: one text per column of ``GRID_COLUMNS``


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
    """(label, value) pairs for the header: who, born, answered by and when, nurse, export, rules."""
    lines = [("Patient", s.patient_name or "name not given")]
    if s.date_of_birth:
        age = f" (age {s.age_years})" if s.age_years is not None else ""
        lines.append(("Date of birth", f"{s.date_of_birth.isoformat()}{age}"))
    lines.append(("Answered by", s.answered_by))
    if s.nurse:
        lines.append(("Nurse", s.nurse))
    lines.append(("Answered", s.answered_text))
    lines.append(("Exported", s.created_text))
    lines.append(("Rules version", s.ruleset_version))
    return lines


def running_header(s: Summary) -> str:
    """The line repeated at the top of every printed page (the page number is added by the writer)."""
    born = f", born {s.date_of_birth.isoformat()}" if s.date_of_birth else ""
    return f"{s.patient_name or 'Name not given'}{born} · {s.title} · {s.record_date}"


def running_footer(s: Summary) -> str:
    """The safety line repeated at the foot of every printed page (the printed copy's only disclaimer)."""
    return f"Not a diagnosis: this check does not replace a clinician. If things get worse: {s.disposition.if_worse}"


def stop_text(s: Summary) -> str | None:
    """'Stopped early at X (emergency): these questions were not asked: ...' or None."""
    stop = s.stopped_early
    if stop is None:
        return None
    why = {"emergency": "an emergency was found", "finished_quickly": "finished quickly",
           "unknown": "reason not recorded"}[stop.reason]
    where = f"Stopped early at \"{stop.at}\" ({why})" if stop.at else f"Stopped early ({why})"
    return f"{where}: these questions were not asked: {'; '.join(stop.not_asked)}."


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


def outline(s: Summary, brief: bool = False) -> list[Section]:
    """Every section after the header, in reading order; empty sections are left out.

    ``brief``: the printed clinician's summary (advice by name, no questions to ask); see the module note.
    """
    sections = [
        _findings(s, brief),
        _pain_trend(s),
        _answers(s),
        _safety_net(s, brief),
        *((_brief_advice(s),) if brief else (_self_care(s), _exercises(s), _prevention(s))),
        Section("questions", "Questions you may want to ask", () if brief else (bullets(s.provider_questions),)),
        _notes(s),
        # The printed copy says it in its running footer, on every page (``running_footer``).
        Section("not_a_diagnosis", "This is not a diagnosis", () if brief else (para(s.disclaimer),)),
    ]
    return [section for section in sections if section.blocks]


def footer(s: Summary) -> str:
    return f"Rules version {s.ruleset_version}, sha256 {s.ruleset_hash}"


def _findings(s: Summary, brief: bool = False) -> Section:
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
        if brief:
            sources = "; ".join(dict.fromkeys(src.ref for src in f.sources))
        details.append(f"Sources: {sources}")
        items.append(Item(f"({f.level_label})", label=f.title, details=tuple(details)))
    return Section("findings", "What was found and why", (bullets(items),))


TREND_HEADING = "Pain over time"


def _pain_trend(s: Summary) -> Section:
    """The recorded pain scores (questionnaires and check-ins), when there are at least two: a
    sparkline with every date and score. The PDF and HTML draw it as a chart instead."""
    if not s.has_trend:
        return Section("pain_trend", TREND_HEADING, ())
    series = s.trend_series
    item = Item(sparkline(series), details=(f"Scores (0-10): {scores_text(series)}.",))
    return Section("pain_trend", TREND_HEADING, (Block("para", (item,)),))


def _safety_net(s: Summary, brief: bool = False) -> Section:
    """Before the advice: what new symptoms mean 'get help now', whatever the result."""
    block = _compact(s.safety_net, s.safety_net_intro) if brief else bullets(s.safety_net, s.safety_net_intro)
    return Section("safety_net", "Get help now if things change", (block,))


def _answers(s: Summary) -> Section:
    """Where it stopped early, then one grid row per section: present, not sure, absent, other."""
    blocks = []
    stopped = stop_text(s)
    if stopped:
        blocks.append(para(stopped))
    rows = [_grid_row(title, answers) for title, answers in _by_section(s.answers)]
    if rows:
        blocks.append(Block("grid", tuple(rows)))
    return Section("answers", "Answers at a glance", tuple(blocks))


def _by_section(answers: tuple[AnsweredQuestion, ...]) -> list[tuple[str, list[AnsweredQuestion]]]:
    groups: dict[str, list[AnsweredQuestion]] = {}
    for answer in answers:
        groups.setdefault(answer.section_title or answer.section, []).append(answer)
    return list(groups.items())


def _grid_row(title: str, answers: list[AnsweredQuestion]) -> Item:
    columns: tuple[list[str], ...] = ([], [], [], [])
    for answer in answers:
        for column, text in _placed(answer):
            columns[column].append(text)
    cells = tuple("; ".join(texts) for texts in columns)
    details = tuple(f"{name}: {cell}" for name, cell in zip(GRID_COLUMNS, cells) if cell)
    return Item("", label=title, details=details, cells=cells)


PRESENT, UNSURE, ABSENT, OTHER = range(4)
_NEGATIVE = (NO, NONE)


def _placed(a: AnsweredQuestion) -> list[tuple[int, str]]:
    """Which column(s) an answer goes in, and its text there."""
    if a.type is QuestionType.yes_no_unsure:
        return [({YES: PRESENT, NO: ABSENT}.get(a.value, UNSURE), a.short)]
    if a.type is QuestionType.multi:
        chosen = [label for code, label in zip(a.value, a.labels) if code not in (NONE, NOT_SURE)]
        placed = [(ABSENT, a.short)] if NONE in a.value else []
        placed += [(UNSURE, a.short)] if NOT_SURE in a.value else []
        if chosen:
            placed.append((PRESENT if a.red_flag else OTHER, f"{a.short}: {', '.join(chosen)}"))
        return placed or [(OTHER, f"{a.short}: {a.answer}")]
    if a.type is QuestionType.single:
        if a.value == NOT_SURE:
            return [(UNSURE, a.short)]
        if a.value in _NEGATIVE:
            return [(ABSENT, a.short)]
        has_negative = any(code in _NEGATIVE for code in a.codes)
        return [(PRESENT if has_negative else OTHER, f"{a.short}: {a.answer}")]
    return [(OTHER, f"{a.short}: {a.answer}")]


def _brief_advice(s: Summary) -> Section:
    """Self-care, exercises and prevention by name; the stop rules in full."""
    blocks = []
    if s.self_care:
        blocks.append(_compact([Item(a.title) for a in s.self_care], "Self-care"))
    if s.exercises_withheld:
        blocks.append(para(f"Not now. {s.exercises_withheld}", "Exercises"))
    elif s.exercises:
        items = [Item(f"{e.name} ({_lower(e.hold)}; {_lower(e.repetitions)})") for e in s.exercises]
        blocks.append(_compact(items, "Exercises"))
        if s.stop_rules:
            blocks.append(_compact(s.stop_rules, s.stop_rules_intro))
    if s.factors:
        blocks.append(_compact([Item(f.title) for f in s.factors], "May add to neck strain"))
    if s.prevention:
        blocks.append(_compact([Item(t.title) for t in s.prevention], "Prevention tips"))
    return Section("advice", "Advice given", tuple(blocks))


def _lower(text: str) -> str:
    text = text.rstrip(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _compact(items, title: str | None) -> Block:
    block = bullets(items, title)
    return Block(block.kind, block.items, block.title, compact=True)


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
