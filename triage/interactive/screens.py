"""The words on each screen: early stops, the review list, the result and the nurse's details.

Pure functions of the assessment and the answers, so both front ends show the same text. The
person's result reuses the command line's ``assessment_text``; the nurse additionally sees each
finding's rule id, rationale and sources, the pertinent negatives and the unknowns.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..assessment.outcome import Assessment, FindingResult
from ..report.terminal import assessment_text
from ..ruleset.model import Question
from .asks import answer_text

WIDTH = 78
REVIEW_WIDTH = 72  # fits an 80-column terminal after the list's pointer and number


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def banner(text: str) -> str:
    return f"{'=' * WIDTH}\n{text}\n{'=' * WIDTH}"


def emergency_text(a: Assessment, nurse: bool) -> str:
    """What to do now, shown the moment the answers reach the emergency level."""
    lines = [banner(f"EMERGENCY: {a.level.label.upper()}"), _wrap(a.level.action), "", "Because of:"]
    lines += _finding_lines(a.findings)
    lines += ["", _wrap("The questionnaire has stopped here: the remaining questions cannot change this advice.")]
    lines += ["", _wrap(f"If things get worse: {a.level.if_worse}"), "", _wrap(a.disclaimer)]
    if nurse:
        lines += ["", nurse_details(a)]
    return "\n".join(lines)


def urgent_text(a: Assessment) -> str:
    """Said at once when the answers reach the urgent level."""
    lines = [banner(f"{a.level.label.upper()} ({a.level.timeframe})"), _wrap(a.level.action), "", "Because of:"]
    return "\n".join(lines + _finding_lines(a.findings))


def _finding_lines(findings) -> list[str]:
    return [textwrap.fill(f"- {f.title}: {f.message}", WIDTH, subsequent_indent="  ") for f in findings]


def result_text(a: Assessment, nurse: bool) -> str:
    """The result screen: the person's view, plus the clinical details for a nurse."""
    text = assessment_text(a)
    return f"{text}\n\n{nurse_details(a)}" if nurse else text


def nurse_details(a: Assessment) -> str:
    lines = ["FOR THE NURSE", f"Engine disposition: {a.engine_disposition.value}; final: {a.disposition.value}"]
    if a.override:
        o = a.override
        lines.append(_wrap(f"Override by {o.by or 'the nurse'}: {o.engine_level.value} -> {o.final_level.value} ({o.direction}). Reason: {o.reason or 'none given'}"))
    if a.raised_by_combination:
        lines.append(_wrap(f"Raised by combination: {a.raised_by_combination}"))
    for f in a.findings:
        lines += _finding_details(f)
    lines += _answer_list("Pertinent negatives (answered no):", a.pertinent_negatives)
    lines += _answer_list("Unknowns (answered not sure):", a.unknowns)
    return "\n".join(lines)


def _finding_details(f: FindingResult) -> list[str]:
    sources = "; ".join(dict.fromkeys(f"{s.ref} [{s.tag.value}]" for s in f.sources))
    lines = [f"* {f.id} [{f.level.value}] {f.title}", _wrap(f"Why: {f.rationale}", "    "), _wrap(f"Sources: {sources}", "    ")]
    if f.caution:
        lines.append(_wrap(f"Caution: {f.caution}", "    "))
    return lines


def _answer_list(title: str, refs) -> list[str]:
    if not refs:
        return [f"{title} none"]
    return [title, *(_shorten(f"  - {r.id}: {' '.join(r.question.split())}", WIDTH) for r in refs)]


def review_label(question: Question, value: Any, nurse: bool, note: str | None = None, width: int = REVIEW_WIDTH) -> str:
    """One line of the review list, at most ``width`` long: the question, shortened, and the answer."""
    answer = f" Answer: {answer_text(question, value, nurse)}" + (" (note added)" if note else "")
    answer = _shorten(answer, width // 2) if len(answer) > width // 2 else answer
    return _shorten(" ".join(question.wording(nurse).split()), width - len(answer)) + answer


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 3, 1)].rstrip() + "..."


def recap(a: Assessment) -> str:
    """The result in one line, repeated after the long result screen so it is the last thing seen."""
    return _wrap(f"Your result: {a.level.label} ({a.level.timeframe}). {a.level.action}")


def section_heading(title: str) -> str:
    return f"\n-- {title} --"
