"""The PDF's fonts and line setting: what keeps the PDF command fast and small (not timed here).

The shipped fonts are cut down (scripts/subset_fonts.py) and the CJK fallback is read one
256-code-point page at a time; a paragraph is wrapped once by the summary's own line setter, and
measured exactly as set. The PDF writer itself is tested in test_pdf_canvas.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from triage.report import pdf
from test_printed_summary import LONG_NAME, _summary

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "triage" / "report" / "fonts"
MAIN = ("NeckTriageSans-Regular.ttf", "NeckTriageSans-Bold.ttf")


def _program_characters() -> set[str]:
    """Every character of the clinical content and of the report code's string literals."""
    chars: set[str] = set()
    for path in [*(ROOT / "rules").rglob("*.yaml"), *(ROOT / "rules").rglob("*.json"),
                 *(ROOT / "triage" / "report" / "templates").iterdir()]:
        chars |= set(path.read_text(encoding="utf-8"))
    for path in (ROOT / "triage").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                chars |= set(node.value)
    return {c for c in chars if c.isprintable() and not c.isspace()}


@pytest.mark.parametrize("name", MAIN)
def test_main_font_covers_every_character_the_program_prints(name):
    cmap = TTFont(FONTS / name, lazy=True).getBestCmap()
    missing = sorted(f"U+{ord(c):04X} {c}" for c in _program_characters() if ord(c) not in cmap)
    assert not missing, f"{name} lacks {missing}: add the range to RANGES in scripts/subset_fonts.py"


@pytest.mark.parametrize("name", MAIN)
def test_main_font_covers_names_in_european_scripts(name):
    cmap = TTFont(FONTS / name, lazy=True).getBestCmap()
    names = "Zoë Łukasiewicz Ørsted Çağlar Dvořák Nguyễn Αλέξανδρος Ὀδυσσεύς Пётр Ґонта Սարգիս ნინო"
    assert all(ord(c) in cmap for c in names if not c.isspace())


def test_shipped_fonts_are_the_cut_down_files():
    """The full upstream fonts (680 kB each, and 4 MB for the fallback) must not come back."""
    for name in MAIN:
        assert (FONTS / name).stat().st_size < 350_000, name
        assert TTFont(FONTS / name, lazy=True)["name"].getDebugName(1) == "Neck Triage Sans"
    pages = sorted((FONTS / "cjk").glob("NeckTriageCJK-*.ttf"))
    assert len(pages) > 100
    assert max(page.stat().st_size for page in pages) < 100_000
    assert not [p.name for p in FONTS.rglob("*.ttf") if p.stat().st_size > 350_000]


def test_latin_only_summary_loads_no_fallback_font(ruleset, assessor):
    latin = _summary(ruleset, assessor, "self_care").model_copy(update={"patient_name": "Zoë Łukasiewicz Αλέξανδρος"})
    assert set(pdf.SummaryPDF(latin).fonts) == {pdf.FONT, pdf.BOLD}


def test_cjk_name_loads_only_the_pages_it_needs(ruleset, assessor):
    document = pdf.SummaryPDF(_summary(ruleset, assessor, "self_care"))
    pages = {ord(c) >> 8 for c in LONG_NAME if ord(c) >= 0x3000}
    assert set(document.fonts) == {pdf.FONT, pdf.BOLD} | {f"{pdf.FALLBACK}-{page:03x}" for page in pages}


@pytest.mark.parametrize("width", [30.0, 60.0, 186.0])
def test_a_paragraph_takes_exactly_the_lines_it_was_measured_at(ruleset, assessor, width):
    """Keeping a paragraph whole relies on its measured height being the height it is set at."""
    document = pdf.SummaryPDF(_summary(ruleset, assessor, "self_care"))
    document.add_page()
    text = f"{LONG_NAME} said: it started\nafter a long drive, Supercalifragilisticexpialidocious-neck " * 3
    for lead in ("", "Why: "):
        top = document.get_y()
        document._mixed(document.l_margin, width, pdf.SMALL, pdf.line_height(pdf.SMALL), lead, text)
        lines = document._lines(lead, text, width, pdf.SMALL)
        assert document.get_y() - top == pytest.approx(lines * pdf.line_height(pdf.SMALL))
        set_lines = document._wrap(lead, text, width, pdf.SMALL)
        assert all(sum(document._width(p, b, pdf.SMALL) for b, p in line) <= width + 1e-6 for line in set_lines)
        words = " ".join(p for line in set_lines for _, p in line).split()
        assert "".join(words) == "".join((lead + text).split()), "no word lost or repeated"
