"""The summary as a PDF (fpdf2): one column, the result in a coloured box, the answers as a table.

Layout for a clinician: a running header on every page (patient, date, "page 1 of 2") and a running
footer with the safety line; then the result and what to do first, what was found and why, where
the questionnaire stopped early, the answers at a glance (a table, one row per section), and the
advice in brief (``outline(brief=True)``). Every paragraph, finding and table row is kept together:
it is measured first and moved whole to the next page if it does not fit, so no sentence or
answer is ever split across pages (and there are no columns to split it across).

Fonts ship in ``triage/report/fonts`` (Neck Triage Sans, DejaVu Sans Condensed cut to Latin, Greek,
Cyrillic and a few more scripts; Droid Sans Fallback for Chinese, Japanese and Korean, cut into one
small font per 256 code points), so any typed name prints on any machine, offline; see the fonts'
README. fpdf2 parses each font in proportion to its glyphs, so only the fallback pages the text
needs are loaded. Text is written with
``write``/``multi_cell`` calls, never as markup, so typed text cannot change the layout.
"""

from __future__ import annotations

import re
from datetime import timezone
from importlib import resources

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from .chart import geometry
from .outline import GRID_COLUMNS, SUBTITLE, TREND_HEADING, Block, Item, Section, disposition_lines, footer, outline, patient_lines, running_footer, running_header, with_colon
from .summary import Summary

FONT = "TriageSans"
FALLBACK = "CJKFallback"
BODY = 8.0  # points
SMALL = 7.2  # points: details, the answers table, the advice
LINE = 1.15  # line height, as a multiple of the font size
MM_PER_PT = 0.3528
LEVEL_COLOURS = {  # border, fill (the same colours as the HTML summary)
    "emergency": ((176, 0, 32), (253, 232, 235)),
    "urgent": ((196, 62, 0), (255, 240, 229)),
    "within_24h": ((178, 106, 0), (255, 247, 224)),
    "appointment": ((31, 95, 168), (233, 241, 251)),
    "self_care": ((46, 125, 50), (234, 245, 234)),
}
MUTED = (85, 85, 85)
TREND_COLOUR = (31, 78, 121)
CHART_HEIGHT = 25.0  # mm: the pain chart at the top right, heading and dates included
CHART_BOX = 62.0  # mm wide
PAPERS = {"a4": "A4", "letter": "Letter"}
_TOKENS = re.compile(r"\n|[^\S\n]+|\S+")


def render_pdf(summary: Summary, paper: str = "A4") -> bytes:
    return bytes(SummaryPDF(summary, paper).build())


def line_height(size: float) -> float:
    return size * LINE * MM_PER_PT


