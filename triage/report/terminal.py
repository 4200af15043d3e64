"""What the command line prints: the questionnaire and an assessment, as text or JSON."""

from __future__ import annotations

import json

from ..assessment.answers import AnswersFile
from ..assessment.outcome import Assessment
from ..ruleset.conditions import iter_tests
from ..ruleset.load import Ruleset
from ..ruleset.vocabulary import Level
from .wrapping import wrap_block



def assessment_text(a: Assessment, width: int | None = None, nurse: bool = False) -> str:
    """The whole result: what to do first (``lead_lines``), then the rest (``detail_lines``)."""
    return wrap_block("\n".join(lead_lines(a, nurse) + [""] + detail_lines(a, nurse)), width)


def lead_lines(a: Assessment, nurse: bool = False) -> list[str]:
    """The disposition, what to do, why in a word, what to do if it gets worse, the warning signs.

    Logical lines (one paragraph or bullet each): the screen wraps them at its width."""
    action, if_worse = a.level.for_reader(nurse)
    lines = [f"RESULT: {a.level.label.upper()} ({a.level.timeframe})", action]
    if a.advice:
        meanwhile = "" if a.disposition is Level.self_care else "Meanwhile, t"
        lines.append(f"{meanwhile or 'T'}he self-care advice below can {'be given' if nurse else 'help'}.")
    if a.override:
        lines += ["", _override_line(a)]
    if a.findings:
        lines += ["", "Because of:", *(f"  - {f.title}" for f in a.findings)]
    intro = (a.safety_net.intro_nurse or a.safety_net.intro) if nurse else a.safety_net.intro
    lines += ["", f"If things get worse: {_here(if_worse)}", "", intro,
              *(f"  - {i}" for i in a.safety_net.items), "", disclaimer(a, nurse)]
    return lines


NURSE_DISCLAIMER = ("This is not a diagnosis and does not replace clinical judgement: it suggests how soon the "
                    "patient needs care, from the answers given. If in doubt, escalate.")


def disclaimer(a: Assessment, nurse: bool) -> str:
    return NURSE_DISCLAIMER if nurse else a.disclaimer


def _here(text: str) -> str:
    """The scale's texts point to the warning signs "below"; here they come right after."""
    return text.replace("warning signs below", "warning signs listed here")


def _override_line(a: Assessment) -> str:
    o = a.override
    who = o.by or "the nurse"
    verb = {"raised": "Raised", "lowered": "Lowered"}.get(o.direction, "Confirmed")
    because = f" Reason: {o.reason}" if o.reason else ""
    return f"{verb} by {who} from {_words(o.engine_level)} to {_words(o.final_level)}.{because}"


def _words(level) -> str:
    return level.value.replace("_", " ")


def detail_lines(a: Assessment, nurse: bool = False) -> list[str]:
    lines: list[str] = []
    if a.raised_by_combination:
        lines += [f"Raised one level: {a.raised_by_combination}", ""]
    if a.findings and not nurse:  # a nurse's section lists them with their clinical rationale
        lines.append("What we found:")
        for f in a.findings:
            lines += [f"  - {f.title} [{f.level.value}]", f"    {f.message}"]
        lines.append("")
    headings = NURSE_HEADINGS if nurse else HEADINGS
    for title, items in ((headings[0], [f"{x.title}: {x.text}" for x in a.advice]),
                         (headings[1], [f"{x.label}: {x.explanation}" for x in a.factors]),
                         (headings[2], [f"{x.title}: {x.text}" for x in a.prevention])):
        if items:
            lines += [title, *(f"  - {i}" for i in items), ""]
    lines += _exercise_lines(a, nurse)
    if a.unknowns:
        lines += ["The patient was not sure about:" if nurse else "You were not sure about:", *(f"  - {u.question}" for u in a.unknowns), ""]
    lines.append(f"(rules {a.ruleset.version}, {a.ruleset.hash[:12]})")
    return lines


HEADINGS = ("Self-care:", "Things that may add to neck strain:", "Prevention tips:", "Gentle exercises:")
NURSE_HEADINGS = ("Self-care advice to give the patient (worded for the patient):",
                  "Factors that may add to the patient's neck strain:", "Prevention advice for the patient:",
                  "Gentle exercises the patient may start (worded for the patient):")


def _exercise_lines(a: Assessment, nurse: bool = False) -> list[str]:
    if a.exercises_withheld:
        return [f"Exercises: not now. {a.exercises_withheld}", ""]
    if not a.exercises:
        return []
    lines = [(NURSE_HEADINGS if nurse else HEADINGS)[3], *(f"  - {g}" for g in a.exercise_general)]
    for e in a.exercises:
        lines += [f"  * {e.name} ({e.hold}; {e.repetitions})", f"    {e.position}"]
        lines += [f"    {n}. {step}" for n, step in enumerate(e.steps, 1)]
    if a.stop_rules:
        lines += [a.stop_rules.intro, *(f"  - {i}" for i in a.stop_rules.items)]
    return lines + [""]


def questions_text(ruleset: Ruleset) -> str:
    lines = [f"{ruleset.scale.title} (rules {ruleset.version})", ""]
    for section_id, heading in ruleset.sections.items():
        lines.append(heading.upper())
        for q in (q for q in ruleset.questions if q.section == section_id):
            flag = " [red flag]" if q.red_flag else ""
            lines.append(f"  {q.id} ({q.type.value}){flag}: {q.ask}")
            if q.codes:
                lines.append("      answers: " + ", ".join(q.codes))
            if q.bounds:
                lines.append(f"      range: {q.bounds[0]}-{q.bounds[1]}{' ' + q.unit if q.unit else ''}")
            if q.ask_when is not None:
                asked_after = sorted({t.q for t in iter_tests(q.ask_when)})
                lines.append("      asked only depending on: " + ", ".join(asked_after))
        lines.append("")
    return "\n".join(lines)



def render_questions(ruleset: Ruleset, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(questions_data(ruleset), indent=2, ensure_ascii=False)
    if fmt == "fhir":
        from .fhir import questionnaire_json

        return questionnaire_json(ruleset)
    return questions_text(ruleset)


def questions_data(ruleset: Ruleset) -> dict:
    return {
        "ruleset": {"version": ruleset.version, "hash": ruleset.digest},
        "sections": ruleset.sections,
        "questions": [q.model_dump(mode="json", by_alias=True, exclude_none=True) for q in ruleset.questions],
    }


def render_assessment(ruleset: Ruleset, answers: AnswersFile, assessment: Assessment, fmt: str) -> str:
    from ..text_safety import json_visible, visible  # names, notes and reasons may hold escape sequences

    if fmt == "json":
        return json_visible(assessment.model_dump_json(indent=2))
    return visible(assessment_text(assessment, nurse=answers.nurse is not None), keep_lines=True)
