"""A supplement request and resumption, as the citizen follows it on the QR page."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from intake.domain.time import moment_vi
from playwright.sync_api import Browser

from tests.journeys.browser import page, screenshot
from tests.journeys.desk import Desk, public_path, wait_for

CORRECTION = "1.004859"  # Thay đổi, cải chính thông tin hộ tịch: 3 working days
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _in_office_hours(moment: datetime) -> bool:
    """The default sessions, Monday to Friday 07:30-11:30 and 13:30-17:00 (no holiday check:
    only used to decide whether a move must be visible)."""
    local = moment.astimezone(VN)
    hm = (local.hour, local.minute)
    in_session = (7, 30) <= hm < (11, 30) or (13, 30) <= hm < (17, 0)
    return local.weekday() < 5 and in_session


def test_the_qr_page_shows_the_pause_and_then_the_date_moved_as_the_law_says(
    desk: Desk, browser: Browser
) -> None:
    dossier = desk.register(CORRECTION)
    did, before = dossier["dossier_id"], datetime.fromisoformat(dossier["due_at"])
    qr = public_path(dossier)
    desk.step(did, "supplement-request", {"missing_items": ["Bản sao Giấy khai sinh"]})
    mode = desk.platform.mode

    with page(browser) as citizen:
        citizen.goto(qr)
        status = citizen.locator("text=Trạng thái").first.inner_text()
        assert "Chờ bổ sung hồ sơ" in status, citizen.content()[:2000]
        screenshot(citizen, f"journey-{mode}-qr-paused")

        # Workflow, which keeps the statutory clock, pauses it too (it learns by events).
        def clock() -> dict[str, object] | None:
            r = desk.call("workflow", "GET", f"/dossiers/{did}/clock")
            return r.json() if r.status_code == 200 else None

        assert wait_for(
            "workflow's clock paused", lambda: (c := clock()) and c["state"] == "paused"
        )
        time.sleep(2)  # the citizen comes back with the missing paper
        resumed = desk.step(did, "supplement-received")
        after = datetime.fromisoformat(resumed["due_at"])

        steps = desk.call("intake", "GET", f"/dossiers/{did}/history").json()
        paused_at = next(
            datetime.fromisoformat(s["at"]) for s in steps if s["action"] == "request_supplement"
        )
        resumed_at = next(
            datetime.fromisoformat(s["at"]) for s in steps if s["action"] == "receive_supplement"
        )
        # pause_resume (Decree 61): working time inside the pause does not count, so the due
        # moves later by it (past the close of a day it rolls to the next working morning).
        assert after >= before
        if _in_office_hours(paused_at) and _in_office_hours(resumed_at):
            assert after > before, (before, after)

        citizen.reload()
        text = citizen.inner_text("body")
        assert "Chờ bổ sung hồ sơ" not in text
        assert f"Ngày hẹn trả kết quả: {moment_vi(after)}" in " ".join(text.split())
        screenshot(citizen, f"journey-{mode}-qr-resumed")

    # One date everywhere: the page, intake's dossier and workflow's statutory clock.
    running = wait_for(
        "workflow's clock running again with the moved date",
        lambda: (c := clock()) and c["state"] == "running" and c,
    )
    assert datetime.fromisoformat(str(running["due_at"])) == after
