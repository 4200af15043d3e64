"""Make the fonts the PDF summary ships (triage/report/fonts) from the upstream font files.

    python scripts/subset_fonts.py [--dejavu DIR] [--droid FILE]

Why: the PDF writer (triage/report/truetype.py) reads every font a summary uses, and its time and
memory grow with the font's size; the full DejaVu Sans Condensed (5,900 glyphs, twice: regular and
bold) and the 4 MB Droid Sans Fallback (28,600 glyphs) would cost more than the rest of the summary,
and only a few hundred characters can ever be needed. So:

- ``NeckTriageSans-Regular.ttf`` / ``-Bold.ttf``: DejaVu Sans Condensed cut to the scripts a name or
  the program's texts can need (``RANGES``), without the OpenType layout tables the PDF writer does not use
  (the PDF is written without text shaping). Renamed, as the Bitstream Vera licence requires of a
  modified font (no "Bitstream" or "Vera" in the name); the copyright and licence notices are kept.
- ``cjk/NeckTriageCJK-XXX.ttf``: Droid Sans Fallback cut into one small font per 256 code points
  (XXX = the code point >> 8, in hex), so a summary loads only the pages its text needs.

Needs fontTools (in the ``test`` extra: ``pip install -e '.[test]'``); the program itself never imports it. The defaults are Debian's ``fonts-dejavu-core`` and
``fonts-droid-fallback`` locations.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "triage" / "report" / "fonts"
FAMILY = "Neck Triage Sans"
CJK_FAMILY = "Neck Triage CJK Fallback"
RANGES = (  # inclusive; what a typed name or the program's own texts may use
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0250, 0x036F),  # IPA, spacing modifiers, combining diacritics (names typed decomposed)
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic and its supplement
    (0x0530, 0x058F),  # Armenian
    (0x0590, 0x05FF),  # Hebrew
    (0x10A0, 0x10FF),  # Georgian
    (0x1E00, 0x1FFF),  # Latin Extended Additional (Vietnamese), Greek Extended
    (0x2000, 0x20CF),  # General Punctuation, super- and subscripts, currency signs
    (0x2100, 0x22FF),  # letterlike symbols, number forms, arrows, mathematical operators
    (0x2580, 0x259F),  # block elements (the pain trend's sparkline)
    (0x25A0, 0x27BF),  # geometric shapes, miscellaneous symbols, dingbats (check marks, warning sign)
    (0xFB00, 0xFB4F),  # ligatures pasted from documents
    (0xFFFD, 0xFFFD),  # replacement character
)
DEJAVU = {"Regular": "DejaVuSansCondensed.ttf", "Bold": "DejaVuSansCondensed-Bold.ttf"}


def options(keep_layout: bool = False) -> subset.Options:
    chosen = subset.Options()
    chosen.name_IDs = ["*"]
    chosen.name_languages = ["*"]
    chosen.notdef_outline = True
    chosen.glyph_names = False
    if not keep_layout:
        chosen.layout_features = []
        chosen.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    return chosen


def rename(font: TTFont, family: str, style: str, source: str) -> None:
    """Family, full and PostScript names replaced; copyright, trademark and licence notices kept."""
    postscript = family.replace(" ", "") + "-" + style
    names = {1: family, 2: style, 3: f"{postscript};subset", 4: f"{family} {style}", 6: postscript,
             16: family, 17: style}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (18, 21, 22):
            table.removeNames(nameID=record.nameID)
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)
    notice = f"{family} is {source} cut to fewer characters for neck-triage (scripts/subset_fonts.py)."
    table.setName(notice, 10, 3, 1, 0x409)


def cut(source: Path, unicodes, target: Path, family: str, style: str, upstream: str) -> int:
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options())
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    rename(font, family, style, upstream)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(target)
    return len(font.getBestCmap())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dejavu", type=Path, default=Path("/usr/share/fonts/truetype/dejavu"))
    parser.add_argument("--droid", type=Path, default=Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"))
    args = parser.parse_args()
    wanted = [code for low, high in RANGES for code in range(low, high + 1)]
    for style, name in DEJAVU.items():
        target = FONTS / f"NeckTriageSans-{style}.ttf"
        print(f"{target.name}: {cut(args.dejavu / name, wanted, target, FAMILY, style, 'DejaVu Sans Condensed')} characters")
    pages: dict[int, list[int]] = {}
    for code in TTFont(args.droid, lazy=True).getBestCmap():
        if code >= 0x80:
            pages.setdefault(code >> 8, []).append(code)
    for old in (FONTS / "cjk").glob("*.ttf"):
        old.unlink()
    for page, codes in sorted(pages.items()):
        cut(args.droid, codes, FONTS / "cjk" / f"NeckTriageCJK-{page:03x}.ttf", CJK_FAMILY, "Regular", "Droid Sans Fallback")
    print(f"cjk/: {len(pages)} pages, {sum(map(len, pages.values()))} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
