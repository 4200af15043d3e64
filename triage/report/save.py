"""Summary exporters, one per format, all fed from the one ``Summary`` model.

``RENDERERS`` maps a format name to ``"module:function"``; modules are imported only when used, so
the terminal path never pays for fpdf2 or fhir.resources. Every renderer returns the file's bytes.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # triage.summary imports triage.export.content: no import cycle at run time
    from ..summary import Summary

RENDERERS = {
    "text": "text:render_text",
    "markdown": "markdown:render_markdown",
    "html": "html:render_html",
    "pdf": "pdf:render_pdf",
    "fhir": "..fhir:render_fhir",
}


def render(summary: Summary, fmt: str) -> bytes:
    """The summary rendered in ``fmt`` (one of ``RENDERERS``)."""
    module_name, function_name = RENDERERS[fmt].split(":")
    relative = module_name if module_name.startswith(".") else f".{module_name}"
    module = import_module(relative, __name__)
    return getattr(module, function_name)(summary)
