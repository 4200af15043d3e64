"""A small PDF writer, just what the summary needs: pages, text in embedded TrueType fonts with
fallback fonts for the characters the main font lacks, colours, lines, boxes and polylines, and the
document's title, creator and creation date.

Positions are in millimetres from the top left corner of the page, as the layout (``pdf.py``) thinks
of them; text is placed by its baseline. Each page has three parts, drawn in this order: its header,
its body and its footer, so the layout can write the running header and footer once the number of
pages is known, and text extraction still reads the header first.

Fonts are embedded as Type0 fonts (CIDFontType2, Identity-H: the character codes are the font's
glyph numbers), each with its widths (``/W``) and a ToUnicode map, so the text can be searched,
extracted and copied. Only the glyphs used are kept in the embedded font (``truetype.subset``) and a
font no text used is not embedded at all. Streams are compressed. The same document and creation
date give the same bytes.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .truetype import TrueTypeFont, load_font, subset

MM = 72 / 25.4  # points per millimetre
PAPER_SIZES = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}  # width, height in mm
REPLACEMENT = "\ufffd"
PARTS = ("header", "body", "footer")


@dataclass(eq=False)
class Face:
    """One font as the document uses it: its resource name and the glyphs drawn with it."""
    key: str
    font: TrueTypeFont
    resource: str
    used: dict[int, str] = field(default_factory=dict)  # glyph: the character it was first drawn for


@dataclass(eq=False)
class _Part:
    ops: list[str] = field(default_factory=list)
    fill: tuple | None = (0.0, 0.0, 0.0)  # the state the PDF content is in (PDF's defaults to start)
    stroke: tuple | None = (0.0, 0.0, 0.0)
    line_width: float | None = 1.0


class Canvas:
    """Pages of one size; drawing goes to the part chosen by ``select`` (the new page's body)."""

    def __init__(self, paper: str = "A4"):
        if paper.lower() not in PAPER_SIZES:
            raise ValueError(f"paper size {paper!r}: choose from A4, Letter")
        self.w, self.h = PAPER_SIZES[paper.lower()]
        self.fonts: dict[str, Face] = {}
        self.fallbacks: list[Face] = []
        self.pages: list[dict[str, _Part]] = []
        self._part: _Part | None = None
        self._glyphs: dict[tuple[str, str], tuple[Face, int, int, str]] = {}
        self.face: Face | None = None
        self.font_size = 10.0  # points
        self.text_colour = (0, 0, 0)
        self.fill_colour = (0, 0, 0)
        self.draw_colour = (0, 0, 0)
        self.line_width = 0.2  # mm
        self.info = {"title": "", "creator": "", "created": datetime(2000, 1, 1, tzinfo=timezone.utc)}

    # --- set-up -----------------------------------------------------------------------------------

    def add_font(self, key: str, path: str) -> Face:
        self.fonts[key] = Face(key, load_font(path), f"F{len(self.fonts) + 1}")
        return self.fonts[key]

    def set_fallbacks(self, keys: list[str]) -> None:
        """Fonts tried in turn for a character the chosen font lacks."""
        self.fallbacks = [self.fonts[key] for key in keys]

    def add_page(self) -> int:
        self.pages.append({part: _Part() for part in PARTS})
        self.select(len(self.pages) - 1)
        return len(self.pages)

    def select(self, page: int, part: str = "body") -> None:
        """Draw on page ``page`` (from 0), in its header, body or footer."""
        self._part = self.pages[page][part]

    # --- state ------------------------------------------------------------------------------------

    def set_font(self, key: str, size: float) -> None:
        self.face, self.font_size = self.fonts[key], size

    def set_text_color(self, r: int, g: int, b: int) -> None:
        self.text_colour = (r, g, b)

    def set_fill_color(self, r: int, g: int, b: int) -> None:
        self.fill_colour = (r, g, b)

    def set_draw_color(self, r: int, g: int, b: int) -> None:
        self.draw_colour = (r, g, b)

    def set_line_width(self, width: float) -> None:
        self.line_width = width

    # --- text -------------------------------------------------------------------------------------

    def _glyph(self, face: Face, char: str) -> tuple[Face, int, int, str]:
        """(face, glyph, width, character drawn) for ``char`` in ``face``: its own glyph, a fallback
        font's, or the replacement character (which text extraction then gives)."""
        key = (face.key, char)
        if key not in self._glyphs:
            code = ord(char)
            chosen = next((f for f in (face, *self.fallbacks) if code in f.font.cmap), None)
            if chosen is None:
                chosen, code = face, ord(REPLACEMENT)
            glyph = chosen.font.cmap.get(code, 0)
            self._glyphs[key] = (chosen, glyph, chosen.font.widths[glyph], chr(code))
        return self._glyphs[key]

    def string_width(self, text: str, key: str | None = None, size: float | None = None) -> float:
        """The width of ``text`` in mm, in font ``key`` at ``size`` points (the current font if not given)."""
        face = self.fonts[key] if key else self.face
        units = sum(self._glyph(face, char)[2] for char in text)
        return units * (size or self.font_size) / 1000 / MM

    def text(self, x: float, y: float, text: str) -> None:
        """``text`` in the current font and text colour, starting at ``x``, its baseline at ``y``."""
        if not text:
            return
        runs: list[tuple[Face, list[int]]] = []
        for char in text:
            face, glyph, _, drawn = self._glyph(self.face, char)
            face.used.setdefault(glyph, drawn)
            if runs and runs[-1][0] is face:
                runs[-1][1].append(glyph)
            else:
                runs.append((face, [glyph]))
        ops = [f"BT {x * MM:.2f} {(self.h - y) * MM:.2f} Td"]
        for face, glyphs in runs:
            ops.append(f"/{face.resource} {self.font_size:.2f} Tf <{''.join(f'{g:04X}' for g in glyphs)}> Tj")
        self._fill(self.text_colour)
        self._part.ops.append(" ".join(ops) + " ET")

    # --- lines and boxes --------------------------------------------------------------------------

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._stroke()
        self._part.ops.append(f"{x1 * MM:.2f} {(self.h - y1) * MM:.2f} m {x2 * MM:.2f} {(self.h - y2) * MM:.2f} l S")

    def polyline(self, points: list[tuple[float, float]]) -> None:
        """Straight lines through ``points``, one ``l`` operator a line."""
        if len(points) < 2:
            return
        self._stroke()
        (x, y), *rest = points
        self._part.ops.append(f"{x * MM:.2f} {(self.h - y) * MM:.2f} m")
        self._part.ops += [f"{x * MM:.2f} {(self.h - y) * MM:.2f} l" for x, y in rest]
        self._part.ops.append("S")

    def rect(self, x: float, y: float, w: float, h: float, style: str = "D") -> None:
        """A box: ``D`` drawn (stroked), ``F`` filled, ``DF`` both."""
        if "F" in style:
            self._fill(self.fill_colour)
        if "D" in style:
            self._stroke()
        paint = {"D": "S", "F": "f", "DF": "B", "FD": "B"}[style]
        self._part.ops.append(f"{x * MM:.2f} {(self.h - y) * MM:.2f} {w * MM:.2f} {-h * MM:.2f} re {paint}")

    def _fill(self, colour: tuple) -> None:
        if self._part.fill != colour:
            self._part.fill = colour
            self._part.ops.append(f"{_rgb(colour)} rg")

    def _stroke(self) -> None:
        part = self._part
        if part.stroke != self.draw_colour:
            part.stroke = self.draw_colour
            part.ops.append(f"{_rgb(self.draw_colour)} RG")
        if part.line_width != self.line_width:
            part.line_width = self.line_width
            part.ops.append(f"{self.line_width * MM:.2f} w")

    # --- the file ---------------------------------------------------------------------------------

    def set_info(self, title: str, creator: str, created: datetime) -> None:
        self.info = {"title": title, "creator": creator, "created": created}

    def output(self) -> bytes:
        writer = _Writer()
        catalog, pages, resources, info = (writer.reserve() for _ in range(4))
        faces = [face for face in self.fonts.values() if face.used]
        font_refs = {face.resource: _embed(writer, face) for face in faces}
        kids = []
        for page in self.pages:
            content = "\n".join(op for part in PARTS for op in _wrapped(part, page[part].ops))
            stream = writer.stream(content.encode("latin-1"))
            kids.append(writer.add(f"<< /Type /Page /Parent {pages} 0 R /Resources {resources} 0 R /Contents {stream} 0 R >>"))
        fonts = " ".join(f"/{name} {ref} 0 R" for name, ref in font_refs.items())
        writer.set(resources, f"<< /Font << {fonts} >> >>")
        writer.set(pages, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} "
                          f"/MediaBox [0 0 {self.w * MM:.2f} {self.h * MM:.2f}] >>")
        writer.set(catalog, f"<< /Type /Catalog /Pages {pages} 0 R >>")
        created = self.info["created"].astimezone(timezone.utc)
        writer.set(info, f"<< /Title {_text_string(self.info['title'])} /Creator {_text_string(self.info['creator'])} "
                         f"/Producer {_text_string(self.info['creator'])} /CreationDate (D:{created:%Y%m%d%H%M%S}Z) >>")
        return writer.finish(catalog, info)


