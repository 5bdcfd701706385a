"""The desk's printed forms: receipt (Form 01), supplement request (Form 02), refusal (Form 03),
each laid out to Decree 30/2020 and read back as a person would see it (PNG kept)."""

from __future__ import annotations

from typing import Any

from motcua_testkit.intake import A, Desk

from tests.support.pdf_check import check_letterhead, check_pdf

DATED = "Quyết Thắng, ngày 13 tháng 02 năm 2026"  # received 13/02/2026: month 2 takes a 0


def _url(d: dict[str, Any], paper: str) -> str:
    return f"/api/v1/communes/{A}/dossiers/{d['dossier_id']}/{paper}"


async def _pdf(desk: Desk, d: dict[str, Any], paper: str) -> bytes:
    r = await desk.client.get(_url(d, paper), headers=desk.auth())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    return r.content


async def test_the_receipt_is_laid_out_to_decree_30(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    checked = check_pdf(
        await _pdf(desk, d, "receipt.pdf"),
        name="intake-receipt-form01",
        expect=[
            "UBND PHƯỜNG QUYẾT THẮNG",
            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
            DATED,
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {d['code']}",
            "Tiếp nhận hồ sơ của: Lò Văn Bình",
            "Giấy chứng nhận kết hôn của cha mẹ",
            "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, Thứ Sáu ngày 13/02/2026",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
        ],
    )
    check_letterhead(checked, issuer="TRUNG TÂM PHỤC VỤ", place_date=DATED)
    assert checked.line("UBND PHƯỜNG QUYẾT THẮNG").bottom <= checked.line("TRUNG TÂM").top


async def test_the_supplement_request_form_02_lists_everything_missing(desk: Desk) -> None:
    d = await desk.register()
    early = await desk.client.get(_url(d, "supplement-request.pdf"), headers=desk.auth())
    assert early.status_code == 409 and early.json()["code"] == "form.no_supplement_request"
    missing = ["Bản sao Giấy chứng nhận kết hôn của cha mẹ", "Giấy chứng sinh (bản chính)"]
    r = await desk.act(d, "supplement-request", {"missing_items": missing})
    assert r.status_code == 200, r.text
    checked = check_pdf(
        await _pdf(desk, d, "supplement-request.pdf"),
        name="intake-supplement-form02",
        expect=[
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            f"Mã hồ sơ: {d['code']}",
            "Kính gửi: Ông/Bà Lò Văn Bình",
            "1. Bản sao Giấy chứng nhận kết hôn của cha mẹ",
            "2. Giấy chứng sinh (bản chính)",
            "đã liệt kê đầy đủ một lần",
            "NGƯỜI HƯỚNG DẪN",
        ],
    )
    check_letterhead(checked, issuer="TRUNG TÂM PHỤC VỤ", place_date=DATED)
    monitor = await desk.client.get(
        _url(d, "supplement-request.pdf"), headers=desk.auth("province_monitor", None)
    )
    assert monitor.status_code == 403  # names and addresses: the commune's staff only


async def test_the_refusal_form_03_gives_the_desks_reasons(desk: Desk) -> None:
    d = await desk.register()
    early = await desk.client.get(_url(d, "refusal.pdf"), headers=desk.auth())
    assert early.status_code == 409 and early.json()["code"] == "form.not_refused"
    reason = "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã."
    r = await desk.act(d, "refuse", {"reason_codes": ["not_competent"], "reason_text": reason})
    assert r.status_code == 200, r.text
    checked = check_pdf(
        await _pdf(desk, d, "refusal.pdf"),
        name="intake-refusal-form03",
        expect=[
            "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
            f"Mã hồ sơ: {d['code']}",
            "Kính gửi: Ông/Bà Lò Văn Bình",
            f"1. {reason}",
            "Đăng ký khai sinh",
        ],
    )
    check_letterhead(checked, issuer="TRUNG TÂM PHỤC VỤ", place_date=DATED)


async def test_the_receipt_page_has_the_same_letterhead(desk: Desk) -> None:
    d = await desk.register()
    await desk.act(d, "accept")
    html = (await desk.client.get(_url(d, "receipt"), headers=desk.auth())).text
    for text in (
        "UBND PHƯỜNG QUYẾT THẮNG",
        "<strong>TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG</strong>",
        "Độc lập - Tự do - Hạnh phúc",
        f'<span class="dated">{DATED}</span>',
    ):
        assert text in html, text
    assert html.index("TRUNG TÂM PHỤC VỤ") < html.index('class="rule"') < html.index("CỘNG HÒA")


def test_the_desk_signs_with_the_name_in_force_when_the_dossier_was_received() -> None:
    from datetime import datetime

    from intake.domain.desk_names import desk_name
    from intake.domain.time import VN

    assert desk_name(datetime(2025, 6, 30, 16, 59, tzinfo=VN)) == "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
    assert desk_name(datetime(2025, 7, 1, 0, 0, tzinfo=VN)) == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
