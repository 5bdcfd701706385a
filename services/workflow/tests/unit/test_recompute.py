"""Calendar, commune and procedure changes move every affected open deadline, only those."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import httpx
import motcua_clock as mc
from motcua_testkit.workflow import TENANT, Dossier, Harness, tenant_configured, vn
from sqlalchemy import select
from workflow.adapters.tables import timers
from workflow.application.check_catalogue import check_catalogue


async def _generations(h: Harness, dossier_id: str) -> dict[str, int]:
    async with h.runtime.sessions() as session:
        rows = await session.execute(
            select(timers.c.timer_key, timers.c.generation).where(timers.c.subject_id == dossier_id)
        )
        return dict(rows.all())  # type: ignore[arg-type]


async def test_a_new_day_off_moves_only_the_deadlines_whose_window_holds_it(
    harness: Harness, client: httpx.AsyncClient, auth: Any
) -> None:
    inside, after, closed = Dossier(TENANT), Dossier(TENANT), Dossier(TENANT)
    await harness.deliver(
        inside.received(vn(2026, 4, 28, 9, 0)),  # due Tue 5 May: window holds Mon 4 May
        after.received(vn(2026, 5, 6, 9, 0)),  # window starts after 4 May
        closed.received(vn(2026, 4, 28, 9, 0)),
        closed.result_ready(vn(2026, 4, 29, 9, 0)),
    )
    await harness.new_events()
    harness.clock.set(vn(2026, 5, 1, 9, 0))
    r = await client.post(
        "/api/v1/calendar/changes",
        json={
            "kind": "day_off_added",
            "day": "2026-05-04",
            "day_kind": "bridge",
            "name_vi": "Ngày nghỉ hoán đổi",
            "source": "Thông báo thử nghiệm",
        },
        headers=auth("operator", None),
    )
    assert r.status_code == 202, r.text
    await harness.recompute()
    events = await harness.new_events()
    assert [e.event_type for e in events] == ["CalendarChanged", "DeadlineChanged"]
    changed = events[1]
    assert changed.dossier_id == inside.dossier_id
    assert changed.payload["cause"] == "calendar"
    assert changed.payload["new_due_at"].startswith("2026-05-06T17:00")
    assert (await _generations(harness, inside.dossier_id))["breach@p0"] == 2
    assert set((await _generations(harness, after.dossier_id)).values()) == {1}
    await harness.recompute()  # nothing left, nothing moves twice
    assert await harness.new_events() == []


async def test_a_commune_closure_moves_its_own_deadlines(harness: Harness) -> None:
    ours, theirs = Dossier(TENANT), Dossier("xa-khac")
    at = vn(2026, 4, 28, 9, 0)
    await harness.deliver(ours.received(at), theirs.received(at))
    await harness.new_events()
    await harness.deliver(tenant_configured(TENANT, closures=["2026-05-04"], at=at))
    await harness.recompute()
    moved = [e for e in await harness.new_events() if e.event_type == "DeadlineChanged"]
    assert [e.dossier_id for e in moved] == [ours.dossier_id]
    older = tenant_configured(TENANT, revision=1, at=at)  # a stale revision is ignored
    await harness.deliver(older.model_copy(update={"event_id": older.event_id}))
    await harness.recompute()
    assert not [e for e in await harness.new_events() if e.event_type == "DeadlineChanged"]


async def test_a_changed_procedure_version_recomputes_its_dossiers(harness: Harness) -> None:
    d, other = Dossier(TENANT), Dossier(TENANT)
    at = vn(2026, 4, 28, 9, 0)
    await harness.deliver(d.received(at), other.received(at, procedure="1.004873"))
    await harness.new_events()
    ctx = harness.context
    assert await check_catalogue(ctx) == 0  # first sight: fingerprints only
    raw = json.loads(
        resources.files("motcua_clock").joinpath("data/procedures.json").read_text("utf-8")
    )
    for procedure in raw["procedures"]:
        if procedure["code"] == "1.004859":
            procedure["time_limit"] = {"amount": 5, "unit": "working_days"}
    ctx.statutory._catalogue = mc.parse_catalogue(raw)
    assert await check_catalogue(ctx) == 2  # both versions of 1.004859 changed
    await harness.recompute()
    moved = [e for e in await harness.new_events() if e.event_type == "DeadlineChanged"]
    assert [(e.dossier_id, e.payload["cause"]) for e in moved] == [(d.dossier_id, "procedure")]
    assert moved[0].payload["new_due_at"].startswith("2026-05-07T17:00")
