"""The program's own PDF writer (triage/report/pdf_canvas.py, triage/report/truetype.py): a valid file,
text that extracts as written, the widths the fonts give, only the fonts and glyphs used, the same
bytes for the same document. Fonts are checked against fontTools and files read back with pypdf."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from triage.report import pdf
from triage.report.pdf_canvas import MM, Canvas
from triage.report.truetype import load_font, subset, with_components
from test_printed_summary import LONG_NAME, _summary

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "triage" / "report" / "fonts"
REGULAR = str(FONTS / "NeckTriageSans-Regular.ttf")
BOLD = str(FONTS / "NeckTriageSans-Bold.ttf")
CJK_4E = str(FONTS / "cjk" / "NeckTriageCJK-04e.ttf")  # 丁 七 万 丈 三 ... (U+4E00-U+4EFF)
CREATED = datetime(2026, 3, 5, 14, 30, tzinfo=timezone.utc)


def _canvas(*lines: str, fallback: bool = True, paper: str = "A4") -> Canvas:
    canvas = Canvas(paper)
    canvas.add_font("regular", REGULAR)
    canvas.add_font("bold", BOLD)
    if fallback:
        canvas.add_font("cjk", CJK_4E)
        canvas.set_fallbacks(["cjk"])
    canvas.set_info("Ein Titel: Zoë", "neck-triage", CREATED)
    canvas.add_page()
    for number, line in enumerate(lines):
        canvas.set_font("bold" if number % 2 else "regular", 10)
        canvas.text(20, 30 + 10 * number, line)
    return canvas


def _objects(data: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\n(.*?)\nendobj\n", data, re.S)}


def test_the_cross_reference_table_points_at_every_object():
    data = _canvas("Hello", "Wörld 丈").output()
    assert data.startswith(b"%PDF-1.7\n") and data.endswith(b"%%EOF\n")
    start = int(data.rsplit(b"startxref\n", 1)[1].split()[0])
    assert data[start:start + 5] == b"xref\n"
    lines = data[start:].split(b"\n")
    count = int(lines[1].split()[1])
    entries = lines[2:2 + count]
    assert entries[0] == b"0000000000 65535 f " and all(len(e) == 19 for e in entries)
    for number, entry in enumerate(entries[1:], 1):
        offset = int(entry.split()[0])
        assert data[offset:].startswith(b"%d 0 obj\n" % number), number
    assert f"/Size {count}".encode() in data
    PdfReader(io.BytesIO(data), strict=True).pages[0].extract_text()  # strict: any fault raises


def test_text_extracts_as_written_in_every_font_and_the_fallback():
    lines = ["Zoë Łukasiewicz (born 1979)", "Αλέξανδρος Ὀδυσσεύς Пётр", "mixed 丁七万 text", "hostile <b>&amp;</b> \\ )("]
    data = _canvas(*lines).output()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert [line.strip() for line in text.splitlines()] == lines


def test_a_character_no_font_has_prints_as_the_replacement_character():
    canvas = _canvas("a\u0e01b", fallback=False)  # Thai: in no shipped font
    assert canvas.string_width("\u0e01") == canvas.string_width("\ufffd")
    assert PdfReader(io.BytesIO(canvas.output())).pages[0].extract_text().strip() == "a\ufffdb"


def test_widths_are_the_fonts_advances():
    truth = TTFont(REGULAR)
    hmtx, cmap, units = truth["hmtx"].metrics, truth.getBestCmap(), truth["head"].unitsPerEm
    text = "Wide words Ἀθῆναι Ł"
    canvas = _canvas(text)
    expected = sum(round(hmtx[cmap[ord(c)]][0] * 1000 / units) for c in text) * 10 / 1000 / MM
    assert canvas.string_width(text, "regular", 10) == pytest.approx(expected)
    widths = _objects(canvas.output())
    w_array = next(body for body in widths.values() if b"/CIDFontType2" in body and b"NeckTriageSans-Regular" in body)
    pairs = re.search(rb"/W \[(.*)\] /CIDToGIDMap", w_array).group(1)
    for first, run in re.findall(rb"(\d+) \[([\d ]+)\]", pairs):
        for glyph, width in enumerate(map(int, run.split()), int(first)):
            assert width == round(hmtx[truth.getGlyphOrder()[glyph]][0] * 1000 / units)


def test_the_fallback_font_is_embedded_only_when_a_character_needs_it():
    assert b"NeckTriageCJK" not in _canvas("Latin only").output()
    assert b"NeckTriageCJK-04e" in _canvas("Latin and 丁").output()
    assert b"NeckTriageSans-Bold" not in _canvas("one line, regular").output(), "a font not drawn is not embedded"


def test_the_embedded_font_holds_only_the_glyphs_used_and_their_components():
    font = load_font(REGULAR)
    used = {font.glyph(c) for c in "Åå Ǻ"}  # accented letters are composites in DejaVu
    kept = with_components(font, used)
    assert kept > used | {0}, "the components of a composite are kept"
    embedded, truth = TTFont(io.BytesIO(subset(font, used))), TTFont(REGULAR)
    assert len(embedded.getGlyphOrder()) == len(truth.getGlyphOrder()), "glyph numbers unchanged"
    for glyph, name in enumerate(truth.getGlyphOrder()):
        drawn = DecomposingRecordingPen(embedded.getGlyphSet())
        embedded.getGlyphSet()[embedded.getGlyphOrder()[glyph]].draw(drawn)
        if glyph in kept:
            original = DecomposingRecordingPen(truth.getGlyphSet())
            truth.getGlyphSet()[name].draw(original)
            assert drawn.value == original.value, name
        else:
            assert not drawn.value, f"{name} should be empty"
    embedded.save(io.BytesIO())  # fontTools can write it back: tables consistent


def test_a_summary_pdf_embeds_small_compressed_fonts(ruleset, assessor):
    data = pdf.render_pdf(_summary(ruleset, assessor, "emergency"))
    streams = [body for body in _objects(data).values() if b"stream\n" in body]
    assert all(b"/FlateDecode" in body for body in streams)
    assert len(data) < 60_000, "subset fonts: the whole file is a few tens of kB"
    files = [zlib.decompress(body.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0])
             for number, body in _objects(data).items() if f"/FontFile2 {number} 0 R".encode() in data]
    assert len(files) == 2 + len({ord(c) >> 8 for c in LONG_NAME if ord(c) >= 0x3000})  # regular, bold, the CJK pages
    for file in files:
        TTFont(io.BytesIO(file))  # each one a readable font


def test_the_same_summary_gives_the_same_bytes(ruleset, assessor):
    summary = _summary(ruleset, assessor, "self_care")
    first, again = pdf.render_pdf(summary), pdf.render_pdf(summary)
    assert first == again
    later = pdf.render_pdf(summary.model_copy(update={"created": summary.created + timedelta(days=1)}))
    assert later != first
    info = PdfReader(io.BytesIO(first)).metadata
    assert info.creation_date == summary.created.astimezone(timezone.utc).replace(microsecond=0)
    assert info.title == f"{summary.title}: summary" and info.creator == "neck-triage"


def test_non_ascii_title_is_a_unicode_text_string():
    assert PdfReader(io.BytesIO(_canvas("x").output())).metadata.title == "Ein Titel: Zoë"


@pytest.mark.parametrize("paper, size", [("A4", (595.28, 841.89)), ("Letter", (612.0, 792.0))])
def test_page_sizes(paper, size):
    box = PdfReader(io.BytesIO(_canvas("x", paper=paper).output())).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(size, abs=0.01)


def test_an_unknown_paper_size_is_refused():
    with pytest.raises(ValueError, match="A4, Letter"):
        Canvas("A3")


def test_lines_boxes_and_colours_are_vector_operators():
    canvas = _canvas()
    canvas.set_draw_color(255, 0, 0)
    canvas.set_line_width(0.5)
    canvas.line(10, 10, 50, 10)
    canvas.set_fill_color(0, 0, 255)
    canvas.rect(10, 20, 30, 10, style="DF")
    canvas.polyline([(10, 40), (20, 45), (30, 41)])
    content = PdfReader(io.BytesIO(canvas.output())).pages[0].get_contents().get_data().decode("latin-1")
    assert "1.000 0.000 0.000 RG" in content and f"{0.5 * MM:.2f} w" in content
    assert "0.000 0.000 1.000 rg" in content and " re B" in content
    assert len([line for line in content.splitlines() if line.endswith(" l")]) == 2
    assert f"28.35 {(297 - 10) * MM:.2f} m" in content, "millimetres from the top left, in points"


def test_header_body_and_footer_are_read_in_that_order():
    canvas = _canvas("the body")
    canvas.set_font("regular", 8)
    canvas.select(0, "footer")
    canvas.text(20, 290, "the footer")
    canvas.select(0, "header")
    canvas.set_text_color(120, 120, 120)
    canvas.text(20, 10, "the header")
    text = " ".join(PdfReader(io.BytesIO(canvas.output())).pages[0].extract_text().split())
    assert text == "the header the body the footer"


def test_making_a_pdf_imports_neither_fpdf_nor_fonttools():
    probe = ("import sys; sys.path.insert(0, 'tests'); from triage.report.pdf_canvas import Canvas; "
             f"c = Canvas(); c.add_font('r', {REGULAR!r}); c.add_page(); c.set_font('r', 9); c.text(9, 9, 'x'); c.output(); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'fpdf', 'fontTools', 'PIL'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