def _wrapped(part: str, ops: list[str]) -> list[str]:
    """The header and footer in their own graphics state, so the body starts from PDF's defaults."""
    return ["q", *ops, "Q"] if part != "body" and ops else ops


def _rgb(colour: tuple) -> str:
    return " ".join(f"{c / 255:.3f}" for c in colour)


def _text_string(text: str) -> str:
    """A PDF text string: ASCII as a literal, anything else as UTF-16 with its byte order mark."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", "\\r").replace("\n", "\\n")
        return f"({escaped})"
    return f"<FEFF{text.encode('utf-16-be').hex().upper()}>"


def _embed(writer: _Writer, face: Face) -> int:
    """Type0 font, CIDFont, descriptor, the subset font file and its ToUnicode map; the Type0's number."""
    font = face.font
    glyphs = sorted(face.used)
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(f"{font.name}{glyphs}".encode()).digest()[:6])
    name = f"{tag}+{font.name}"
    file = writer.stream(subset(font, set(glyphs)))
    descriptor = writer.add(
        f"<< /Type /FontDescriptor /FontName /{name} /Flags 4 /FontBBox [{' '.join(map(str, font.bbox))}] "
        f"/ItalicAngle {font.italic_angle:g} /Ascent {font.ascent} /Descent {font.descent} "
        f"/CapHeight {font.cap_height} /StemV {font.stem_v} /FontFile2 {file} 0 R >>")
    cid = writer.add(
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
        f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {descriptor} 0 R /DW 0 /W {_widths(font, glyphs)} /CIDToGIDMap /Identity >>")
    unicode = writer.stream(_to_unicode(face.used).encode("ascii"))
    return writer.add(f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                      f"/DescendantFonts [{cid} 0 R] /ToUnicode {unicode} 0 R >>")


def _widths(font: TrueTypeFont, glyphs: list[int]) -> str:
    """The /W array: each run of consecutive glyph numbers as ``first [w1 w2 ...]``."""
    runs: list[list[int]] = []
    for glyph in glyphs:
        if runs and runs[-1][0] + len(runs[-1]) - 1 == glyph - 1:
            runs[-1].append(glyph)
        else:
            runs.append([glyph])
    return "[" + " ".join(f"{run[0]} [{' '.join(str(font.widths[g]) for g in run)}]" for run in runs) + "]"


def _to_unicode(used: dict[int, str]) -> str:
    entries = [f"<{glyph:04X}> <{used[glyph].encode('utf-16-be').hex().upper()}>" for glyph in sorted(used)]
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks) + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")


class _Writer:
    """Numbered objects, then the cross-reference table and trailer."""

    def __init__(self):
        self.objects: list[bytes | None] = []

    def reserve(self) -> int:
        self.objects.append(None)
        return len(self.objects)

    def set(self, number: int, body: str | bytes) -> None:
        self.objects[number - 1] = body.encode("latin-1") if isinstance(body, str) else body

    def add(self, body: str | bytes) -> int:
        number = self.reserve()
        self.set(number, body)
        return number

    def stream(self, data: bytes) -> int:
        packed = zlib.compress(data, 6)
        return self.add(b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed) + packed + b"\nendstream")

    def finish(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        digest = hashlib.sha256(bytes(out)).hexdigest()[:32].upper()
        out += (f"trailer\n<< /Size {len(self.objects) + 1} /Root {root} 0 R /Info {info} 0 R "
                f"/ID [<{digest}> <{digest}>] >>\nstartxref\n{xref}\n%%EOF\n").encode("ascii")
        return bytes(out)
