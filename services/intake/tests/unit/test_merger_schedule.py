"""Issue 17, finding 6: a merger recorded with a future effective date takes effect on that
date, not when the operator records it: the day before nothing moves, on the day it does."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from intake.adapters.catalogue_limits import statutory_working_days
from intake.application.merge_tenants import apply_due_mergers
from intake.domain.time import VN
from motcua_testkit.intake import A, B, Desk, dossier_body, outbox_events

EFFECTIVE = "2026-02-16T00:00:00+07:00"  # Monday; the desk's clock reads Friday 13 Feb


def _merge(**extra: object) -> dict[str, object]:
    return {"sources": [A], "target": B, "effective_at": EFFECTIVE, **extra}


async def _events(desk: Desk, kind: str) -> list[dict[str, object]]:
    return [e for e in await outbox_events(desk.runtime) if e["event_type"] == kind]


async def _apply(desk: Desk) -> None:
    await apply_due_mergers(
        desk.runtime.sessions, now=desk.clock.now(), statutory_days=statutory_working_days
    )


async def _tenant(desk: Desk, tenant: str) -> dict[str, object]:
    r = await desk.client.get("/api/v1/tenants", headers=desk.auth("operator", None))
    return next(t for t in r.json()["items"] if t["tenant_id"] == tenant)


async def test_a_merger_waits_for_its_date(desk: Desk) -> None:
    open_a = await desk.register(A)
    merged_before = len(await _events(desk, "TenantConfigured"))
    r = await desk.client.post(
        "/api/v1/tenants/merge", json=_merge(), headers=desk.auth("operator", None)
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scheduled"] is True and body["moved_dossiers"] == 0
    assert datetime.fromisoformat(body["effective_at"]) == datetime.fromisoformat(EFFECTIVE)
    # Recording it twice records it once.
    again = await desk.client.post(
        "/api/v1/tenants/merge", json=_merge(), headers=desk.auth("operator", None)
    )
    assert again.status_code == 200 and again.json()["scheduled"] is True

    # The day before (Sunday 23:59): A is A, its desk receives, nothing moved or published.
    desk.clock.set(datetime(2026, 2, 15, 23, 59, tzinfo=VN))
    await _apply(desk)
    assert (await _tenant(desk, A))["status"] != "merged"
    url = f"/api/v1/communes/{A}/dossiers/{open_a['dossier_id']}"
    assert (await desk.client.get(url, headers=desk.auth("clerk", A))).status_code == 200
    await desk.register(A)  # still receiving
    assert await _events(desk, "DossierReassigned") == []
    assert len(await _events(desk, "TenantConfigured")) == merged_before

    # The day of: the timers role applies it, once.
    desk.clock.set(datetime(2026, 2, 16, 0, 0, tzinfo=VN))
    await _apply(desk)
    await _apply(desk)
    assert (await _tenant(desk, A))["status"] == "merged"
    moved = f"/api/v1/communes/{B}/dossiers/{open_a['dossier_id']}"
    assert (await desk.client.get(moved, headers=desk.auth("clerk", B))).status_code == 200
    reassigned = await _events(desk, "DossierReassigned")
    assert len(reassigned) == 2  # both open dossiers of A, each once
    payload = reassigned[0]["payload"]
    assert isinstance(payload, dict)
    assert datetime.fromisoformat(payload["effective_at"]) == datetime.fromisoformat(EFFECTIVE)
    refused = await desk.client.post(
        f"/api/v1/communes/{A}/dossiers", json=dossier_body(), headers=desk.auth("clerk", A)
    )
    assert refused.status_code == 409 and refused.json()["code"] == "tenant.merged"


async def test_a_past_date_takes_effect_at_once_and_mistakes_are_refused_at_once(
    desk: Desk,
) -> None:
    bad = await desk.client.post(
        "/api/v1/tenants/merge",
        json={"sources": ["khong-co"], "target": B, "effective_at": EFFECTIVE},
        headers=desk.auth("operator", None),
    )
    assert bad.status_code == 404 and bad.json()["code"] == "tenant.unknown"
    await desk.register(A)
    past = (desk.clock.now() - timedelta(days=1)).isoformat()
    r = await desk.client.post(
        "/api/v1/tenants/merge", json=_merge(effective_at=past), headers=desk.auth("operator", None)
    )
    assert r.status_code == 200 and r.json()["scheduled"] is False
    assert r.json()["moved_dossiers"] == 1


async def test_the_timers_role_applies_due_mergers(desk: Desk) -> None:
    r = await desk.client.post(
        "/api/v1/tenants/merge", json=_merge(), headers=desk.auth("operator", None)
    )
    assert r.json()["scheduled"] is True
    desk.clock.set(datetime(2026, 2, 16, 8, 0, tzinfo=VN))
    stop = asyncio.Event()
    [timer] = desk.runtime.timers
    task = asyncio.ensure_future(timer(stop))
    try:
        for _ in range(400):  # at most 20 s
            if (await _tenant(desk, A))["status"] == "merged":
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the timers role did not apply the merger")
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
