"""The summary as a PDF (fpdf2): the result in a coloured box at the top, then the outline.

Fonts ship in ``triage/report/fonts`` (DejaVu Sans Condensed for Latin, Greek and Cyrillic; Droid Sans
Fallback for Chinese, Japanese and Korean), so any typed name prints on any machine, offline.
Text is written with ``write`` calls, never as markup, so typed text cannot change the layout.
The long advice sections are set in two columns so that a typical case fits on two A4 pages.
"""

from __future__ import annotations

from datetime import timezone
from importlib import resources

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .outline import Block, Section, disposition_lines, footer, outline, patient_lines, with_colon
from .summary import Summary

FONT = "DejaVu"
FALLBACK = "DroidFallback"
BODY = 8.0  # points: answers, findings, questions
ADVICE = 7.2  # points: the long self-care, exercise and prevention texts (like a medicine leaflet)
LINE = 1.12  # line height, as a multiple of the font size
SMALL_PRINT = {"self_care", "exercises", "prevention"}
TWO_COLUMNS = {"symptoms", "answers", "self_care", "exercises", "prevention", "questions", "safety_net"}
KEEP_WITH_HEADING = 16  # mm: start a section on a new page rather than leave its heading alone
LEVEL_COLOURS = {  # border, fill (the same colours as the HTML summary)
    "emergency": ((176, 0, 32), (253, 232, 235)),
    "urgent": ((196, 62, 0), (255, 240, 229)),
    "within_24h": ((178, 106, 0), (255, 247, 224)),
    "appointment": ((31, 95, 168), (233, 241, 251)),
    "self_care": ((46, 125, 50), (234, 245, 234)),
}
MUTED = (85, 85, 85)


def render_pdf(summary: Summary) -> bytes:
    return bytes(SummaryPDF(summary).build())


