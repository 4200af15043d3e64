"""Saving the result: the summary (any format the summary module knows) and the answers file.

Files go to the current folder by default, named after the date and time; nothing is replaced
without asking. The answers file is the same document ``triage assess`` reads, so the result can be
reproduced; it is written only when every question that applies was answered (an early stop or
finishing quickly leaves questions out, and ``triage assess`` would rightly refuse such a file).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..assessment.answers import AnswersFile, parse_answers
from ..errors import AnswersError, OutputError
from ..fileio import atomic_write
from ..ruleset.load import Ruleset

FORMATS_HINT = ".txt, .md, .html, .pdf, or .json for FHIR"


def default_summary_name(now: datetime) -> str:
    return f"neck-triage-summary-{now:%Y%m%d-%H%M}.txt"


def check_summary_path(text: str) -> str | None:
    """None if a summary can be written to ``text``; otherwise one line saying why not."""
    path = Path(text.strip()).expanduser()
    try:
        from ..report.save import summary_format  # the exporters load only when saving

        summary_format(path)
    except OutputError as error:
        return f"Please end the name with {FORMATS_HINT} ({error})."
    if path.is_dir():
        return "That is a folder. Please type a file name."
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"The folder {parent} does not exist."
    return None


def answers_path_for(summary_path: Path) -> Path:
    """'neck-triage-answers-….yaml' next to 'neck-triage-summary-….txt'; never an existing file."""
    stem = summary_path.stem
    stem = stem.replace("summary", "answers") if "summary" in stem else f"{stem}-answers"
    candidate = summary_path.with_name(f"{stem}.yaml")
    number = 2
    while candidate.exists():
        candidate = summary_path.with_name(f"{stem}-{number}.yaml")
        number += 1
    return candidate


def answers_document(answers: AnswersFile) -> dict:
    return answers.model_dump(mode="json", exclude_none=True)


def complete_answers(ruleset: Ruleset, answers: AnswersFile) -> bool:
    """True when ``triage assess`` would accept these answers as they are."""
    try:
        parse_answers(ruleset, answers_document(answers))
    except AnswersError:
        return False
    return True


def write_answers(answers: AnswersFile, path: Path) -> Path:
    import yaml  # only when saving: importing PyYAML is slow

    text = yaml.safe_dump(answers_document(answers), sort_keys=False, allow_unicode=True)
    atomic_write(path, text, force=False)
    return path
