"""The printed letters: official layout, and every Vietnamese character survives extraction."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import pytest
from motcua_testkit.notify import settings_with_all_channels
from notify.adapters.letter_pdf import PdfLetters
from notify.application.letters import compose_letter
from notify.application.ports import Contact
from notify.application.templating import TemplateEngine, default_template
from notify.application.views import TenantView
from notify.domain.kinds import Channel, Kind, Recipient
from notify.domain.letters import TT01_2018, TT03_2025
from notify.domain.variables import sample
from pypdf import PdfReader

from tests.support.pdf_check import check_letterhead, check_pdf

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")  # huyền sắc hỏi ngã nặng
EVERY_LETTER = sorted({unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} | {"đ"})
EVERY_LETTER += [c.upper() for c in EVERY_LETTER]


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() or "" for p in pages))


def _letter(kind: Kind, edition: str = "", name: str = "Lò Thị Hoa") -> bytes:
    tenant = TenantView("chieng-khuong", settings_with_all_channels())
    template = default_template(kind, Channel.LETTER, edition)
    assert template is not None
    rendered = TemplateEngine().render(template, sample(kind))
    letter = compose_letter(
        tenant,
        rendered,
        Contact(full_name=name, address="Bản Hìn, xã Chiềng Khương"),
        number="05/XL-UBND",
        day=date(2025, 9, 5),
        recipient=Recipient.FAMILY if kind is Kind.CONDOLENCE_LETTER else Recipient.APPLICANT,
    )
    return PdfLetters().render(letter)


def test_every_vietnamese_letter_survives_in_the_pdf() -> None:
    assert len(EVERY_LETTER) == 146  # 12 vowels x 6 tones + đ, both cases
    text = _text(_letter(Kind.CONDOLENCE_LETTER, name=" ".join(EVERY_LETTER)))
    missing = [c for c in EVERY_LETTER if c not in text]
    assert not missing, missing


def test_the_apology_letter_has_the_national_heading_number_date_and_signature() -> None:
    pdf = _letter(Kind.APOLOGY_NOTICE, TT01_2018)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = " ".join(_text(pdf).split())
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "XÃ CHIỀNG KHƯƠNG",
        "Số: 05/XL-UBND",
        "Chiềng Khương, ngày 05 tháng 9 năm 2025",
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Kính gửi: Ông/Bà Lò Thị Hoa",
        "thành thật xin lỗi",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Lường Văn Thắng",
    ):
        assert expected in text, expected
    fonts = str(reader.pages[0]["/Resources"]["/Font"])  # type: ignore[index]
    assert "/F" in fonts
    assert b"DejaVu" in pdf  # embedded, so it prints the same everywhere


def test_the_2025_apology_follows_circular_03_2025() -> None:
    text = " ".join(_text(_letter(Kind.APOLOGY_NOTICE, TT03_2025)).split())
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text


def test_condolence_and_ceremony_letters_read_warmly() -> None:
    condolence = " ".join(_text(_letter(Kind.CONDOLENCE_LETTER)).split())
    assert "THƯ CHIA BUỒN" in condolence and "và gia quyến" in condolence
    assert "Thành kính phân ưu" in condolence
    invitation = " ".join(_text(_letter(Kind.CEREMONY_INVITATION)).split())
    assert "GIẤY MỜI" in invitation and "Lễ trao Giấy khai sinh" in invitation
    assert "Thời gian: 08 giờ 30, thứ Năm, ngày 18/09/2025" in invitation
    assert "Địa điểm: Hội trường Ủy ban nhân dân xã Chiềng Khương" in invitation


LETTERS = [
    (Kind.APOLOGY_NOTICE, TT01_2018, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
    (Kind.APOLOGY_NOTICE, TT03_2025, "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN"),
    (Kind.CONDOLENCE_LETTER, "", "THƯ CHIA BUỒN"),
    (Kind.CEREMONY_INVITATION, "", "GIẤY MỜI"),
    (Kind.MORNING_DIGEST, "", ""),
    (Kind.SUPPLEMENT_REQUEST, "", ""),
    (Kind.REFUSAL_NOTICE, "", ""),
]


@pytest.mark.parametrize(("kind", "edition", "title"), LETTERS)
def test_every_letter_is_laid_out_to_decree_30(kind: Kind, edition: str, title: str) -> None:
    """Number and symbol left under the issuer, place and date right under the motto, each
    with its rule; no text over text; every line survives extraction (PNG kept for review)."""
    checked = check_pdf(
        _letter(kind, edition),
        name=f"notify-{kind.value}{'-' + edition if edition else ''}",
        expect=[
            "ỦY BAN NHÂN DÂN",
            "XÃ CHIỀNG KHƯƠNG",
            "Số: 05/XL-UBND",
            "Chiềng Khương, ngày 05 tháng 9 năm 2025",
            "TM. ỦY BAN NHÂN DÂN",
            "(Ký, ghi rõ họ tên và đóng dấu)",
            *([title] if title else []),
        ],
    )
    check_letterhead(
        checked,
        issuer="XÃ CHIỀNG KHƯƠNG",
        number="05/XL-UBND",
        place_date="Chiềng Khương, ngày 05 tháng 9 năm 2025",
    )
    signer = checked.line("TM. ỦY BAN NHÂN DÂN")
    assert signer.centre > checked.width / 2  # the signature block on the right
    assert checked.line("Kính gửi:").top > checked.line("Chiềng Khương, ngày 05").bottom
