"""The PDF checker itself: it sees text printed over text, lost lines, and columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from tests.support.pdf_check import check_pdf

FONTS = Path("/usr/share/fonts/truetype/dejavu")


def _font_dir() -> Path:
    import matplotlib

    bundled = Path(matplotlib.__file__).parent / "mpl-data/fonts/ttf"
    return bundled if (bundled / "DejaVuSans.ttf").exists() else FONTS


def _pdf(*cells: tuple[float, float, str]) -> bytes:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(_font_dir() / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", "", 11)
    pdf.add_page()
    for x, y, text in cells:
        pdf.text(x, y, text)
    return bytes(pdf.output())


def test_two_columns_are_two_lines_and_a_line_is_found_by_its_text() -> None:
    pdf = _pdf(
        (20, 20, "UBND XÃ CHIỀNG KHƯƠNG"),
        (110, 20, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        (20, 30, "Số: 01/TCB-UBND"),
        (110, 30, "Chiềng Khương, ngày 03 tháng 12 năm 2026"),
    )
    checked = check_pdf(pdf, name="pdf-check-columns", expect=["Số: 01/TCB-UBND"])
    assert [line.text for line in checked.lines] == [
        "UBND XÃ CHIỀNG KHƯƠNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 01/TCB-UBND",
        "Chiềng Khương, ngày 03 tháng 12 năm 2026",
    ]
    number, date = checked.line("Số:"), checked.line("ngày 03 tháng 12")
    assert number.x1 < date.x0 and abs(number.top - date.top) < 1
    assert "Chiềng Khương, ngày 03" in checked and "ngày 03 tháng 12 năm 2026" in checked.text
    assert checked.png.name == "pdf-check-columns.png" and checked.png.stat().st_size > 0
    assert checked.pages == 1 and round(checked.width / 72 * 25.4) == 210


def test_text_printed_over_text_fails() -> None:
    pdf = _pdf((120, 40, "Chiềng Khương, ngày 03 tháng 12 năm 2026"), (125, 41, "Số: 01/UBND"))
    with pytest.raises(AssertionError, match="text printed over text"):
        check_pdf(pdf, name="pdf-check-overlap")


def test_a_line_that_did_not_survive_extraction_fails() -> None:
    pdf = _pdf((20, 20, "Kính gửi: Ông/Bà Lò Thị Hoa"))
    check_pdf(pdf, name="pdf-check-found", expect=["Kính  gửi: Ông/Bà Lò Thị Hoa"])
    with pytest.raises(AssertionError, match="not found verbatim"):
        check_pdf(pdf, name="pdf-check-lost", expect=["Kinh gui: Ong/Ba Lo Thi Hoa"])
    with pytest.raises(AssertionError, match="no line contains"):
        check_pdf(pdf, name="pdf-check-lost").line("Chủ tịch")
