"""TrueType fonts for the PDF summary, read with ``struct``: which glyph draws each character, how wide
each glyph is, the metrics a PDF font descriptor needs, and a subset holding only the glyphs a
document uses.

Only what the shipped fonts (``fonts/``) need is read: the ``cmap`` formats 4 and 12, ``head``,
``hhea``, ``hmtx``, ``maxp``, ``OS/2``, ``post`` and the glyph outlines (``loca``/``glyf``). A subset
keeps every glyph's number (so the PDF can use glyph numbers as character codes, Identity-H) and
empties the outlines of the glyphs not used; the components of a composite glyph (an accented
letter drawn as letter plus accent) are kept with it. Fonts are parsed once per process.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

KEPT_TABLES = (b"OS/2", b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"post", b"prep")
_MORE_COMPONENTS, _WORD_ARGS, _SCALE, _XY_SCALE, _TWO_BY_TWO = 0x20, 0x1, 0x8, 0x40, 0x80


class FontError(ValueError):
    """A font file this reader cannot use."""


@dataclass(frozen=True, eq=False)
class TrueTypeFont:
    name: str  # the name the PDF gives it: the file's name without ".ttf"
    data: bytes = field(repr=False)
    tables: dict[bytes, tuple[int, int]] = field(repr=False)  # tag: (offset, length)
    cmap: dict[int, int] = field(repr=False)  # code point: glyph number
    widths: tuple[int, ...] = field(repr=False)  # advance of each glyph, in 1/1000 of the font size
    units_per_em: int
    bbox: tuple[int, int, int, int]  # in 1/1000 of the font size, like the rest below
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float
    stem_v: int

    def table(self, tag: bytes) -> bytes:
        offset, length = self.tables[tag]
        return self.data[offset:offset + length]

    def glyph(self, char: str) -> int:
        """The glyph number for ``char``, 0 (the font's "missing" box) when it has none."""
        return self.cmap.get(ord(char), 0)


@lru_cache(maxsize=None)
def load_font(path: str) -> TrueTypeFont:
    data = Path(path).read_bytes()
    try:
        return _parse(Path(path).stem, data)
    except (struct.error, KeyError, IndexError) as error:
        raise FontError(f"{path}: not a TrueType font this program can read ({error})") from error


def _parse(name: str, data: bytes) -> TrueTypeFont:
    if data[:4] not in (b"\x00\x01\x00\x00", b"true"):
        raise FontError(f"{name}: not a TrueType (glyf) font")
    count = struct.unpack_from(">H", data, 4)[0]
    tables = {}
    for n in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * n)
        tables[tag] = (offset, length)
    head, hhea, maxp = tables[b"head"][0], tables[b"hhea"][0], tables[b"maxp"][0]
    units = struct.unpack_from(">H", data, head + 18)[0]
    scale = 1000 / units
    bbox = tuple(round(v * scale) for v in struct.unpack_from(">4h", data, head + 36))
    ascent, descent = (round(v * scale) for v in struct.unpack_from(">2h", data, hhea + 4))
    glyphs = struct.unpack_from(">H", data, maxp + 4)[0]
    metrics = struct.unpack_from(">H", data, hhea + 34)[0]
    advances = struct.unpack_from(f">{2 * metrics}H", data, tables[b"hmtx"][0])[::2]
    widths = tuple(round(a * scale) for a in advances) + (round(advances[-1] * scale),) * (glyphs - metrics)
    cap_height, weight = ascent, 400
    if b"OS/2" in tables:
        offset, length = tables[b"OS/2"]
        weight = struct.unpack_from(">H", data, offset + 4)[0]
        if struct.unpack_from(">H", data, offset)[0] >= 2 and length >= 90:
            cap_height = round(struct.unpack_from(">h", data, offset + 88)[0] * scale)
    italic = struct.unpack_from(">i", data, tables[b"post"][0] + 4)[0] / 65536 if b"post" in tables else 0.0
    return TrueTypeFont(name=name, data=data, tables=tables, cmap=_cmap(data, tables[b"cmap"][0]), widths=widths,
                        units_per_em=units, bbox=bbox, ascent=ascent, descent=descent, cap_height=cap_height,
                        italic_angle=italic, stem_v=50 + int((weight / 65) ** 2))


def _cmap(data: bytes, cmap: int) -> dict[int, int]:
    """The Unicode character map: format 12 (all planes) when the font has one, else format 4."""
    count = struct.unpack_from(">H", data, cmap + 2)[0]
    subtables = {}
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * n)
        form = struct.unpack_from(">H", data, cmap + offset)[0]
        if (platform == 3 and encoding in (1, 10)) or platform == 0:
            subtables.setdefault(form, cmap + offset)
    if 12 in subtables:
        return _format12(data, subtables[12])
    if 4 in subtables:
        return _format4(data, subtables[4])
    raise FontError("no Unicode character map (cmap format 4 or 12)")


