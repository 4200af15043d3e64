"""Saving a summary: the format from the file name, the checks before any work, one renderer per format.

``RENDERERS`` maps a format name to ``"module:function"``; modules are imported only when used, so
the terminal path never pays for fpdf2 or fhir.resources. Every renderer returns the file's bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from importlib import import_module
from pathlib import Path

from ..assessment.answers import AnswersFile
from ..assessment.outcome import Assessment
from ..errors import OutputError
from ..fileio import atomic_write, check_replaceable
from ..ruleset.load import Ruleset
from .summary import Summary, build_summary

FORMATS = ("text", "markdown", "html", "pdf", "fhir")
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".json": "fhir",
}

RENDERERS = {
    "text": ".text:render_text",
    "markdown": ".markdown:render_markdown",
    "html": ".html:render_html",
    "pdf": ".pdf:render_pdf",
    "fhir": ".fhir:render_fhir",
}


def render(summary: Summary, fmt: str) -> bytes:
    """The summary rendered in ``fmt`` (one of ``RENDERERS``)."""
    module_name, function_name = RENDERERS[fmt].split(":")
    module = import_module(module_name, __package__)
    return getattr(module, function_name)(summary)


def summary_format(path: Path, fmt: str | None = None) -> str:
    """The export format: ``fmt`` if given, else from the file's extension (one-line error if unknown)."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise OutputError(f"unknown summary format '{fmt}' (choose from {', '.join(FORMATS)})")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        known = " ".join(sorted(set(EXTENSIONS)))
        raise OutputError(f"{path}: cannot tell the summary format from '{suffix or 'no extension'}' (use one of {known})")
    return EXTENSIONS[suffix]


def save_summary(
    ruleset: Ruleset,
    answers_file: AnswersFile,
    assessment: Assessment,
    path: Path,
    fmt: str | None = None,
    force: bool = False,
    created: datetime | None = None,
    pain_trend: Iterable[tuple[datetime, int]] = (),
) -> Path:
    """Write the summary to ``path`` (0600, atomic); never replaces a file unless ``force``.

    ``pain_trend``: the person's recorded pain scores, from the record (``record.trend.summary_trend``)."""
    path = Path(path)
    check_output_path(path, force)
    fmt = summary_format(path, fmt)
    data = render(build_summary(ruleset, answers_file, assessment, created, pain_trend), fmt)
    atomic_write(path, data, force=force)
    return path


def check_output_path(path: Path, force: bool) -> None:
    """Fail early, with one line, before any work: a folder, a device or pipe, an existing file, a missing folder."""
    check_replaceable(path, force)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{path}: folder {parent} does not exist")