class SummaryPDF(FPDF):
    """An A4 page with a footer naming the summary and the page number."""

    def __init__(self, summary: Summary, paper: str = "A4"):
        super().__init__(format=paper)
        self.summary = summary
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(True, margin=10)
        self.set_creation_date(summary.created.astimezone(timezone.utc).replace(tzinfo=timezone.utc))
        self.set_title(f"{summary.title}: summary")
        self.set_creator("neck-triage")
        _add_fonts(self)

    def footer(self) -> None:
        self.set_y(-8.5)
        self._font(6.8, colour=MUTED)
        text = f"{self.summary.title}, {self.summary.created_text}. Not a diagnosis. Page {self.page_no()}/{{nb}}"
        self.cell(0, 4, text, align="C")

    def build(self) -> bytearray:
        self.add_page()
        self._header_block()
        self._disposition_box()
        for section in outline(self.summary):
            if section.key == "not_a_diagnosis":
                self._closing_note(section)
            else:
                self._section(section)
        return self.output()

    def _closing_note(self, section: Section) -> None:
        """The not-a-diagnosis note and the ruleset, small and last (the page footer repeats it)."""
        self.ln(1)
        self.set_draw_color(170, 170, 170)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(0.6)
        text = " ".join(item.text for block in section.blocks for item in block.items)
        text += f" {footer(self.summary)}."
        self._mixed_line(self.l_margin, self.epw, ADVICE + 0.3, 3.5, f"{section.heading}. ", text)

    # --- pieces ------------------------------------------------------------------------------

    def _font(self, size: float, bold: bool = False, colour=(0, 0, 0)) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)

    def _header_block(self) -> None:
        s = self.summary
        self._font(14, bold=True)
        self.multi_cell(0, 6.5, s.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._font(8.5, colour=MUTED)
        self.cell(0, 4.5, "Summary to bring to your appointment", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        half = self.epw / 2
        for index, (label, value) in enumerate(patient_lines(s)):
            x = self.l_margin + (half if index % 2 else 0)
            self._label_value(x, half - 2, label, value)
            if index % 2 or index == len(patient_lines(s)) - 1:
                self.set_y(self._row_bottom)
        self.ln(1.5)

    _row_bottom = 0.0

    def _label_value(self, x: float, width: float, label: str, value: str) -> None:
        """One 'Label: value' pair in a column of the header grid."""
        top = self.get_y()
        self.set_xy(x, top)
        self._font(9, bold=True)
        self.cell(24, 4.6, label)
        self._font(9)
        self.multi_cell(width - 24, 4.6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._row_bottom = max(self.get_y(), self._row_bottom if x > self.l_margin else 0)
        self.set_y(top)

    def _disposition_box(self) -> None:
        """The result: a coloured box, the level in large type, what to do now and if worse."""
        s = self.summary
        border, fill = LEVEL_COLOURS[s.disposition.level.value]
        top, x, width = self.get_y(), self.l_margin, self.epw
        height = self._disposition_text(x + 7, width - 10, dry_run=True)
        self.set_fill_color(*fill)
        self.set_draw_color(*border)
        self.set_line_width(0.8)
        self.rect(x, top, width, height, style="DF")
        self.set_fill_color(*border)
        self.rect(x, top, 3.5, height, style="F")
        self.set_y(top)
        self._disposition_text(x + 7, width - 10, dry_run=False)
        self.set_y(top + height + 2)
        self.set_line_width(0.2)
        self.set_draw_color(0, 0, 0)

    def _disposition_text(self, x: float, width: float, dry_run: bool) -> float:
        """Write (or, with ``dry_run``, only measure) the lines of the result box; returns its height."""
        s = self.summary
        rows = [(7.5, "RESULT", "", 4.0), (15, f"{s.disposition.label} ({s.disposition.timeframe})", "", 7.0)]
        rows += [(9, f"{label}: ", value, 4.4) for label, value in disposition_lines(s)[1:]]
        top = self.get_y()
        self.set_y(top + 2.5)
        for size, bold_text, text, line in rows:
            self._font(size, bold=True)
            if dry_run:
                self._font(size)
                self.set_y(self.get_y() + line * len(self.multi_cell(width, line, bold_text + text, dry_run=True, output="LINES")))
                continue
            self._mixed_line(x, width, size, line, bold_text, text)
        return self.get_y() - top + 2.5

    def _mixed_line(self, x: float, width: float, size: float, line: float, bold_text: str, text: str) -> None:
        """A bold lead-in followed by plain text, wrapped within [x, x + width]."""
        margins = self.l_margin, self.r_margin
        self.set_left_margin(x)
        self.set_right_margin(self.w - x - width)
        self.set_x(x)
        self._font(size, bold=True)
        self.write(line, bold_text)
        self._font(size)
        self.write(line, text)
        self.ln(line)
        self.set_left_margin(margins[0])
        self.set_right_margin(margins[1])

    def _section(self, section: Section) -> None:
        if self.get_y() > self.h - self.b_margin - KEEP_WITH_HEADING:
            self.add_page()
        self.ln(0.8)
        self._font(10.5, bold=True)
        self.cell(0, 4.6, section.heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(170, 170, 170)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(0.5)
        columns = 2 if section.key in TWO_COLUMNS else 1
        size = ADVICE if section.key in SMALL_PRINT else BODY
        region = self.text_columns(ncols=columns, gutter=6, balance=columns > 1, line_height=LINE)
        for block in section.blocks:
            self._block(region, block, size)
        region.render()

    def _block(self, region, block: Block, size: float) -> None:
        if block.title:
            self._font(size, bold=True)
            with region.paragraph(top_margin=1.0) as paragraph:
                paragraph.write(block.title)
        if block.compact:
            self._run_on(region, block, size)
            return
        for number, item in enumerate(block.items, 1):
            self._font(size)  # the bullet takes the font that is current when the paragraph opens
            marker = {"para": "", "bullets": "\u2022", "numbered": f"{number}."}[block.kind]
            indent = 3.5 if marker else 0
            with region.paragraph(indent=indent, bullet_string=marker, bullet_r_margin=1.2, top_margin=0.15) as paragraph:
                self._label(paragraph, item.label, size)
                paragraph.write(item.text)
            for detail in item.details:
                self._font(size - 0.4, colour=(40, 40, 40))
                with region.paragraph(indent=indent + 2.5) as paragraph:
                    paragraph.write(detail)

    def _label(self, paragraph, label: str | None, size: float, colon: bool = True) -> None:
        """A bold lead-in ('Label:'), then switch back to the regular font."""
        if label:
            self._font(size, bold=True)
            paragraph.write((with_colon(label) if colon else label) + " ")
        self._font(size)

    def _run_on(self, region, block: Block, size: float) -> None:
        """Every item in one paragraph: numbered steps, or a long list of short facts."""
        size = size if block.kind == "numbered" else ADVICE
        self._font(size)
        with region.paragraph(top_margin=0.3) as paragraph:
            for number, item in enumerate(block.items, 1):
                if block.kind == "numbered":
                    self._label(paragraph, f"{'' if number == 1 else '  '}{number}.", size, colon=False)
                else:
                    self._font(size)
                    paragraph.write("" if number == 1 else "  \u2022 ")
                    self._label(paragraph, item.label, size)
                paragraph.write(item.text)


def _add_fonts(pdf: FPDF) -> None:
    folder = resources.files("triage.report").joinpath("fonts")
    pdf.add_font(FONT, "", str(folder.joinpath("DejaVuSansCondensed.ttf")))
    pdf.add_font(FONT, "B", str(folder.joinpath("DejaVuSansCondensed-Bold.ttf")))
    pdf.add_font(FALLBACK, "", str(folder.joinpath("DroidSansFallbackFull.ttf")))
    pdf.set_fallback_fonts([FALLBACK], exact_match=False)

