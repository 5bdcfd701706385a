"""The desk's forms as A4 PDF with an embedded Unicode font, so Vietnamese renders everywhere:
the receipt (Form 01), the supplement request (Form 02) and the refusal (Form 03), each under
the Decree 30/2020 letterhead shared by every letter the platform prints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from fpdf import FPDF
from motcua_platform.letterhead import (
    FONT,
    Letterhead,
    add_dejavu,
    dejavu_dir,
    draw_letterhead,
    nfc,
    place_and_date,
    place_of,
)

from intake.adapters.qr import matrix
from intake.application.forms import DeskForm
from intake.application.receipt import Receipt
from intake.domain.desk_names import desk_name
from intake.domain.time import VN, moment_vi

FONT_ENV = "MOTCUA_INTAKE_RECEIPT_FONT_DIR"


def _page(title: str, agency_name: str, received_at: datetime, dated: datetime) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 15, 15)  # Decree 30/2020: left 30-35 mm on paper; 20 fits printers
    pdf.set_auto_page_break(True, margin=15)
    add_dejavu(pdf, dejavu_dir(FONT_ENV))  # parsed once per process
    pdf.set_title(nfc(title))
    pdf.set_creator("motcua intake")
    pdf.add_page()
    draw_letterhead(
        pdf,
        Letterhead(
            parent=f"UBND {agency_name}",
            issuer=desk_name(received_at),
            place_date=place_and_date(place_of(agency_name), dated.astimezone(VN).date()),
        ),
    )
    pdf.ln(6)
    return pdf


def _writer(pdf: FPDF) -> Callable[..., None]:
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, *, bold: bool = False, size: float = 10.5, align: str = "L") -> None:
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(width, 5.6, nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")

    return line


def _two_signatures(pdf: FPDF, left: str, right: str) -> None:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    if pdf.will_page_break(30):
        pdf.add_page()
    top = pdf.get_y()
    for x, text in ((pdf.l_margin, left), (pdf.l_margin + width / 2, right)):
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(width / 2, 5, nfc(text), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(x)
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(width / 2, 5, "(Ký và ghi rõ họ tên)", align="C")


@lru_cache(maxsize=128)
def cached_pdf(r: Receipt) -> bytes:
    """A clerk prints, reprints and the desk's browser fetches again: the same receipt (same
    code, dates, applicant, lines...) is rendered once. A changed dossier is another key."""
    return render_pdf(r)


def render_pdf(r: Receipt) -> bytes:
    pdf = _page(f"Giấy tiếp nhận hồ sơ {r.code}", r.agency_name, r.received_at, r.received_at)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    line = _writer(pdf)
    line("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", bold=True, size=13, align="C")
    line(f"Mã hồ sơ: {r.code}", bold=True, align="C")
    pdf.ln(2)
    line(f"Bộ phận tiếp nhận và trả kết quả: {r.agency_name}")
    line(f"Tiếp nhận hồ sơ của: {r.applicant_name}")
    line(f"Địa chỉ: {r.applicant_address}")
    line(f"Số điện thoại: {r.applicant_phone}    Thư điện tử: {r.applicant_email}")
    line(f"Nội dung yêu cầu giải quyết: {r.procedure_name}")
    line("1. Thành phần hồ sơ nộp gồm:")
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=(8, 60, 22, 14), text_align=("CENTER", "LEFT", "LEFT", "CENTER"), line_height=5.6
    ) as table:
        table.row(("TT", "Tên giấy tờ", "Hình thức", "Số lượng"))
        for i, x in enumerate(r.lines, 1):
            table.row((str(i), nfc(x.name), nfc(x.form_vi), str(x.copies)))
    pdf.ln(2)
    line("2. Số lượng hồ sơ: 01 bộ")
    line(f"3. Thời gian giải quyết hồ sơ theo quy định: {r.time_limit_vi}")
    line(f"4. Thời gian nhận hồ sơ: {moment_vi(r.received_at)}")
    line(f"5. Thời gian trả kết quả giải quyết hồ sơ: {moment_vi(r.due_at)}", bold=True)
    if r.apology_new_due_at is not None:
        line(f"Ngày hẹn trả mới (theo phiếu xin lỗi): {moment_vi(r.apology_new_due_at)}", bold=True)
    line(f"6. Hình thức nộp: {r.channel_vi}; nhận kết quả tại Bộ phận một cửa.")
    pdf.ln(3)
    if pdf.will_page_break(38 + 30):
        pdf.add_page()
    y = pdf.get_y()
    _qr(pdf, r.public_url, x=pdf.l_margin, y=y, size=32)
    pdf.set_xy(pdf.l_margin + 36, y + 4)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        width - 36,
        4.8,
        f"Quét mã QR để theo dõi tiến độ giải quyết hồ sơ:\n{r.public_url}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(y + 38)
    _two_signatures(pdf, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ")
    return bytes(pdf.output())


FORM_TITLES = {
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
}


def render_form(f: DeskForm) -> bytes:
    """Form 02 (everything missing, listed at once) or Form 03 (the reasons, in full)."""
    title = FORM_TITLES[f.form]
    pdf = _page(f"{title.capitalize()} {f.code}", f.agency_name, f.received_at, f.issued_at)
    line = _writer(pdf)
    line(title, bold=True, size=13, align="C")
    line(f"Mã hồ sơ: {f.code}", bold=True, align="C")
    pdf.ln(3)
    line(f"Kính gửi: Ông/Bà {f.applicant_name}", size=11.5, align="C")
    if f.applicant_address:
        line(f"Địa chỉ: {f.applicant_address}", size=10, align="C")
    pdf.ln(3)
    received = f.received_at.astimezone(VN).strftime("%d/%m/%Y")
    line(
        f"Ngày {received}, Bộ phận một cửa {f.agency_name} tiếp nhận hồ sơ đề nghị giải quyết"
        f" thủ tục: {f.procedure_name}.",
        align="J",
    )
    if f.form == "02":
        ask = (
            "Sau khi xem xét, hồ sơ chưa đầy đủ, hợp lệ. Đề nghị Ông/Bà bổ sung, hoàn thiện"
            " hồ sơ gồm những nội dung sau (đã liệt kê đầy đủ một lần):"
        )
    else:
        ask = "Sau khi xem xét, Bộ phận một cửa từ chối tiếp nhận, giải quyết hồ sơ vì lý do sau:"
    line(ask, align="J")
    pdf.ln(1)
    for i, item in enumerate(f.items, 1):
        line(f"{i}. {item}", align="L")
    pdf.ln(2)
    line("Xin trân trọng thông báo để Ông/Bà được biết và thực hiện.", align="J")
    pdf.ln(8)
    desk = "NGƯỜI HƯỚNG DẪN" if f.form == "02" else "NGƯỜI TIẾP NHẬN HỒ SƠ"
    _two_signatures(pdf, "NGƯỜI NỘP HỒ SƠ", desk)
    return bytes(pdf.output())


def _qr(pdf: FPDF, text: str, *, x: float, y: float, size: float) -> None:
    cells = matrix(text)
    unit = size / len(cells)
    pdf.set_fill_color(0, 0, 0)
    for row, values in enumerate(cells):
        for col, dark in enumerate(values):
            if dark:
                pdf.rect(x + col * unit, y + row * unit, unit, unit, style="F")
