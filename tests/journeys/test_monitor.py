"""A provincial monitor watches the day on the dashboard and sees the numbers move."""

from __future__ import annotations

import re

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
        monitor.goto(platform.dashboard_url)
        # The default period ends on the platform's today (a simulated clock runs ahead of
        # the browser's), and the token left the address bar.
        assert monitor.input_value("#den-ngay") == today
        assert "token=" not in monitor.url
        first = wait_for("the received card counts", lambda: _received(monitor))
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
