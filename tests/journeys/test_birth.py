"""A birth registered at the desk: the receipt printed, the result ready, the family invited to
the hand-over ceremony with its date, time and place, the certificate handed over, and the
citizen rating the service once from the QR page."""

from __future__ import annotations

from datetime import datetime

from intake.domain.time import VN, moment_vi
from playwright.sync_api import Browser

from tests.journeys.browser import page, screenshot
from tests.journeys.desk import LETTERHEADS, Desk, dated, public_path
from tests.support.pdf_check import check_letterhead, check_pdf

BIRTH = "1.001193"  # Đăng ký khai sinh: same day, with a hand-over ceremony
PLACE = "Hội trường Ủy ban nhân dân xã Chiềng Khương"


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_a_birth_from_the_desk_to_the_ceremony_and_the_citizens_rating(
    desk: Desk, browser: Browser
) -> None:
    mode = desk.platform.mode
    dossier = desk.register(BIRTH, full_name="Lò Thị Mai")
    did = dossier["dossier_id"]

    # Complete at the counter: the receipt (Form 01), printed and handed to the citizen.
    desk.step(did, "accept")
    received = datetime.fromisoformat(dossier["received_at"]).astimezone(VN)
    issuer, place_name = LETTERHEADS[desk.tenant]
    receipt = check_pdf(
        desk.receipt_pdf(did),
        name=f"journey-{mode}-birth-receipt",
        expect=[
            f"UBND {issuer}",
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            f"Mã hồ sơ: {dossier['code']}",
            "Tiếp nhận hồ sơ của: Lò Thị Mai",
        ],
    )
    check_letterhead(
        receipt,
        issuer="TRUNG TÂM PHỤC VỤ",
        place_date=dated(place_name, received.date().isoformat()),
    )

    desk.step(did, "transfer", {"to_unit_id": "tu-phap"})
    desk.step(did, "decision", {"outcome": "approved"}, role="leader")
    desk.step(did, "result-ready")
    ceremony = desk.schedule_ceremony(did, PLACE)
    at = datetime.fromisoformat(ceremony["ceremony_at"])
    assert ceremony["ceremony_at"].endswith("+07:00") and ceremony["place"] == PLACE

    # The invitation letter, in the print queue with that date, time and place.
    job = desk.wait_letter(did, "ceremony_invitation")
    desk.check_letter(
        job,
        "birth-ceremony-invitation",
        [
            "GIẤY MỜI",
            f"Thời gian: {ceremony['ceremony_time_vi']}.",
            f"Địa điểm: {PLACE}.",
            dossier["code"],
        ],
    )

    qr = public_path(dossier)
    with page(browser) as citizen:
        # Before the hand-over the family sees when and where the ceremony is.
        citizen.goto(qr)
        text = _flat(citizen.inner_text("body"))
        assert "Lễ trao Giấy khai sinh" in text, text
        assert f"Thời gian: {moment_vi(at)}" in text, text
        assert f"Địa điểm: {PLACE}" in text, text
        assert "Lò Thị Mai" not in text  # a masked name only
        screenshot(citizen, f"journey-{mode}-qr-ceremony")

        desk.step(did, "result-returned", {"method": "counter"})
        citizen.reload()
        assert "Đánh giá mức độ hài lòng" in citizen.inner_text("body")
        citizen.check("input[name=level][value=rat_hai_long]")
        citizen.fill("textarea[name=comment]", "Cán bộ hướng dẫn tận tình, lễ trao rất ấm cúng.")
        citizen.click("button[type=submit]")
        citizen.wait_for_load_state()
        thanked = citizen.inner_text("body")
        assert "Cảm ơn bạn đã đánh giá" in thanked, thanked
        assert "Gửi đánh giá" not in thanked  # the form is gone: nothing to send twice
        screenshot(citizen, f"journey-{mode}-qr-rated")

        # Sent again (a double tap, the back button): refused, never a second rating.
        token = qr.rsplit("/tra-cuu/", 1)[1]
        again = citizen.request.post(
            f"{desk.platform.url('intake')}/tra-cuu/{token}/danh-gia",
            form={"level": "hai_long"},
        )
        assert again.status == 409, again.text()
        assert "đã được đánh giá" in again.text()

    assert desk.dossier(did)["rated"] is True
    audit = desk.call("intake", "GET", f"/dossiers/{did}/audit").json()
    assert len([a for a in audit if a["action"] == "rate" and a["field"] == "rated"]) == 1
