"""What the command line prints: the questionnaire and an assessment, as text or JSON."""

from __future__ import annotations

import json
import textwrap

from ..assessment.answers import AnswersFile
from ..assessment.outcome import Assessment
from ..ruleset.conditions import iter_tests
from ..ruleset.load import Ruleset

WIDTH = 78


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _bullet(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent + "- ", subsequent_indent=indent + "  ")


def assessment_text(a: Assessment) -> str:
    lines = [f"RESULT: {a.level.label.upper()} ({a.level.timeframe})", _wrap(a.level.action), ""]
    if a.raised_by_combination:
        lines += [_wrap(f"Raised one level: {a.raised_by_combination}"), ""]
    if a.override:
        o = a.override
        lines += [_wrap(f"Nurse override: {o.engine_level.value} -> {o.final_level.value} ({o.direction}). Reason: {o.reason or 'none given'}"), ""]
    if a.findings:
        lines.append("What we found:")
        for f in a.findings:
            lines += [_bullet(f"{f.title} [{f.level.value}]"), _wrap(f.message, "    ")]
        lines.append("")
    for title, items in (("Self-care:", [f"{x.title}: {x.text}" for x in a.advice]),
                         ("Things that may add to neck strain:", [f"{x.label}: {x.explanation}" for x in a.factors]),
                         ("Prevention tips:", [f"{x.title}: {x.text}" for x in a.prevention])):
        if items:
            lines += [title, *(_bullet(i) for i in items), ""]
    lines += _exercise_lines(a)
    if a.unknowns:
        lines += ["You were not sure about:", *(_bullet(u.question) for u in a.unknowns), ""]
    lines += [_wrap(a.safety_net.intro), *(_bullet(i) for i in a.safety_net.items), "", _wrap(f"If things get worse: {a.level.if_worse}"), ""]
    lines += [_wrap(a.disclaimer), f"(rules {a.ruleset.version}, {a.ruleset.hash[:12]})"]
    return "\n".join(lines)


def _exercise_lines(a: Assessment) -> list[str]:
    if a.exercises_withheld:
        return [_wrap(f"Exercises: not now. {a.exercises_withheld}"), ""]
    if not a.exercises:
        return []
    lines = ["Gentle exercises:", *(_bullet(g) for g in a.exercise_general)]
    for e in a.exercises:
        lines += [f"  * {e.name} ({e.hold}; {e.repetitions})", _wrap(e.position, "    ")]
        lines += [_wrap(f"{n}. {step}", "    ") for n, step in enumerate(e.steps, 1)]
    if a.stop_rules:
        lines += [_wrap(a.stop_rules.intro), *(_bullet(i) for i in a.stop_rules.items)]
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
    return visible(assessment_text(assessment), keep_lines=True)
