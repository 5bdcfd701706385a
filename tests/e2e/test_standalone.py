"""The standalone platform: same handlers, embedded database, in-process bus."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from motcua_standalone.platform import Platform

from tests.support.dossiers import bearer, registration


def _client(platform: Platform, service: str) -> httpx.AsyncClient:
    app = platform.runtimes[service].app
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local")


async def _post(platform: Platform, tenant: str = "quyet-thang") -> dict[str, Any]:
    async with _client(platform, "intake") as client:
        response = await client.post(
            f"/api/v1/communes/{tenant}/dossiers",
            json=registration(),
            headers=bearer("clerk", tenant),
        )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _count(platform: Platform, tenant: str = "quyet-thang") -> int:
    async with _client(platform, "analytics") as client:
        rows = (
            await client.get(
                "/api/v1/indicators/received",
                params={"tenant_id": tenant},
                headers=bearer("province_monitor", None),
            )
        ).json()
    return sum(r["received"] for r in rows)


async def _wait_count(platform: Platform, expected: int, wait_s: float = 60) -> None:
    """Wait until analytics counts `expected` dossiers; `wait_s` only bounds a hang (speed
    is measured in bench/, never asserted here)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if await _count(platform) == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"counted {await _count(platform)}, expected {expected}")


@pytest.fixture
async def platform(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = Platform(tmp_path)
    await p.start()
    yield p
    await p.stop()


async def test_a_dossier_is_counted_by_analytics(platform: Platform) -> None:
    dossier = await _post(platform)
    assert dossier["code"].startswith("000.21.31.H50-")
    await _wait_count(platform, 1)
    async with _client(platform, "workflow") as client:
        for _ in range(100):  # workflow consumes on its own pace; the clerk never waits for it
            clock = await client.get(
                f"/api/v1/communes/quyet-thang/dossiers/{dossier['dossier_id']}/clock",
                headers=bearer("clerk", "quyet-thang"),
            )
            if clock.status_code == 200:
                break
            await asyncio.sleep(0.1)
    assert clock.status_code == 200, clock.text
    # Workflow's deadline is the appointment printed on the receipt: one clock library.
    assert datetime.fromisoformat(clock.json()["due_at"]) == datetime.fromisoformat(
        dossier["due_at"]
    )


async def test_pilot_communes_are_seeded(platform: Platform) -> None:
    for tenant in ("quyet-thang", "chieng-khuong", "moc-chau-tt"):
        await _post(platform, tenant)


async def test_a_failing_consumer_never_fails_the_clerk_and_catches_up(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    import analytics.entrypoints.subscriptions as subs

    real = subs.projection.project_events
    failures = {"left": 3}

    async def flaky(*args: Any) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise RuntimeError("analytics database briefly unavailable")
        await real(*args)

    monkeypatch.setattr(subs.projection, "project_events", flaky)
    await _post(platform)
    await _wait_count(platform, 1)
    assert failures["left"] == 0


async def test_a_restart_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    first = Platform(tmp_path)
    await first.start()
    for _ in range(3):
        await _post(first)
    await _wait_count(first, 3)
    await first.stop()

    # Dossiers registered while analytics is "down": only intake runs its relay.
    second = Platform(tmp_path)
    await second.start(only={"intake"})
    for _ in range(2):
        await _post(second)
    await asyncio.sleep(0.5)
    await second.stop()

    third = Platform(tmp_path)
    await third.start()
    try:
        await _wait_count(third, 5)
        await asyncio.sleep(0.5)
        assert await _count(third) == 5
    finally:
        await third.stop()


async def test_the_dashboard_takes_today_from_the_platform_clock(tmp_path: Path) -> None:
    """A simulated clock runs ahead of the browser's: the dashboard's default period comes from
    analytics' /clock (the platform's now in +07:00), or a monitor watches an empty month."""
    from zoneinfo import ZoneInfo

    from motcua_platform.clock import AcceleratedClock

    ahead = datetime(2031, 7, 14, 23, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    p = Platform(tmp_path, clock=AcceleratedClock(ahead, 1))
    await p.start()
    try:
        async with _client(p, "analytics") as client:
            answer = (await client.get("/api/v1/clock")).json()
            script = (await client.get("/bang-dieu-khien/static/app.js")).text
    finally:
        await p.stop()
    now = datetime.fromisoformat(answer["now"])
    assert answer["now"].endswith("+07:00")
    assert now.date() == ahead.date() and answer["today"] == "2031-07-14"
    assert 'API + "/clock"' in script
