"""Letters as A4 PDF with DejaVu Sans embedded: every Vietnamese letter prints and copies."""

from __future__ import annotations

from fpdf import FPDF
from motcua_platform.letterhead import (
    FONT,
    Letterhead,
    add_dejavu,
    columns,
    dejavu_dir,
    draw_letterhead,
    nfc,
)

from notify.domain.letters import Letter

FONT_ENV = "MOTCUA_NOTIFY_FONT_DIR"


class PdfLetters:
    """Implements LetterRenderer. Pure CPU: callers run it in a worker thread.

    Decree 30/2020 layout: the shared letterhead (issuer and number left, national heading and
    place-and-date right), the title, "Kính gửi", the body, the signature block on the right.
    """

    def render(self, letter: Letter) -> bytes:
        pdf = FPDF(format="A4")
        pdf.set_margins(20, 15, 15)  # Decree 30/2020: left 30-35 mm on paper; 20 fits printers
        pdf.set_auto_page_break(True, margin=18)
        add_dejavu(pdf, dejavu_dir(FONT_ENV))  # parsed once per process
        pdf.set_title(nfc(letter.title))
        pdf.set_creator("motcua notify")
        pdf.add_page()
        width = pdf.w - pdf.l_margin - pdf.r_margin
        cols = columns(pdf)
        draw_letterhead(
            pdf,
            Letterhead(issuer=letter.unit_upper, number=letter.number, place_date=letter.date_line),
        )
        pdf.ln(7)

        def block(text: str, style: str, size: float, h: float, align: str = "C") -> None:
            pdf.set_font(FONT, style, size)
            pdf.multi_cell(width, h, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")

        block(letter.title, "B", 13, 7)
        pdf.ln(3)
        block(f"Kính gửi: {letter.addressee}", "", 11.5, 6.5)
        if letter.address:
            block(f"Địa chỉ: {letter.address}", "", 10, 5.5)
        pdf.ln(4)
        for paragraph in nfc(letter.body).split("\n"):
            if not paragraph.strip():
                pdf.ln(2.5)
                continue
            block(paragraph, "", 11.5, 6.2, align="J")
        pdf.ln(8)
        signer = letter.signer
        right_x = pdf.l_margin + cols.left

        def signature(text: str, style: str, size: float, h: float) -> None:
            pdf.set_font(FONT, style, size)
            pdf.set_x(right_x)
            pdf.multi_cell(cols.right, h, nfc(text), align="C", new_x="LMARGIN", new_y="NEXT")

        if pdf.will_page_break(5.8 * 3 + 5.5 + 24):  # the signature block stays together
            pdf.add_page()
        signature(f"{signer.on_behalf}\n{signer.title}", "B", 11, 5.8)
        signature("(Ký, ghi rõ họ tên và đóng dấu)", "I", 9.5, 5.5)
        pdf.ln(18)
        if signer.name:
            signature(signer.name, "B", 11, 6)
        return bytes(pdf.output())
