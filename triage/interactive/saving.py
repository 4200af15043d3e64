"""Saving the result: the summary (any format the summary module knows) and the answers file.

The person picks one or more formats and a folder (by default their documents folder: the
platform's, ``~/Documents`` if there is one, else the home folder; ``TRIAGE_SAVE_DIR`` overrides it);
files are named after the date and time, and an existing file is never replaced (a number is added). The answers file is the same document ``triage assess`` reads, so the result can be
reproduced; it is written only when every question that applies was answered (an early stop or
finishing quickly leaves questions out, and ``triage assess`` would rightly refuse such a file).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..assessment.answers import AnswersFile, parse_answers
from ..errors import AnswersError
from ..fileio import atomic_write
from ..ruleset.load import Ruleset

FORMAT_CHOICES = (  # (format, extension, what the person sees)
    ("text", ".txt", "Text (.txt): to read or print"),
    ("pdf", ".pdf", "PDF (.pdf): to print or send"),
    ("html", ".html", "Web page (.html): to open in a browser"),
    ("markdown", ".md", "Markdown (.md)"),
    ("fhir", ".json", "FHIR JSON (.json): for a health record system"),
)
EXTENSION_OF = {fmt: ext for fmt, ext, _ in FORMAT_CHOICES}


def default_folder() -> Path:
    """Where summaries are saved unless the person chooses another folder."""
    override = os.environ.get("TRIAGE_SAVE_DIR")
    if override:
        return Path(override).expanduser().resolve()
    try:
        from platformdirs import user_documents_dir

        documents = Path(user_documents_dir())
    except Exception:  # noqa: BLE001 - any problem finding it: fall back to the home folder
        documents = Path.home() / "Documents"
    for folder in (documents, Path.home() / "Documents", Path.home()):
        if folder.is_dir():
            return folder.resolve()
    return Path.cwd().resolve()


def check_folder(text: str) -> str | None:
    """None if summaries can be saved in the folder ``text``; otherwise one line saying why not."""
    folder = Path(text.strip()).expanduser()
    if not text.strip():
        return "Please type a folder."
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder."
    if not folder.is_dir():
        return f"The folder {folder} does not exist."
    if not os.access(folder, os.W_OK):
        return f"The folder {folder} cannot be written to."
    return None


def free_path(folder: Path, stem: str, extension: str) -> Path:
    """``folder/stem.ext``, or ``stem-2.ext`` and so on: never an existing file."""
    candidate = folder / f"{stem}{extension}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{extension}"
        number += 1
    return candidate


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
