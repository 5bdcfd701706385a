"""Issue 17 in standalone mode (one process, in-process bus): notify reads the supplement
list and the applicant's contact from intake as the dossier's commune, the event carries
only the count, and the Form 02 letter prints the clerk's list."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from motcua_standalone.platform import Platform
from pypdf import PdfReader
from sqlalchemy import select

from tests.support.dossiers import bearer

TENANT = "chieng-khuong"
TYPED = ["Bản sao Giấy khai sinh của con", "Tờ khai có chữ ký của người yêu cầu"]


def _client(platform: Platform, service: str) -> httpx.AsyncClient:
    app = platform.runtimes[service].app
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://local", timeout=60
    )


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    p = Platform(tmp_path)
    await p.start()
    yield p
    await p.stop()


async def test_form_02_prints_the_list_read_from_intake(platform: Platform) -> None:
    base = f"/api/v1/communes/{TENANT}"
    body = {
        "procedure_code": "1.004859",
        "channel": "counter",
        "applicant": {
            "full_name": "Lò Thị Hoa",
            "id_number": "014188004321",
            "date_of_birth": "1988-02-17",
            "phone": "0912345678",
            "address": "Bản Hìn, xã Chiềng Khương, tỉnh Sơn La",
        },
        "documents": [{"name": "Tờ khai", "form": "original"}],
    }
    async with _client(platform, "intake") as intake:
        r = await intake.post(f"{base}/dossiers", json=body, headers=bearer("clerk", TENANT))
        assert r.status_code == 201, r.text
        dossier = r.json()
        r = await intake.post(
            f"{base}/dossiers/{dossier['dossier_id']}/supplement-request",
            json={"missing_items": TYPED},
            headers=bearer("clerk", TENANT),
        )
        assert r.status_code == 200, r.text

    from intake.adapters.tables import outbox

    async with platform.runtimes["intake"].sessions() as session:
        values = (await session.execute(select(outbox.c.value))).scalars().all()
    [event] = [json.loads(v) for v in values if b'"SupplementRequested"' in v]
    assert event["schema_version"] == 2 and event["payload"]["missing_count"] == 2
    assert not any(item.encode() in v for v in values for item in TYPED)

    job: dict[str, Any] | None = None
    deadline = time.monotonic() + 90
    async with _client(platform, "notify") as notify:
        while job is None and time.monotonic() < deadline:
            jobs = (await notify.get(f"{base}/print-queue", headers=bearer("clerk", TENANT))).json()
            job = next(
                (
                    j
                    for j in jobs
                    if j["dossier_id"] == dossier["dossier_id"]
                    and j["kind"] == "supplement_request"
                ),
                None,
            )
            if job is None:
                await asyncio.sleep(0.1)
        assert job is not None, "the Form 02 letter was never queued"
        pdf = await notify.get(
            f"{base}/print-queue/{job['delivery_id']}/pdf", headers=bearer("clerk", TENANT)
        )
    assert pdf.status_code == 200, pdf.text
    text = " ".join(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    for item in TYPED:
        assert item in text


async def test_a_merger_moves_nothing_the_day_before_and_everything_on_the_day(
    tmp_path: Path,
) -> None:
    """Issue 17, finding 6, across the services: intake, then analytics' commune list."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from motcua_platform.clock import FixedClock

    from tests.support.dossiers import registration

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    clock = FixedClock(datetime(2026, 3, 5, 10, 0, tzinfo=vn))  # Thursday
    source, target = "quyet-thang", TENANT
    p = Platform(tmp_path, clock=clock, settings={"intake": {"merger_poll_seconds": 0.1}})
    await p.start()

    async def status_in_analytics() -> str | None:
        async with _client(p, "analytics") as analytics:
            rows = (
                await analytics.get("/api/v1/communes", headers=bearer("province_monitor", None))
            ).json()
        return next((r["status"] for r in rows if r["tenant_id"] == source), None)

    try:
        async with _client(p, "intake") as intake:
            r = await intake.post(
                f"/api/v1/communes/{source}/dossiers",
                json=registration(),
                headers=bearer("clerk", source),
            )
            assert r.status_code == 201, r.text
            dossier = r.json()
            r = await intake.post(
                "/api/v1/tenants/merge",
                json={
                    "sources": [source],
                    "target": target,
                    "effective_at": "2026-03-06T00:00:00+07:00",
                },
                headers=bearer("operator", None),
            )
            assert r.status_code == 200 and r.json()["scheduled"] is True, r.text
            at_source = f"/api/v1/communes/{source}/dossiers/{dossier['dossier_id']}"
            at_target = f"/api/v1/communes/{target}/dossiers/{dossier['dossier_id']}"

            # The day before: the timers role runs (every 0.1 s) and leaves it all as it is.
            for _ in range(600):  # analytics hears of the seeded communes (bounds a hang)
                if await status_in_analytics() is not None:
                    break
                await asyncio.sleep(0.1)
            for _ in range(10):
                await asyncio.sleep(0.1)
                assert await status_in_analytics() not in (None, "merged")
                seen = await intake.get(at_source, headers=bearer("clerk", source))
                assert seen.status_code == 200 and seen.json()["tenant_id"] == source

            # The day of: applied, the dossier at the target, analytics told.
            clock.set(datetime(2026, 3, 6, 8, 0, tzinfo=vn))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                moved = await intake.get(at_target, headers=bearer("clerk", target))
                if moved.status_code == 200 and await status_in_analytics() == "merged":
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the merger never took effect on its day")
            assert moved.json()["tenant_id"] == target
    finally:
        await p.stop()
