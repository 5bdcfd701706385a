"""Intake's events on the clock: idempotent, ordered by version, every outcome."""

from __future__ import annotations

import uuid

from motcua_contracts.envelope import EventEnvelope
from motcua_testkit.workflow import TENANT, Dossier, Harness, vn
from sqlalchemy import select
from workflow.adapters.tables import dossier_clocks, timers


async def _row(h: Harness, dossier_id: str):  # type: ignore[no-untyped-def]
    async with h.runtime.sessions() as session:
        return (
            await session.execute(
                select(dossier_clocks).where(dossier_clocks.c.dossier_id == dossier_id)
            )
        ).one()


async def _pending_keys(h: Harness, dossier_id: str) -> set[str]:
    async with h.runtime.sessions() as session:
        rows = await session.scalars(
            select(timers.c.timer_key).where(
                timers.c.subject_id == dossier_id, timers.c.fired_at.is_(None)
            )
        )
        return set(rows.all())


async def test_duplicates_and_stale_versions_change_nothing(harness: Harness) -> None:
    d = Dossier(TENANT)
    received = d.received(vn(2026, 4, 28, 9, 0))
    requested = d.supplement_requested(vn(2026, 4, 28, 10, 0))
    await harness.deliver(received, requested)
    before = await _row(harness, d.dossier_id)
    stale = requested.model_copy(update={"event_id": uuid.uuid4()})  # same version, new id
    older = received.model_copy(update={"event_id": uuid.uuid4()})
    await harness.deliver(received, requested, stale, older)
    after = await _row(harness, d.dossier_id)
    assert after == before
    assert [e.event_type for e in await harness.new_events()] == ["ClockStarted", "ClockPaused"]
    assert await _pending_keys(harness, d.dossier_id) == set()  # paused: no clock timers


async def test_each_timer_fires_once(harness: Harness) -> None:
    d = Dossier(TENANT)
    await harness.deliver(d.received(vn(2026, 4, 28, 9, 0)))
    harness.clock.set(vn(2026, 5, 6, 9, 0))
    first = await harness.fire()
    assert first >= 4  # share_50, apology_due, share_75, breach, step, digest
    assert await harness.fire() == 0
    events = await harness.new_events()
    keys = [e.payload["timer_key"] for e in events if "timer_key" in e.payload]
    assert len(keys) == len(set(keys))
    assert {"share_50@p0", "share_75@p0", "apology_due@p0", "breach@p0"} <= set(keys)


async def test_outcomes_refused_withdrawn_and_early(harness: Harness) -> None:
    from motcua_contracts.events import dossiers_v1 as dv

    refused, withdrawn, early = Dossier(TENANT), Dossier(TENANT), Dossier(TENANT)
    at = vn(2026, 4, 28, 9, 0)
    await harness.deliver(refused.received(at), withdrawn.received(at), early.received(at))
    await harness.deliver(
        refused.envelope(
            dv.DossierRefused(
                dossier_code=refused.code, refused_at=vn(2026, 4, 28, 10), reason_codes=["x"]
            ),
            vn(2026, 4, 28, 10),
        ),
        withdrawn.withdrawn(vn(2026, 4, 28, 11)),
        early.result_ready(vn(2026, 4, 29, 16)),
    )
    done = {
        e.dossier_id: e.payload["outcome"]
        for e in await harness.new_events()
        if e.event_type == "ClockCompleted"
    }
    assert done == {
        refused.dossier_id: "refused",
        withdrawn.dossier_id: "withdrawn",
        early.dossier_id: "done_early",
    }
    for d in (refused, withdrawn, early):
        assert (await _row(harness, d.dossier_id)).is_open is False
        assert await _pending_keys(harness, d.dossier_id) == set()


async def test_online_supplement_restarts_the_period_with_new_timer_keys(
    harness: Harness,
) -> None:
    d = Dossier(TENANT)
    await harness.deliver(d.received(vn(2026, 4, 28, 9, 0), channel="online"))
    assert "share_50@p0" in await _pending_keys(harness, d.dossier_id)
    await harness.deliver(
        d.supplement_requested(vn(2026, 4, 28, 10, 0)),
        d.supplement_received(vn(2026, 5, 4, 9, 0)),
    )
    events = await harness.new_events()
    resumed = next(e for e in events if e.event_type == "ClockResumed")
    assert resumed.payload["restarted"] is True
    keys = await _pending_keys(harness, d.dossier_id)
    assert "share_50@p1" in keys and "share_50@p0" not in keys


async def test_unknown_procedure_is_dead_lettered(harness: Harness) -> None:
    d = Dossier(TENANT)
    await harness.deliver(d.received(vn(2026, 4, 28, 9, 0), procedure="9.999999"))
    assert len(harness.dead.sent) == 1
    assert harness.dead.sent[0].headers["dlq_reason"].startswith("permanent")


def _copy(e: EventEnvelope) -> EventEnvelope:
    return e.model_copy()


async def test_both_versions_of_the_supplement_request_pause_the_clock(harness: Harness) -> None:
    """v2 carries the count of missing items, v1 the clerk's list (issue 17): both pause."""
    for version in (1, 2):
        d = Dossier(TENANT)
        await harness.deliver(d.received(vn(2026, 4, 28, 9, 0)))
        await harness.deliver(d.supplement_requested(vn(2026, 4, 28, 10, 0), version=version))
        assert await _pending_keys(harness, d.dossier_id) == set(), version  # paused
    types = [e.event_type for e in await harness.new_events()]
    assert types.count("ClockPaused") == 2
