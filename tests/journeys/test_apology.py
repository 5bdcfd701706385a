"""A 3-working-day dossier that will be late: the leader apologises with a new date and their
own reason; the citizen's QR page and message carry the new date (Vietnam time, Vietnamese),
Form 04 the leader's reason; a second apology is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from intake.domain.time import VN, moment_vi
from motcua_testkit.standins import GatewayStandIn, ThreadedServer
from notify.domain.vocabulary import moment_vi as message_moment
from playwright.sync_api import Browser

from tests.journeys.browser import page, screenshot
from tests.journeys.desk import Desk, public_path, wait_for
from tests.support.servers import free_port

CORRECTION = "1.004859"  # Thay đổi, cải chính thông tin hộ tịch: 3 working days
# The commune of this story sends SMS (to a gateway stand-in); the other stories' communes
# keep their settings.
TENANT = "moc-chau-tt"
REASON = "Phải xác minh bản gốc sổ hộ tịch lưu tại Ủy ban nhân dân huyện Mộc Châu cũ"


@pytest.fixture(scope="module")
def sms() -> Iterator[tuple[GatewayStandIn, str]]:
    """An SMS gateway on loopback (and its URL): what the citizen's phone receives."""
    standin = GatewayStandIn()
    server = ThreadedServer(standin.app, free_port()).start()
    try:
        yield standin, server.url
    finally:
        server.stop()


def _send_sms_through(desk: Desk, gateway_url: str) -> None:
    """The operator gives the commune its SMS gateway, at any hour (no quiet hours)."""
    operator = desk.platform.headers("operator", None)
    url = f"{desk.platform.url('notify')}/api/v1/communes/{TENANT}/notify-settings"
    current: dict[str, Any] = httpx.get(url, headers=operator, timeout=30).json()
    current["sms"] = {"url": f"{gateway_url}/sms"}
    current["quiet_hours"] = {"start": "00:00", "end": "00:00"}
    r = httpx.put(url, json=current, headers=operator, timeout=30)
    assert r.status_code == 200, r.text


def _sms_about(gateway: GatewayStandIn, code: str) -> list[str]:
    return [
        str(r.body.get("text"))
        for r in gateway.seen("sms")
        if r.answered == "ok"
        and code in str(r.body.get("text"))
        and "xin lỗi" in str(r.body.get("text"))
    ]


def test_the_leaders_apology_reaches_the_page_the_phone_and_form_04_once(
    desk: Desk, browser: Browser, sms: tuple[GatewayStandIn, str]
) -> None:
    sms_gateway, gateway_url = sms
    desk.tenant = TENANT
    mode = desk.platform.mode
    _send_sms_through(desk, gateway_url)
    dossier = desk.register(CORRECTION, full_name="Hà Thị Lan")
    did, code = dossier["dossier_id"], dossier["code"]
    due = datetime.fromisoformat(dossier["due_at"])
    desk.step(did, "accept")
    desk.step(did, "transfer", {"to_unit_id": "tu-phap"})

    # The leader sees it will be late and apologises (workflow), with a date and a reason.
    asked = (due.astimezone(VN) + timedelta(days=7)).date().isoformat()
    body = {"reason_vi": REASON, "new_due_at": asked}

    def apologise() -> dict[str, Any] | None:
        r = desk.call("workflow", "POST", f"/dossiers/{did}/apology", json=body, role="leader")
        if r.status_code == 404:  # workflow has not learnt of the dossier yet
            return None
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    apology = wait_for("workflow takes the apology", apologise)
    assert apology["new_due_at"].endswith("+07:00") and apology["old_due_at"].endswith("+07:00")
    new_due = datetime.fromisoformat(apology["new_due_at"])
    assert new_due > due and new_due.astimezone(VN).date().isoformat() == asked

    # Intake learns the new date by the event: the clerk's dossier, then the citizen's page.
    seen = wait_for(
        "intake's dossier carries the new date",
        lambda: (d := desk.dossier(did))["apology_new_due_at"] and d,
    )
    assert datetime.fromisoformat(seen["apology_new_due_at"]) == new_due
    assert seen["apology_new_due_at"].endswith("+07:00")
    assert seen["apology_reason_vi"] == REASON

    with page(browser) as citizen:
        citizen.goto(public_path(dossier))
        text = " ".join(citizen.inner_text("body").split())
        assert f"Ngày hẹn trả mới: {moment_vi(new_due)}" in text, text
        assert f"Lý do: {REASON}" in text, text
        assert f"Ngày hẹn trả kết quả ban đầu: {moment_vi(due)}" in text, text
        screenshot(citizen, f"journey-{mode}-qr-apology")

    # The citizen's phone: one message with the new date in Vietnam time and the reason.
    [text] = wait_for("the apology SMS sent", lambda: _sms_about(sms_gateway, code) or None)
    flat = " ".join(text.split())
    assert message_moment(new_due) in flat, text
    assert REASON in flat, text
    assert "UTC" not in text

    # The receipt's SMS links the citizen to this platform's look-up page (the port it runs on).
    links = [
        str(r.body.get("text"))
        for r in sms_gateway.seen("sms")
        if code in str(r.body.get("text")) and "Tra cứu:" in str(r.body.get("text"))
    ]
    assert links, [r.body for r in sms_gateway.seen("sms")]
    assert f"Tra cứu: {desk.platform.url('intake')}/tra-cuu" in links[0], links[0]

    # Form 04 at the desk carries the leader's own words and the new date.
    job = desk.wait_letter(did, "apology_notice")
    desk.check_letter(
        job,
        "apology-form04",
        [
            # Form 04 of Circular 03/2025 (dossiers received from 25 Jan 2026 on)
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            f"vì lý do: {REASON}.",
            message_moment(new_due),
            code,
        ],
    )

    # The new date is set once: a second apology is refused, in Vietnamese.
    again = desk.call(
        "workflow",
        "POST",
        f"/dossiers/{did}/apology",
        json={"reason_vi": "Lại chậm thêm một lần nữa", "new_due_at": asked},
        role="leader",
    )
    assert again.status_code == 409, again.text
    refused = again.json()
    assert refused["code"] == "apology.already_issued"
    assert refused["message"] == "Chỉ được hẹn lại ngày trả kết quả một lần."
    assert datetime.fromisoformat(desk.dossier(did)["apology_new_due_at"]) == new_due
    assert len(_sms_about(sms_gateway, code)) == 1
