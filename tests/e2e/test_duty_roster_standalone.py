"""Standalone mode: the commune leader's duty roster reaches workflow, and escalations go to
the leader on duty that day (never to nobody for the pilot communes)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from motcua_platform.clock import FixedClock
from motcua_standalone.platform import Platform

from tests.support.dossiers import bearer, registration

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TUESDAY = datetime(2026, 3, 3, 14, 0, tzinfo=VN)
PILOTS = ("quyet-thang", "chieng-khuong", "moc-chau-tt")


def _client(platform: Platform, service: str) -> httpx.AsyncClient:
    app = platform.runtimes[service].app
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://local")


async def _until(check: Any, wait_s: float = 60) -> Any:
    """Polls `check` until it answers something truthy; `wait_s` only bounds a hang."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError("not reached in time")


async def test_escalations_go_to_the_leader_on_duty_that_day(tmp_path: Path) -> None:
    from workflow.adapters import tenant_repo

    clock = FixedClock(TUESDAY)
    platform = Platform(tmp_path, clock=clock)
    await platform.start()
    try:
        async with _client(platform, "intake") as intake, _client(platform, "workflow") as wf:
            swap = {
                "weekdays": [{"weekday": 2, "leader": {"official_id": "lanh-dao.quyet-thang.ct"}}],
                "dates": [
                    {
                        "day": "2026-03-03",
                        "leader": {"official_id": "ld-thay", "title_vi": "Phó Chủ tịch (thay)"},
                    }
                ],
            }
            url = "/api/v1/communes/quyet-thang/duty-roster"
            refused = await intake.put(url, json=swap, headers=bearer("clerk", "quyet-thang"))
            assert refused.status_code == 403
            r = await intake.put(url, json=swap, headers=bearer("leader", "quyet-thang"))
            assert r.status_code == 200, r.text

            async def roster_arrived() -> bool:
                async with platform.runtimes["workflow"].sessions() as session:
                    info = await tenant_repo.get(session, "quyet-thang")
                return bool(info and info.leader_at(TUESDAY) == "ld-thay")

            await _until(roster_arrived)
            dossiers = {}
            for tenant in PILOTS:  # signature certification: due today 17:00
                reg = await intake.post(
                    f"/api/v1/communes/{tenant}/dossiers",
                    json=registration(),
                    headers=bearer("clerk", tenant),
                )
                assert reg.status_code == 201, reg.text
                dossiers[tenant] = reg.json()

            async def clocks_started() -> bool:
                for tenant, d in dossiers.items():
                    got = await wf.get(
                        f"/api/v1/communes/{tenant}/dossiers/{d['dossier_id']}/clock",
                        headers=bearer("clerk", tenant),
                    )
                    if got.status_code != 200:
                        return False
                return True

            await _until(clocks_started)
            clock.set(TUESDAY + timedelta(hours=3, minutes=30))  # 17:30: every one is late

            async def escalated() -> dict[str, list[dict[str, Any]]] | None:
                out = {}
                for tenant in PILOTS:
                    got = await wf.get(
                        f"/api/v1/communes/{tenant}/escalations",
                        headers=bearer("leader", tenant),
                    )
                    items = [e for e in got.json() if e["reason"] == "late"]
                    if not items:
                        return None
                    out[tenant] = items
                return out

            found = await _until(escalated)
    finally:
        await platform.stop()
    assert {e["to_official_id"] for e in found["quyet-thang"]} == {"ld-thay"}
    # Tuesday in the seeded roster: the chair of each other pilot commune; never nobody.
    assert {e["to_official_id"] for e in found["chieng-khuong"]} == {"lanh-dao.chieng-khuong.ct"}
    assert {e["to_official_id"] for e in found["moc-chau-tt"]} == {"lanh-dao.moc-chau-tt.ct"}


async def test_a_scheduled_ceremony_invites_the_family_in_standalone_mode(tmp_path: Path) -> None:
    clock = FixedClock(TUESDAY)
    platform = Platform(tmp_path, clock=clock)
    await platform.start()
    tenant = "chieng-khuong"
    try:
        async with _client(platform, "intake") as intake, _client(platform, "notify") as notify:
            reg = await intake.post(
                f"/api/v1/communes/{tenant}/dossiers",
                json=registration(procedure_code="1.001193"),
                headers=bearer("clerk", tenant),
            )
            assert reg.status_code == 201, reg.text
            base = f"/api/v1/communes/{tenant}/dossiers/{reg.json()['dossier_id']}"
            for step, role, body in (
                ("accept", "clerk", None),
                ("decision", "leader", {"outcome": "approved"}),
                ("result-ready", "clerk", None),
            ):
                r = await intake.post(f"{base}/{step}", json=body, headers=bearer(role, tenant))
                assert r.status_code == 200, r.text
            ceremony = {"ceremony_at": "2026-03-04T08:30:00+07:00", "place": "Hội trường UBND xã"}
            r = await intake.put(f"{base}/ceremony", json=ceremony, headers=bearer("clerk", tenant))
            assert r.status_code == 200, r.text
            assert r.json()["ceremony_time_vi"] == "08 giờ 30, thứ Tư, ngày 04/03/2026"

            async def invited() -> list[str] | None:
                got = await notify.get(f"{base}/notifications", headers=bearer("clerk", tenant))
                kinds = [n["kind"] for n in got.json()] if got.status_code == 200 else []
                return kinds if "ceremony_invitation" in kinds else None

            kinds = await _until(invited)
    finally:
        await platform.stop()
    assert kinds.count("ceremony_invitation") == 1
