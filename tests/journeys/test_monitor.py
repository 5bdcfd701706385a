"""A provincial monitor watches the day on the dashboard and sees the numbers move."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
from playwright.sync_api import Browser, Page

from tests.journeys.browser import page, screenshot
from tests.journeys.desk import Desk, wait_for


def _received(monitor: Page) -> int | None:
    card = monitor.locator("#the-chi-so .card", has_text="Tiếp nhận").first
    if not card.count():
        return None
    digits = re.sub(r"\D", "", card.locator(".value").inner_text())
    return int(digits) if digits else None


# The browser's clock set years away from the platform's: what the page shows of time must be
# the platform's (GET /clock), never the browser's.
BROWSER_NOW = datetime.fromisoformat("2031-06-15T10:00:00+07:00")
UPDATED = re.compile(r"Cập nhật lúc (\d{2}):(\d{2}):(\d{2}) ngày (\d{2})/(\d{2})/(\d{4})")


def _platform_now(platform_url: str) -> datetime:
    return datetime.fromisoformat(
        httpx.get(f"{platform_url}/api/v1/clock", timeout=10).json()["now"]
    )


def _updated_at(monitor: Page) -> datetime | None:
    found = UPDATED.search(monitor.inner_text("#trang-thai"))
    if not found:
        return None
    hh, mm, ss, day, month, year = (int(x) for x in found.groups())
    return datetime(year, month, day, hh, mm, ss, tzinfo=BROWSER_NOW.tzinfo)


def test_the_monitor_sees_the_platform_day_and_the_numbers_move(
    desk: Desk, browser: Browser
) -> None:
    platform = desk.platform
    today = httpx.get(f"{platform.url('analytics')}/api/v1/clock", timeout=10).json()["today"]
    desk.tenant = "quyet-thang"
    desk.register("2.000884")  # the morning's first dossier, so the card has a number
    with page(browser) as monitor:
        errors: list[str] = []
        monitor.on("pageerror", lambda e: errors.append(str(e)))
        monitor.clock.set_fixed_time(BROWSER_NOW)
        before = _platform_now(platform.url("analytics")).replace(microsecond=0)
        monitor.goto(platform.dashboard_url)
        # The default period ends on the platform's today (a simulated clock runs ahead of
        # the browser's), and the token left the address bar.
        shown = wait_for("the default period", lambda: monitor.input_value("#den-ngay") or None)
        assert shown == today
        assert "token=" not in monitor.url
        first = wait_for("the received card counts", lambda: _received(monitor))
        # "Cập nhật lúc" is the platform's moment (Vietnam time), not the browser's.
        updated = wait_for("the updated-at label", lambda: _updated_at(monitor))
        after = _platform_now(platform.url("analytics"))
        assert updated.date() != BROWSER_NOW.date()
        assert before <= updated <= after, (before, updated, after)
        screenshot(monitor, f"journey-{platform.mode}-dashboard-before")

        for _ in range(3):
            desk.register("2.000884")

        def moved() -> int | None:
            monitor.click("#thang-nay")  # the monitor refreshes "this month"
            monitor.wait_for_timeout(500)
            now = _received(monitor)
            return now if now is not None and now >= first + 3 else None

        later = wait_for("the received card moved by the three new dossiers", moved)
        assert later >= first + 3
        screenshot(monitor, f"journey-{platform.mode}-dashboard-after")
        assert errors == []
