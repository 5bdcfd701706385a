"""Letters as A4 PDF with DejaVu Sans embedded: every Vietnamese letter prints and copies."""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from notify.domain.letters import NATIONAL_HEADING, Letter

FONT_ENV = "MOTCUA_NOTIFY_FONT_DIR"


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """DejaVu Sans (full Vietnamese coverage): matplotlib ships it, so `uv sync` is enough."""
    configured = os.environ.get(FONT_ENV)
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "mpl-data/fonts/ttf"
        if (bundled / "DejaVuSans.ttf").exists():
            return bundled
    return Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class PdfLetters:
    """Implements LetterRenderer. Pure CPU: callers run it in a worker thread."""

    def render(self, letter: Letter) -> bytes:
        pdf = FPDF(format="A4")
        pdf.set_margins(20, 15, 15)  # Decree 30/2020: left 30-35 mm on paper; 20 fits printers
        pdf.set_auto_page_break(True, margin=18)
        fonts = font_dir()
        pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
        pdf.set_title(_nfc(letter.title))
        pdf.set_creator("motcua notify")
        pdf.add_page()
        width = pdf.w - pdf.l_margin - pdf.r_margin
        left, right = width * 0.42, width * 0.58

        top = pdf.get_y()
        pdf.set_font("DejaVu", "B", 10.5)
        pdf.multi_cell(left, 5.2, _nfc(letter.unit_upper), align="C")
        pdf.set_font("DejaVu", "", 10.5)
        pdf.multi_cell(left, 6, _nfc(f"Số: {letter.number}"), align="C")
        below_left = pdf.get_y()
        pdf.set_xy(pdf.l_margin + left, top)
        pdf.set_font("DejaVu", "B", 10.5)
        pdf.multi_cell(right, 5.2, NATIONAL_HEADING[0], align="C")
        pdf.set_x(pdf.l_margin + left)
        pdf.multi_cell(right, 5.2, NATIONAL_HEADING[1], align="C")
        pdf.set_x(pdf.l_margin + left)
        pdf.set_font("DejaVu", "I", 10.5)
        pdf.multi_cell(right, 7, _nfc(letter.date_line), align="C")
        pdf.set_y(max(pdf.get_y(), below_left) + 6)

        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(width, 7, _nfc(letter.title), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("DejaVu", "", 11.5)
        pdf.multi_cell(
            width,
            6.5,
            _nfc(f"Kính gửi: {letter.addressee}"),
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        if letter.address:
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(
                width,
                5.5,
                _nfc(f"Địa chỉ: {letter.address}"),
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.ln(4)
        pdf.set_font("DejaVu", "", 11.5)
        for paragraph in _nfc(letter.body).split("\n"):
            if not paragraph.strip():
                pdf.ln(2.5)
                continue
            pdf.multi_cell(width, 6.2, paragraph, align="J", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(8)
        signer = letter.signer
        pdf.set_x(pdf.l_margin + left)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(right, 5.8, _nfc(f"{signer.on_behalf}\n{signer.title}"), align="C")
        pdf.set_x(pdf.l_margin + left)
        pdf.set_font("DejaVu", "I", 9.5)
        pdf.multi_cell(right, 5.5, "(Ký, ghi rõ họ tên và đóng dấu)", align="C")
        pdf.ln(18)
        if signer.name:
            pdf.set_x(pdf.l_margin + left)
            pdf.set_font("DejaVu", "B", 11)
            pdf.multi_cell(right, 6, _nfc(signer.name), align="C")
        return bytes(pdf.output())
