"""The letterhead of Decree 30/2020/NĐ-CP (Appendix I), shared by every letter we print.

Pure layout on an fpdf2 page, no domain types: a service says who issues the letter, its
number and its place and date; this draws

    UBND XÃ CHIỀNG KHƯƠNG                 CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
      BỘ PHẬN MỘT CỬA                         Độc lập - Tự do - Hạnh phúc
          ──────                              ───────────────────────────
    Số: 05/XL-UBND                  Chiềng Khương, ngày 03 tháng 12 năm 2026

- left column: the managing body (upright capitals), the issuing body (bold capitals), a short
  rule under it (about a third of that line), then "Số: …/…" (its own line: never over
  anything else);
- right column: the national name (bold capitals), the motto (bold), a rule as long as the
  motto, then the place and date in italics.

Both columns are laid out line by line from the same top and the page continues below the
longer one. Fonts: DejaVu Sans (full Vietnamese coverage, with a ToUnicode map so the text
copies and searches); `add_dejavu` registers it.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import os
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
FONT = "DejaVu"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_UNIT_PREFIXES = ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ")


def place_of(unit_name: str) -> str:
    """The place a letter is dated at: 'Xã Chiềng Khương' -> 'Chiềng Khương'."""
    for prefix in _UNIT_PREFIXES:
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def place_and_date(place: str, day: date) -> str:
    """'Chiềng Khương, ngày 05 tháng 9 năm 2025': a day below 10 and the months 1 and 2 take
    a leading 0 (Decree 30/2020, Appendix I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


DEJAVU_FILES = (
    ("", "DejaVuSans.ttf"),
    ("B", "DejaVuSans-Bold.ttf"),
    ("I", "DejaVuSans-Oblique.ttf"),
    ("BI", "DejaVuSans-BoldOblique.ttf"),
)


@lru_cache(maxsize=8)
def dejavu_dir(env_var: str | None = None) -> Path:
    """DejaVu Sans: `env_var` if set, else matplotlib's copy (`uv sync` is enough), else
    Debian's fonts-dejavu-core. The one font lookup of every service (looked up once)."""
    configured = os.environ.get(env_var) if env_var else None
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "mpl-data/fonts/ttf"
        if (bundled / "DejaVuSans.ttf").exists():
            return bundled
    return Path("/usr/share/fonts/truetype/dejavu")


_parse_lock = threading.Lock()
_parsed: dict[tuple[Path, str], tuple[TTFFont, bytes]] = {}


def _parsed_font(path: Path, style: str) -> tuple[TTFFont, bytes]:
    """The font file parsed once per process (fpdf2's `add_font` parses it again for every
    document: cmap, widths and glyph ids of some 6,000 glyphs, most of a letter's CPU)."""
    key = (path, style)
    with _parse_lock:
        hit = _parsed.get(key)
        if hit is None:
            scratch = FPDF()
            scratch.add_font(FONT, style, str(path))
            parsed = scratch.fonts[f"{FONT.lower()}{style}"]
            assert isinstance(parsed, TTFFont)
            hit = (parsed, path.read_bytes())
            _parsed[key] = hit
        return hit


def _for_document(pdf: FPDF, proto: TTFFont, data: bytes) -> TTFFont:
    """A copy of the parsed font for one document: the read-only tables (widths, cmap,
    glyph ids, descriptor) are shared; what a document changes is its own (its index, the
    glyphs it uses, and the fontTools object that output subsets in place)."""
    font = copy.copy(proto)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(
        io.BytesIO(data), recalcTimestamp=False, fontNumber=proto.collection_font_number, lazy=True
    )
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    return font


def add_dejavu(pdf: FPDF, fonts: Path | None = None) -> None:
    """Regular, bold, italic and bold italic, as family `FONT`, from `fonts` (default: the
    one lookup, `dejavu_dir()`). Each file is parsed once per process and shared."""
    where = fonts or dejavu_dir()
    for style, file in DEJAVU_FILES:
        proto, data = _parsed_font(where / file, style)
        pdf.fonts[f"{FONT.lower()}{style}"] = _for_document(pdf, proto, data)


@dataclass(frozen=True)
class Letterhead:
    issuer: str  # the issuing body, e.g. "BỘ PHẬN MỘT CỬA" or "ỦY BAN NHÂN DÂN\nXÃ ..."
    place_date: str  # "Chiềng Khương, ngày 03 tháng 12 năm 2026"
    number: str | None = None  # "05/XL-UBND", printed as "Số: 05/XL-UBND"
    parent: str | None = None  # the managing body above it, e.g. "UBND XÃ CHIỀNG KHƯƠNG"
    number_label: str = "Số"


@dataclass(frozen=True)
class Columns:
    """The two columns' widths (mm): left for the issuer, right for the national heading."""

    left: float
    right: float


def columns(pdf: FPDF, left_share: float = 0.42) -> Columns:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    return Columns(width * left_share, width * (1 - left_share))


def draw_letterhead(
    pdf: FPDF, head: Letterhead, *, size: float = 10.5, left_share: float = 0.42
) -> float:
    """Draws the letterhead from the current y; returns the y below it (the cursor is left
    at the left margin there)."""
    cols = columns(pdf, left_share)
    top = pdf.get_y()
    left_x, right_x = pdf.l_margin, pdf.l_margin + cols.left
    line_h = size * 0.5  # mm per line, about 1.35 x the font size

    def cell(x: float, y: float, w: float, text: str, style: str, pt: float) -> float:
        pdf.set_font(FONT, style, pt)
        pdf.set_xy(x, y)
        pdf.multi_cell(w, line_h, nfc(text), align="C", new_x="LMARGIN", new_y="NEXT")
        return pdf.get_y()

    def rule(x: float, w: float, y: float, length: float) -> float:
        pdf.set_line_width(0.3)
        start = x + (w - length) / 2
        pdf.line(start, y + 1.1, start + length, y + 1.1)
        return y + 2.9

    def fitted(text: str, style: str) -> float:
        """A heading line a little too long for its column is set smaller (down to 2 points
        less), not wrapped; a much longer one wraps."""
        pdf.set_font(FONT, style, size)
        wide = pdf.get_string_width(nfc(text))
        room = cols.left - 2
        return size if wide <= room else max(size - 2, size * room / wide)

    # Left: managing body, issuing body, rule, number.
    y = top
    if head.parent:
        for part in head.parent.upper().split("\n"):
            y = cell(left_x, y, cols.left, part, "", fitted(part, ""))
    widest = 0.0
    for part in head.issuer.upper().split("\n"):
        pt = fitted(part, "B")
        y = cell(left_x, y, cols.left, part, "B", pt)
        widest = max(widest, min(pdf.get_string_width(nfc(part)), cols.left))
    y = rule(left_x, cols.left, y, widest / 3)
    if head.number:
        y = cell(left_x, y + 0.6, cols.left, f"{head.number_label}: {head.number}", "", size)
    below_left = y

    # Right: national name, motto, rule as long as the motto, place and date.
    y = cell(right_x, top, cols.right, NATIONAL_NAME, "B", size)
    y = cell(right_x, y, cols.right, MOTTO, "B", size + 0.5)
    pdf.set_font(FONT, "B", size + 0.5)
    y = rule(right_x, cols.right, y, min(pdf.get_string_width(MOTTO), cols.right))
    y = cell(right_x, y + 0.6, cols.right, head.place_date, "I", size)

    bottom = max(below_left, y)
    pdf.set_xy(pdf.l_margin, bottom)
    return bottom
