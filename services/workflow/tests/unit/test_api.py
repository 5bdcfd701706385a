"""The API: tokens, roles, communes, Vietnamese errors, pagination."""

from __future__ import annotations

from typing import Any

import httpx
from motcua_testkit.workflow import TENANT, Dossier, Harness, vn


async def _dossier(h: Harness, holder: str | None = "cb-1", tenant: str = TENANT) -> Dossier:
    d = Dossier(tenant)
    await h.deliver(d.received(vn(2026, 4, 28, 9, 0)))
    if holder:
        await h.deliver(d.transferred(vn(2026, 4, 28, 9, 30), "xu_ly", holder))
    return d


async def test_clock_needs_a_token_and_the_right_commune(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    d = await _dossier(harness)
    url = f"/api/v1/communes/{TENANT}/dossiers/{d.dossier_id}/clock"
    missing = await client.get(url)
    assert missing.status_code == 401 and missing.json()["code"] == "auth.missing_token"
    other = await client.get(url, headers=auth("clerk", "xa-khac"))
    assert other.status_code == 403 and other.json()["code"] == "auth.other_commune"
    assert "đơn vị" in other.json()["message"]
    ok = await client.get(url, headers=auth("clerk"))
    assert ok.status_code == 200
    assert ok.json()["state"] == "running" and ok.json()["explain_vi"]
    monitor = await client.get(url, headers=auth("province_monitor", None))
    assert monitor.status_code == 200
    unknown = await client.get(
        f"/api/v1/communes/{TENANT}/dossiers/khong-co/clock", headers=auth("clerk")
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "dossier.not_found"


async def test_apology_rules_and_who_may_issue_it(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    d = await _dossier(harness, holder="cb-1")
    url = f"/api/v1/communes/{TENANT}/dossiers/{d.dossier_id}/apology"
    body = {"reason_vi": "Hệ thống mạng bị gián đoạn", "new_due_at": "2026-05-12"}
    not_holder = await client.post(url, json=body, headers=auth("clerk", subject="cb-2"))
    assert not_holder.status_code == 403
    assert not_holder.json()["code"] == "apology.not_resolving_official"
    monitor = await client.post(url, json=body, headers=auth("province_monitor", None))
    assert monitor.status_code == 403
    earlier = await client.post(
        url, json=body | {"new_due_at": "2026-05-04"}, headers=auth("clerk", subject="cb-1")
    )
    assert earlier.status_code == 422 and earlier.json()["code"] == "apology.apology_not_later"
    assert earlier.json()["field"] == "new_due_at"
    invalid = await client.post(url, json={"new_due_at": "ngày mai"}, headers=auth("leader"))
    assert invalid.status_code == 422 and invalid.json()["code"] == "request.invalid"
    fields = {e["field"].split(".")[0] for e in invalid.json()["errors"]}
    assert fields == {"reason_vi", "new_due_at"}
    ok = await client.post(url, json=body, headers=auth("clerk", subject="cb-1"))
    assert ok.status_code == 201 and ok.json()["late"] is False


async def test_worklists_are_paged_in_a_stable_order(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    for _ in range(5):
        await _dossier(harness, holder="cb-1")
    await _dossier(harness, tenant="xa-khac")
    harness.clock.set(vn(2026, 5, 5, 8, 0))  # due today at 17:00
    seen: list[str] = []
    cursor = None
    while True:
        params = {"view": "due_today", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (
            await client.get(
                f"/api/v1/communes/{TENANT}/worklist", params=params, headers=auth("clerk")
            )
        ).json()
        seen += [i["dossier_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 == len(set(seen))
    mine = await client.get(
        f"/api/v1/communes/{TENANT}/worklist",
        params={"view": "mine"},
        headers=auth("clerk", subject="cb-1"),
    )
    assert len(mine.json()["items"]) == 5
    province = await client.get(
        "/api/v1/worklist", params={"view": "due_today"}, headers=auth("province_monitor", None)
    )
    assert {i["tenant_id"] for i in province.json()["items"]} == {TENANT, "xa-khac"}
    clerk = await client.get("/api/v1/worklist", headers=auth("clerk"))
    assert clerk.status_code == 403


async def test_only_operators_change_the_calendar(client: httpx.AsyncClient, auth: Any) -> None:
    body = {"kind": "day_off_added", "day": "2026-05-04", "name_vi": "Nghỉ bù"}
    denied = await client.post("/api/v1/calendar/changes", json=body, headers=auth("leader"))
    assert denied.status_code == 403 and denied.json()["code"] == "auth.forbidden"
    ok = await client.post("/api/v1/calendar/changes", json=body, headers=auth("operator", None))
    assert ok.status_code == 202 and ok.json()["changed_days"] == ["2026-05-04"]
