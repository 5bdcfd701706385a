"""The receipt as an A4 PDF with an embedded Unicode font, so Vietnamese renders everywhere."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from intake.adapters.qr import matrix
from intake.application.receipt import Receipt
from intake.domain.time import moment_vi

FONT_ENV = "MOTCUA_INTAKE_RECEIPT_FONT_DIR"


@lru_cache(maxsize=1)
def font_dir() -> Path:
    """DejaVu Sans (full Vietnamese coverage): matplotlib ships it, so `uv sync` is enough."""
    import os

    configured = os.environ.get(FONT_ENV)
    if configured:
        return Path(configured)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "mpl-data/fonts/ttf"
        if (bundled / "DejaVuSans.ttf").exists():
            return bundled
    return Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core


@lru_cache(maxsize=128)
def cached_pdf(r: Receipt) -> bytes:
    """A clerk prints, reprints and the desk's browser fetches again: the same receipt (same
    code, dates, applicant, lines...) is rendered once. A changed dossier is another key."""
    return render_pdf(r)


def render_pdf(r: Receipt) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(True, margin=15)
    fonts = font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Giấy tiếp nhận hồ sơ {r.code}")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, *, bold: bool = False, size: float = 10.5, align: str = "L") -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(width, 5.6, text, align=align, new_x="LMARGIN", new_y="NEXT")

    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.multi_cell(
        width / 2, 5, f"{r.agency_name.upper()}\nTRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", align="C"
    )
    pdf.set_xy(pdf.l_margin + width / 2, top)
    pdf.multi_cell(
        width / 2,
        5,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(5)
    line("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", bold=True, size=13, align="C")
    line(f"Mã hồ sơ: {r.code}", bold=True, align="C")
    pdf.ln(2)
    line(f"Bộ phận tiếp nhận và trả kết quả: {r.agency_name}")
    line(f"Tiếp nhận hồ sơ của: {r.applicant_name}")
    line(f"Địa chỉ: {r.applicant_address}")
    line(f"Số điện thoại: {r.applicant_phone}    Thư điện tử: {r.applicant_email}")
    line(f"Nội dung yêu cầu giải quyết: {r.procedure_name}")
    line("1. Thành phần hồ sơ nộp gồm:")
    pdf.set_font("DejaVu", "", 10)
    with pdf.table(
        col_widths=(8, 60, 22, 14), text_align=("CENTER", "LEFT", "LEFT", "CENTER"), line_height=5.6
    ) as table:
        table.row(("TT", "Tên giấy tờ", "Hình thức", "Số lượng"))
        for i, x in enumerate(r.lines, 1):
            table.row((str(i), x.name, x.form_vi, str(x.copies)))
    pdf.ln(2)
    line("2. Số lượng hồ sơ: 01 bộ")
    line(f"3. Thời gian giải quyết hồ sơ theo quy định: {r.time_limit_vi}")
    line(f"4. Thời gian nhận hồ sơ: {moment_vi(r.received_at)}")
    line(f"5. Thời gian trả kết quả giải quyết hồ sơ: {moment_vi(r.due_at)}", bold=True)
    if r.apology_new_due_at is not None:
        line(f"Ngày hẹn trả mới (theo phiếu xin lỗi): {moment_vi(r.apology_new_due_at)}", bold=True)
    line(f"6. Hình thức nộp: {r.channel_vi}; nhận kết quả tại Bộ phận một cửa.")
    pdf.ln(3)
    y = pdf.get_y()
    _qr(pdf, r.public_url, x=pdf.l_margin, y=y, size=32)
    pdf.set_xy(pdf.l_margin + 36, y + 4)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        width - 36,
        4.8,
        f"Quét mã QR để theo dõi tiến độ giải quyết hồ sơ:\n{r.public_url}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(y + 38)
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(width / 2, 5, "NGƯỜI NỘP HỒ SƠ\n(Ký và ghi rõ họ tên)", align="C")
    pdf.set_xy(pdf.l_margin + width / 2, top)
    pdf.multi_cell(width / 2, 5, "NGƯỜI TIẾP NHẬN HỒ SƠ\n(Ký và ghi rõ họ tên)", align="C")
    return bytes(pdf.output())


def _qr(pdf: FPDF, text: str, *, x: float, y: float, size: float) -> None:
    cells = matrix(text)
    unit = size / len(cells)
    pdf.set_fill_color(0, 0, 0)
    for row, values in enumerate(cells):
        for col, dark in enumerate(values):
            if dark:
                pdf.rect(x + col * unit, y + row * unit, unit, unit, style="F")
