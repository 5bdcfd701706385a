"""Replay: every topic read from the beginning into an empty database gives the same
state, and no timer that already fired fires again (even with the topics interleaved
at their worst: workflow's own events first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.registry import spec_for
from motcua_contracts.topics import Topics
from motcua_testkit.workflow import (
    TENANT,
    Dossier,
    Harness,
    make_harness,
    state_of,
    tenant_configured,
    vn,
)


async def test_replay_into_an_empty_database(
    harness: Harness, client: httpx.AsyncClient, auth: Any, tmp_path: Path, keys_dir: Path
) -> None:
    h = harness
    log: list[EventEnvelope] = []

    async def deliver(*envelopes: EventEnvelope) -> None:
        log.extend(envelopes)
        await h.deliver(*envelopes)

    async def fire_at(moment: Any) -> None:
        h.clock.set(moment)
        await h.fire()
        log.extend(await h.new_events())

    await deliver(tenant_configured(TENANT, at=vn(2026, 4, 1)))
    a, b, c = Dossier(TENANT), Dossier(TENANT), Dossier(TENANT)
    await deliver(a.received(vn(2026, 4, 28, 9)), b.received(vn(2026, 4, 28, 10)))
    await deliver(a.transferred(vn(2026, 4, 28, 9, 30), "xu_ly", "cb-1"))
    await deliver(a.supplement_requested(vn(2026, 4, 29, 10)))
    await deliver(a.supplement_received(vn(2026, 5, 4, 8)))
    await fire_at(vn(2026, 5, 5, 15, 10))
    h.clock.set(vn(2026, 5, 5, 16))
    r = await client.post(
        f"/api/v1/communes/{TENANT}/dossiers/{a.dossier_id}/apology",
        json={"reason_vi": "Chờ xác minh", "new_due_at": "2026-05-08"},
        headers=auth("leader"),
    )
    assert r.status_code == 201
    log.extend(await h.new_events())
    await fire_at(vn(2026, 5, 7, 9))
    await deliver(c.received(vn(2026, 5, 7, 9, 30)))
    await fire_at(vn(2026, 5, 8, 17, 30))
    await fire_at(vn(2026, 5, 12, 9))
    await deliver(b.result_ready(vn(2026, 5, 12, 10)))
    log.extend(await h.new_events())
    original = await state_of(h.runtime)

    (tmp_path / "replay").mkdir()
    replica = await make_harness(tmp_path / "replay", vn(2026, 5, 12, 10), keys_dir)
    try:
        own = [e for e in log if spec_for(e.event_type, 1).topic == Topics.CLOCK]
        rest = [e for e in log if spec_for(e.event_type, 1).topic != Topics.CLOCK]
        await replica.deliver(*own, *rest)
        assert not replica.dead.sent
        replayed = await state_of(replica.runtime)
        for got, want in zip(replayed["clocks"], original["clocks"], strict=True):
            assert {k: v for k, v in got.items() if v != want[k]} == {}, want["dossier_id"]
        assert replayed["escalations"] == original["escalations"]
        assert replayed["apologies"] == original["apologies"]
        assert replayed["timers"] == original["timers"]
        await replica.fire()
        fired_again = [e for e in await replica.new_events() if "timer_key" in e.payload]
        assert fired_again == []
        # Derived events carry the ids of the first run: consumers drop them as repeats.
        first_ids = {e.event_id for e in log}
        derived = [e for e in await replica.new_events()]
        assert all(e.event_id in first_ids for e in derived)
    finally:
        await replica.runtime.close()