def _format4(data: bytes, at: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", data, at + 14)
    starts = struct.unpack_from(f">{segments}H", data, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", data, at + 16 + 4 * segments)
    range_at = at + 16 + 6 * segments
    offsets = struct.unpack_from(f">{segments}H", data, range_at)
    found: dict[int, int] = {}
    for n, (start, end, delta, offset) in enumerate(zip(starts, ends, deltas, offsets)):
        if start == 0xFFFF:
            continue
        if offset == 0:
            for code in range(start, end + 1):
                if (glyph := (code + delta) & 0xFFFF):
                    found[code] = glyph
            continue
        indices = struct.unpack_from(f">{end - start + 1}H", data, range_at + 2 * n + offset)
        for code, glyph in zip(range(start, end + 1), indices):
            if glyph and (glyph := (glyph + delta) & 0xFFFF):
                found[code] = glyph
    return found


def _format12(data: bytes, at: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", data, at + 12)[0]
    found: dict[int, int] = {}
    for n in range(groups):
        start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * n)
        found.update(zip(range(start, end + 1), range(glyph, glyph + end - start + 1)))
    return found


# --- subsetting -----------------------------------------------------------------------------------


def _locations(font: TrueTypeFont) -> tuple[int, ...]:
    long_offsets = struct.unpack_from(">h", font.data, font.tables[b"head"][0] + 50)[0]
    count = len(font.widths) + 1
    at = font.tables[b"loca"][0]
    if long_offsets:
        return struct.unpack_from(f">{count}I", font.data, at)
    return tuple(2 * v for v in struct.unpack_from(f">{count}H", font.data, at))


def with_components(font: TrueTypeFont, glyphs: set[int]) -> set[int]:
    """``glyphs``, glyph 0 and every glyph a composite among them is built from."""
    locations = _locations(font)
    glyf = font.tables[b"glyf"][0]
    kept, todo = set(), {0, *glyphs}
    while todo:
        glyph = todo.pop()
        kept.add(glyph)
        start, end = locations[glyph], locations[glyph + 1]
        if end - start < 10 or struct.unpack_from(">h", font.data, glyf + start)[0] >= 0:
            continue
        at = glyf + start + 10
        while True:
            flags, component = struct.unpack_from(">HH", font.data, at)
            if component not in kept:
                todo.add(component)
            at += 4 + (4 if flags & _WORD_ARGS else 2)
            at += 8 if flags & _TWO_BY_TWO else 4 if flags & _XY_SCALE else 2 if flags & _SCALE else 0
            if not flags & _MORE_COMPONENTS:
                break
    return kept


def subset(font: TrueTypeFont, glyphs: set[int]) -> bytes:
    """A font file with the same glyph numbers, only ``glyphs`` (and their components) drawn."""
    kept = with_components(font, glyphs)
    locations = _locations(font)
    glyf_at = font.tables[b"glyf"][0]
    outlines, loca = bytearray(), [0]
    for glyph in range(len(font.widths)):
        if glyph in kept:
            outlines += font.data[glyf_at + locations[glyph]:glyf_at + locations[glyph + 1]]
            outlines += b"\0" * (-len(outlines) % 4)
        loca.append(len(outlines))
    metrics = struct.unpack_from(">H", font.data, font.tables[b"hhea"][0] + 34)[0]
    hmtx = bytearray(font.table(b"hmtx"))
    for glyph in range(len(font.widths)):  # unused glyphs' metrics zeroed: they compress to nothing
        if glyph not in kept:
            at = 4 * glyph if glyph < metrics else 4 * metrics + 2 * (glyph - metrics)
            hmtx[at:at + (4 if glyph < metrics else 2)] = bytes(4 if glyph < metrics else 2)
    head = bytearray(font.table(b"head"))
    head[8:12] = bytes(4)  # checkSumAdjustment, set once the file is assembled
    head[50:52] = struct.pack(">h", 1)  # long loca offsets
    tables = {tag: font.table(tag) for tag in KEPT_TABLES if tag in font.tables}
    tables.update({b"glyf": bytes(outlines), b"loca": struct.pack(f">{len(loca)}I", *loca), b"hmtx": bytes(hmtx),
                   b"head": bytes(head)})
    return _assemble(tables)


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, (count - power) * 16)
    directory, body = bytearray(), bytearray()
    offset = 12 + 16 * count
    for tag in sorted(tables):
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    head = offset + sum(len(t) + -len(t) % 4 for tag, t in sorted(tables.items()) if tag < b"head")
    font[head + 8:head + 12] = struct.pack(">I", (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)
