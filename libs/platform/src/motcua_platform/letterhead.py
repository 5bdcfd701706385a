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

import importlib.util
import os
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF

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


def dejavu_dir(env_var: str | None = None) -> Path:
    """DejaVu Sans: `env_var` if set, else matplotlib's copy (`uv sync` is enough), else
    Debian's fonts-dejavu-core."""
    configured = os.environ.get(env_var) if env_var else None
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "mpl-data/fonts/ttf"
        if (bundled / "DejaVuSans.ttf").exists():
            return bundled
    return Path("/usr/share/fonts/truetype/dejavu")


def add_dejavu(pdf: FPDF, fonts: Path) -> None:
    """Regular, bold, italic and bold italic, as family `FONT`."""
    for style, file in (
        ("", "DejaVuSans.ttf"),
        ("B", "DejaVuSans-Bold.ttf"),
        ("I", "DejaVuSans-Oblique.ttf"),
        ("BI", "DejaVuSans-BoldOblique.ttf"),
    ):
        pdf.add_font(FONT, style, str(fonts / file))


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