class SummaryPDF(FPDF):
    """A4 or Letter, with a running header (patient, date, page n of N) and a safety footer."""

    def __init__(self, summary: Summary, paper: str = "A4"):
        super().__init__(format=PAPERS.get(paper.lower(), paper))
        self.summary = summary
        self.set_margins(12, 13.5, 12)
        self.set_auto_page_break(True, margin=13)
        self.set_creation_date(summary.created.astimezone(timezone.utc).replace(tzinfo=timezone.utc))
        self.set_title(f"{summary.title}: summary")
        self.set_creator("neck-triage")
        self._wrapped: dict = {}
        self._widths: dict = {}
        _add_fonts(self, summary)

    # --- running header and footer ----------------------------------------------------------------

    def header(self) -> None:
        self.set_xy(self.l_margin, 7)
        self._font(7.5, colour=MUTED)
        page = f"page {self.page_no()} of {{nb}}"
        self.cell(self.epw - 24, 4, running_header(self.summary))
        self.cell(24, 4, page, align="R")
        self.set_draw_color(170, 170, 170)
        self.line(self.l_margin, 11.5, self.w - self.r_margin, 11.5)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-11.5)
        self._font(6.8, colour=MUTED)
        self.multi_cell(0, 3, f"{running_footer(self.summary)} {footer(self.summary)}.", align="C")

    # --- the document -----------------------------------------------------------------------------

    def build(self) -> bytearray:
        self.add_page()
        self._header_block()
        self._disposition_box()
        for section in outline(self.summary, brief=True):
            self._section(section)
        return self.output()

    def _font(self, size: float, bold: bool = False, colour=(0, 0, 0)) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)

    def _room(self) -> float:
        return self.page_break_trigger - self.get_y()

    def _keep(self, height: float) -> None:
        """Start a new page unless ``height`` fits on this one (never for content taller than a page)."""
        if height > self._room() and self.get_y() > self.t_margin + 1:
            self.add_page()

    def _header_block(self) -> None:
        """Title, subtitle and who; with a pain trend, the chart sits at the top right beside them
        (so it costs the page almost no height: a self-care case stays on one page)."""
        s = self.summary
        top = self.get_y()
        width = self.epw - (CHART_BOX + 3 if s.has_trend else 0)
        self._font(13, bold=True)
        self.multi_cell(width, 6, s.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._mixed(self.l_margin, width, 8, 3.6, "", SUBTITLE, colour=MUTED)
        self.ln(0.8)
        (first_label, name), *rest = patient_lines(s)
        self._text_unit(Item(name, first_label), BODY, indent=0, label_width=22, width=width)
        half = width / 2
        for left, right in zip(rest[::2], [*rest[1::2], None]):
            row = self.get_y()
            self._text_unit(Item(left[1], left[0]), BODY, indent=0, label_width=22 if not s.has_trend else 21, width=half - 2)
            bottom = self.get_y()
            if right:
                self.set_y(row)
                self._text_unit(Item(right[1], right[0]), BODY, indent=half, label_width=22 if not s.has_trend else 21, width=half)
            self.set_y(max(bottom, self.get_y()))
        bottom = self.get_y()
        if s.has_trend:
            self._trend_chart(self.l_margin + width + 3, top)
            bottom = max(bottom, top + CHART_HEIGHT)
        self.set_y(bottom + 1)

    def _disposition_box(self) -> None:
        """The result: a coloured box, the level in large type, what to do now and if worse."""
        s = self.summary
        border, fill = LEVEL_COLOURS[s.disposition.level.value]
        top, x, width = self.get_y(), self.l_margin, self.epw
        rows = [(7, "RESULT", "", 3.4), (13, f"{s.disposition.label} ({s.disposition.timeframe})", "", 6.0)]
        rows += [(8.5, f"{label}: ", value, 4.0) for label, value in disposition_lines(s)[1:]]
        height = 4 + sum(line * self._lines(bold, text, width - 10, size) for size, bold, text, line in rows)
        self.set_fill_color(*fill)
        self.set_draw_color(*border)
        self.set_line_width(0.8)
        self.rect(x, top, width, height, style="DF")
        self.set_fill_color(*border)
        self.rect(x, top, 3.5, height, style="F")
        self.set_y(top + 2)
        for size, bold, text, line in rows:
            self._mixed(x + 7, width - 10, size, line, bold, text)
        self.set_y(top + height + 2)
        self.set_line_width(0.2)
        self.set_draw_color(0, 0, 0)

    def _lines(self, bold_text: str, text: str, width: float, size: float) -> int:
        """How many lines a bold lead-in and its text take at ``width``: exactly as ``_mixed`` sets them."""
        return max(1, len(self._wrap(bold_text, text, width, size)))

    def _wrap(self, bold_text: str, text: str, width: float, size: float) -> tuple[tuple[tuple[bool, str], ...], ...]:
        """The lines of a bold lead-in and plain text at ``width``, each line a run of (bold, text) pieces.

        Words are measured once each (fpdf2's own line breaking re-measures the whole line for
        every character it adds); the result is kept, so measuring a paragraph to keep it whole
        and then setting it cost one wrap."""
        key = (bold_text, text, round(width, 3), size)
        if key not in self._wrapped:
            self._wrapped[key] = tuple(self._break(_words(bold_text, text), width, size))
        return self._wrapped[key]

    def _break(self, words: list[tuple[bool, str, bool]], width: float, size: float):
        line: list[tuple[bool, str]] = []
        used = 0.0
        for bold, word, spaced in words:
            if word == "\n":
                yield tuple(line)
                line, used = [], 0.0
                continue
            piece = (" " if spaced and line else "") + word
            wide = self._width(piece, bold, size)
            if line and used + wide > width:
                yield tuple(line)
                line, used, piece = [], 0.0, word
                wide = self._width(piece, bold, size)
            while wide > width and len(piece) > 1:  # a word longer than the line: cut it
                cut = max(1, self._fitting(piece, bold, size, width - used))
                yield (*line, (bold, piece[:cut]))
                line, used, piece = [], 0.0, piece[cut:]
                wide = self._width(piece, bold, size)
            line.append((bold, piece))
            used += wide
        if line:
            yield tuple(line)

    def _fitting(self, word: str, bold: bool, size: float, room: float) -> int:
        count = 0
        while count < len(word) and self._width(word[:count + 1], bold, size) <= room:
            count += 1
        return count

    def _width(self, text: str, bold: bool, size: float) -> float:
        key = (text, bold, size)
        if key not in self._widths:
            self.set_font(FONT, "B" if bold else "", size)
            self._widths[key] = self.get_string_width(text)
        return self._widths[key]

    def _mixed(self, x: float, width: float, size: float, line: float, bold_text: str, text: str,
               colour=(0, 0, 0)) -> None:
        """A bold lead-in followed by plain text, wrapped within [x, x + width], each line set as cells."""
        margin, self.c_margin = self.c_margin, 0
        for pieces in self._wrap(bold_text, text, width, size) or ((),):
            if self.get_y() + line > self.page_break_trigger:
                self.add_page()
            self.set_x(x)
            for bold, piece in _runs(pieces):
                self._font(size, bold=bold, colour=colour)
                self.cell(self._width(piece, bold, size), line, piece)
            self.set_xy(self.l_margin, self.get_y() + line)
        self.c_margin = margin

    # --- sections ---------------------------------------------------------------------------------

    def _section(self, section: Section) -> None:
        if section.key == "pain_trend":  # drawn at the top right, beside the header (``_trend_chart``)
            return
        if section.key == "not_a_diagnosis":  # one small closing paragraph, its heading as the lead-in
            text = " ".join(item.text for block in section.blocks for item in block.items)
            self._compact(Block("para", (Item(text),), section.heading))
            return
        first = self._first_height(section)
        self._keep(7 + first)  # the heading stays with its first paragraph or row
        self.ln(1.2)
        self._font(10, bold=True)
        self.cell(0, 4.6, section.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(170, 170, 170)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(0.8)
        for block in section.blocks:
            self._block(block, section.key)

    def _trend_chart(self, x: float, top: float) -> None:
        """The pain scores over time as a small vector chart (lines and squares, no image) in a box
        CHART_BOX wide and CHART_HEIGHT high at (x, top): its heading, a 0-10 grid, a line through the
        scores, each score above its point (up to 15 points), the first and last dates under it."""
        series = self.summary.trend_series
        self._font(8, bold=True)
        self.text(x, top + 2.6, TREND_HEADING)
        self._font(5.5, colour=MUTED)
        self.text(x + self._width(TREND_HEADING, True, 8) + 1.5, top + 2.6, f"(0-10, {len(series)} scores)")
        left, plot_top = x + 5, top + 6.5
        plot_w, plot_h = CHART_BOX - 5, CHART_HEIGHT - 11
        shape = geometry(series, left + 2, plot_top, plot_w - 4, plot_h)
        self.set_line_width(0.15)
        self.set_draw_color(200, 200, 200)
        for score, y in shape.grid:
            self.line(left, y, left + plot_w, y)
            self.text(left - 1 - self._width(str(score), False, 5.5), y + 0.7, str(score))
        self.set_draw_color(*TREND_COLOUR)
        self.set_line_width(0.45)
        self.polyline(list(shape.points))
        self.set_fill_color(*TREND_COLOUR)
        self._font(5.5, colour=TREND_COLOUR)
        for (px, py), (_, score) in zip(shape.points, series):
            self.rect(px - 0.6, py - 0.6, 1.2, 1.2, style="F")
            if shape.labelled:
                self.text(px - self._width(str(score), False, 5.5) / 2, py - 1.2, str(score))
        self._font(5.5, colour=MUTED)
        first, last = f"{series[0][0]:%Y-%m-%d}", f"{series[-1][0]:%Y-%m-%d}"
        self.text(left, plot_top + plot_h + 2.6, first)
        self.text(left + plot_w - self._width(last, False, 5.5), plot_top + plot_h + 2.6, last)
        self.set_line_width(0.2)
        self.set_draw_color(0, 0, 0)
        self.set_text_color(0, 0, 0)

    def _first_height(self, section: Section) -> float:
        block = section.blocks[0]
        if block.kind == "grid":
            return 12
        if block.compact:
            return self._compact_height(block)
        return self._unit_height(block.items[0], BODY, 3.5 if block.kind != "para" else 0)

    def _block(self, block: Block, key: str) -> None:
        if block.kind == "grid":
            self._grid(block)
            return
        if block.compact:
            self._compact(block)
            return
        size = SMALL if key in {"safety_net"} else BODY
        if block.title:
            self._keep(line_height(size) + self._unit_height(block.items[0], size, 3.5))
            self._mixed(self.l_margin, self.epw, size, line_height(size), with_colon(block.title), "")
        for number, item in enumerate(block.items, 1):
            marker = {"para": "", "bullets": "\u2022 ", "numbered": f"{number}. "}[block.kind]
            self._text_unit(item, size, indent=3.5 if marker else 0, marker=marker)

    def _unit_height(self, item: Item, size: float, indent: float, label_width: float = 0, width: float | None = None) -> float:
        width = (width or self.epw - indent) - label_width
        lead = with_colon(item.label) + " " if item.label and not label_width else ""
        height = self._lines(lead, item.text, width, size) * line_height(size)
        for detail in item.details:
            height += self._lines("", detail, width - 2.5, SMALL) * line_height(SMALL)
        return height + 0.4

    def _text_unit(self, item: Item, size: float, indent: float, marker: str = "", label_width: float = 0,
                   width: float | None = None) -> None:
        """One paragraph or list item with its detail lines, never split across pages."""
        self._keep(self._unit_height(item, size, indent, label_width, width))
        x, line = self.l_margin + indent, line_height(size)
        width = width or self.epw - indent
        top = self.get_y()
        if marker:
            self._font(size)
            self.set_xy(self.l_margin, top)
            self.cell(indent, line, marker.strip())
            self.set_xy(x, top)
        if label_width:
            self._font(size, bold=True)
            self.set_xy(x, top)
            self.cell(label_width, line, item.label or "")
            self._mixed(x + label_width, width - label_width, size, line, "", item.text)
        else:
            self._mixed(x, width, size, line, with_colon(item.label) + " " if item.label else "", item.text)
        for detail in item.details:
            self._mixed(x + 2.5, width - 2.5, SMALL, line_height(SMALL), "", detail, colour=(40, 40, 40))
        self.ln(0.4)

    def _compact_text(self, block: Block) -> tuple[str, str]:
        title = (block.title if block.title.endswith(".") else with_colon(block.title)) + " " if block.title else ""
        parts = [f"{with_colon(i.label)} {i.text}" if i.label else i.text for i in block.items]
        return title, " \u2022 ".join(parts)

    def _compact_height(self, block: Block) -> float:
        title, text = self._compact_text(block)
        return self._lines(title, text, self.epw, SMALL) * line_height(SMALL) + 0.8

    def _compact(self, block: Block) -> None:
        """A short list run on as one paragraph (self-care by name, stop signs): kept together."""
        self._keep(self._compact_height(block))
        title, text = self._compact_text(block)
        self._mixed(self.l_margin, self.epw, SMALL, line_height(SMALL), title, text)
        self.ln(0.8)

    def _grid(self, block: Block) -> None:
        """The answers table: one row per section; fpdf2 never splits a row and repeats the headings."""
        self._font(SMALL)
        self.set_draw_color(190, 190, 190)
        self.set_fill_color(255, 255, 255)
        headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
        widths = grid_widths(self.epw, block.items)
        with self.table(col_widths=widths, width=self.epw, headings_style=headings, line_height=line_height(SMALL),
                        padding=(0.4, 0.8, 0.4, 0.8), text_align="LEFT", repeat_headings=1, first_row_as_headings=True) as table:
            row = table.row()
            for name in ("Section", *GRID_COLUMNS):
                row.cell(name)
            for item in block.items:
                row = table.row()
                row.cell(item.label or "", style=FontFace(emphasis="BOLD"))
                for cell in item.cells:
                    row.cell(cell)
        self.ln(0.8)


def _words(bold_text: str, text: str) -> list[tuple[bool, str, bool]]:
    """(bold, word, whether a space comes before it) for each word of the lead-in and the text; a
    line break is the word "\\n"."""
    words: list[tuple[bool, str, bool]] = []
    spaced = False
    for bold, part in ((True, bold_text), (False, text)):
        for token in _TOKENS.findall(part):
            if token == "\n":
                words.append((bold, token, False))
                spaced = False
            elif token.isspace():
                spaced = True
            else:
                words.append((bold, token, spaced))
                spaced = False
    return words


def _runs(pieces: tuple[tuple[bool, str], ...]):
    """Neighbouring pieces in the same weight joined, so each run is one cell."""
    runs: list[tuple[bool, str]] = []
    for bold, piece in pieces:
        if runs and runs[-1][0] == bold:
            runs[-1] = (bold, runs[-1][1] + piece)
        else:
            runs.append((bold, piece))
    return runs


def grid_widths(total: float, rows: tuple[Item, ...]) -> tuple[float, ...]:
    """Section column fixed; an answer column at least 12% (7% if empty), the rest shared by its text's length."""
    lengths = [sum(len(row.cells[i]) for row in rows) for i in range(len(GRID_COLUMNS))]
    least = [(0.12 if n else 0.07) * total for n in lengths]
    spare = total - 0.14 * total - sum(least)
    return (0.14 * total, *(low + spare * n / (sum(lengths) or 1) for low, n in zip(least, lengths)))


def _add_fonts(pdf: FPDF, summary: Summary) -> None:
    """The main font (regular and bold); for characters it lacks, only the CJK pages they are on."""
    folder = resources.files("triage.report").joinpath("fonts")
    pdf.add_font(FONT, "", str(folder.joinpath("NeckTriageSans-Regular.ttf")))
    pdf.add_font(FONT, "B", str(folder.joinpath("NeckTriageSans-Bold.ttf")))
    fallbacks = []
    for page in fallback_pages(pdf.fonts[FONT.lower()].cmap, summary.model_dump_json()):
        path = folder.joinpath("cjk", f"NeckTriageCJK-{page:03x}.ttf")
        if path.is_file():
            pdf.add_font(f"{FALLBACK}{page:03x}", "", str(path))
            fallbacks.append(f"{FALLBACK}{page:03x}")
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks, exact_match=False)


def fallback_pages(cmap, text: str) -> list[int]:
    """The 256-code-point pages (code point >> 8) of the printable characters of ``text`` that the
    main font's ``cmap`` lacks: the fallback is shipped cut into one small font per page."""
    return sorted({ord(char) >> 8 for char in set(text) if ord(char) not in cmap and char.isprintable() and not char.isspace()})
