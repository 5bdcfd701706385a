"""Each dossier's clock uses its own commune's configuration, and after a merger the new
unit's: calendar, leader, timers (issue #8)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from motcua_clock import DayOff, OfficeHours, TenantConfig
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.registry import spec_for
from motcua_contracts.topics import Topics
from motcua_testkit.workflow import Dossier, Harness, make_harness, tenant_configured, vn
from sqlalchemy import select
from workflow.adapters.tables import dossier_clocks, escalations, timers
from workflow.domain.calendar_plan import Segment, blend, dump, hand_over, parse

A, B, C = "xa-chieng-a", "xa-chieng-b", "phuong-moi-c"


def _at(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


async def _communes(h: Harness) -> None:
    """Three communes; each closes its office on a different weekday of the same week."""
    at = vn(2026, 5, 11, 8, 0)
    await h.deliver(
        tenant_configured(A, closures=["2026-05-12"], leader="lanh-dao-a", at=at),
        tenant_configured(B, closures=[], leader="lanh-dao-b", at=at),
        tenant_configured(C, closures=["2026-05-13"], leader="lanh-dao-c", at=at),
    )


async def _timer_tenants(h: Harness, dossier_id: str) -> set[str]:
    async with h.runtime.sessions() as s:
        rows = await s.scalars(
            select(timers.c.tenant_id).where(
                timers.c.subject_id == dossier_id, timers.c.fired_at.is_(None)
            )
        )
        return set(rows.all())


async def test_each_dossier_counts_with_its_own_communes_calendar_and_leader(
    harness: Harness,
) -> None:
    h = harness
    await _communes(h)
    a, b = Dossier(A), Dossier(B)
    # Same procedure (3 working days), same moment, two communes.
    await h.deliver(a.received(vn(2026, 5, 11, 9, 0)), b.received(vn(2026, 5, 11, 9, 0)))
    started = {e.tenant_id: e.payload for e in await h.new_events()}
    assert _at(started[A]["due_at"]) == vn(2026, 5, 15, 17, 0)  # A's closure on Tue 12 May
    assert _at(started[B]["due_at"]) == vn(2026, 5, 14, 17, 0)  # B works that day
    assert await _timer_tenants(h, a.dossier_id) == {A}
    assert await _timer_tenants(h, b.dossier_id) == {B}

    h.clock.set(vn(2026, 5, 15, 17, 30))
    await h.fire()
    raised = {
        e.tenant_id: e.payload["to_official_id"]
        for e in await h.new_events()
        if e.event_type == "EscalationRaised" and e.payload["reason"] == "late"
    }
    assert raised == {A: "lanh-dao-a", B: "lanh-dao-b"}


async def test_each_dossier_ends_its_day_at_its_own_communes_office_hours(
    harness: Harness,
) -> None:
    from motcua_contracts.events.tenants_v1 import OfficeHoursV1

    h = harness
    at = vn(2026, 5, 11, 8, 0)
    early = OfficeHoursV1(morning=("07:00", "11:00"), afternoon=("13:00", "16:30"))
    await h.deliver(
        tenant_configured(A, at=at),
        tenant_configured(B, office_hours=early, leader="lanh-dao-b", at=at),
    )
    a, b = Dossier(A), Dossier(B)
    await h.deliver(a.received(vn(2026, 5, 11, 9, 0)), b.received(vn(2026, 5, 11, 9, 0)))
    due = {e.tenant_id: _at(e.payload["due_at"]) for e in await h.new_events()}
    assert due == {A: vn(2026, 5, 14, 17, 0), B: vn(2026, 5, 14, 16, 30)}


async def test_cross_commune_dossier_runs_on_the_resolving_units_clock(harness: Harness) -> None:
    """Received at B's desk, resolved by A: A's closure counts, A's leader is escalated to."""
    h = harness
    await _communes(h)
    d = Dossier(B)
    await h.deliver(d.received(vn(2026, 5, 11, 9, 0), resolving=A))
    [started] = await h.new_events()
    assert started.tenant_id == A
    assert _at(started.payload["due_at"]) == vn(2026, 5, 15, 17, 0)
    assert await _timer_tenants(h, d.dossier_id) == {A}
    h.clock.set(vn(2026, 5, 15, 17, 30))
    await h.fire()
    [late] = [e for e in await h.new_events() if e.event_type == "EscalationRaised"][-1:]
    assert (late.tenant_id, late.payload["to_official_id"]) == (A, "lanh-dao-a")


async def test_merger_moves_clock_timers_and_escalations_to_the_new_unit(
    harness: Harness,
    client,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = harness
    await _communes(h)
    moving, staying = Dossier(A), Dossier(A)
    await h.deliver(moving.received(vn(2026, 5, 11, 9, 0)), staying.received(vn(2026, 5, 11, 9, 0)))
    await h.new_events()
    # Thu 14 May 17:00 is A's apology limit: an at-risk escalation to A's leader, still open.
    h.clock.set(vn(2026, 5, 14, 17, 5))
    await h.fire()
    at_risk = [e for e in await h.new_events() if e.event_type == "EscalationRaised"]
    assert {e.payload["to_official_id"] for e in at_risk} == {"lanh-dao-a"}
    open_escalation = next(e for e in at_risk if e.dossier_id == moving.dossier_id)

    # The merger took effect on Tue 12 May; C closes on Wed 13 May, so the remaining time
    # skips that day as well: one working day later, never earlier (A's closure stays).
    h.clock.set(vn(2026, 5, 14, 17, 10))
    await h.deliver(moving.reassigned(vn(2026, 5, 14, 17, 10), C, effective=vn(2026, 5, 12, 0, 0)))
    events = await h.new_events()
    assert {e.tenant_id for e in events} == {C}
    changed = next(e for e in events if e.event_type == "DeadlineChanged")
    assert changed.payload["cause"] == "calendar"
    assert _at(changed.payload["old_due_at"]) == vn(2026, 5, 15, 17, 0)
    assert _at(changed.payload["new_due_at"]) == vn(2026, 5, 18, 17, 0)
    handed = next(e for e in events if e.event_type == "EscalationRaised")
    assert handed.payload["escalation_id"] == open_escalation.payload["escalation_id"]
    assert handed.payload["to_official_id"] == "lanh-dao-c"
    assert await _timer_tenants(h, moving.dossier_id) == {C}
    assert await _timer_tenants(h, staying.dossier_id) == {A}
    async with h.runtime.sessions() as s:
        row = (
            await s.execute(
                select(dossier_clocks).where(dossier_clocks.c.dossier_id == moving.dossier_id)
            )
        ).one()
        esc_tenant = await s.scalar(
            select(escalations.c.tenant_id).where(
                escalations.c.escalation_id == handed.payload["escalation_id"]
            )
        )
    assert (row.tenant_id, row.resolving_tenant_id, esc_tenant) == (C, C, C)

    # C's leader acknowledges the inherited escalation; A's leader no longer can.
    url = f"/api/v1/communes/{{}}/escalations/{handed.payload['escalation_id']}/ack"
    wrong = await client.post(url.format(A), headers=auth("leader", A, subject="lanh-dao-a"))
    assert wrong.status_code in (403, 404)
    ok = await client.post(url.format(C), headers=auth("leader", C, subject="lanh-dao-c"))
    assert ok.status_code == 200, ok.text
    await h.new_events()

    # The breach: the staying dossier's at A's date to A's leader, the moved one later to C's.
    h.clock.set(vn(2026, 5, 15, 17, 30))
    await h.fire()
    late = [e for e in await h.new_events() if e.event_type == "DeadlineBreached"]
    assert [(e.dossier_id, e.tenant_id) for e in late] == [(staying.dossier_id, A)]
    h.clock.set(vn(2026, 5, 18, 17, 30))
    await h.fire()
    raised = [e for e in await h.new_events() if e.event_type == "EscalationRaised"]
    assert [(e.dossier_id, e.tenant_id, e.payload["to_official_id"]) for e in raised] == [
        (moving.dossier_id, C, "lanh-dao-c")
    ]
    assert not h.dead.sent


async def test_merger_without_closures_ahead_keeps_the_due_date(harness: Harness) -> None:
    h = harness
    await _communes(h)
    d = Dossier(A)
    await h.deliver(d.received(vn(2026, 5, 11, 9, 0)))
    await h.new_events()
    # Effective Thu 14 May: C's closure on 13 May is before it, so nothing moves.
    h.clock.set(vn(2026, 5, 14, 9, 0))
    await h.deliver(d.reassigned(vn(2026, 5, 14, 9, 0), C))
    assert await h.new_events() == []
    assert await _timer_tenants(h, d.dossier_id) == {C}
    # The same event again (redelivered or replayed) changes nothing.
    await h.deliver(d.reassigned(vn(2026, 5, 14, 9, 0), C))
    assert await h.new_events() == []


async def test_a_merged_receiving_desk_leaves_the_resolving_units_clock_alone(
    harness: Harness,
) -> None:
    """Received at A's desk for B; A merges into C: C now holds the receipt side, B still
    owns the clock, its escalations and its deadline."""
    h = harness
    await _communes(h)
    d = Dossier(A)
    await h.deliver(d.received(vn(2026, 5, 11, 9, 0), resolving=B))
    [started] = await h.new_events()
    assert (started.tenant_id, _at(started.payload["due_at"])) == (B, vn(2026, 5, 14, 17, 0))
    h.clock.set(vn(2026, 5, 13, 17, 5))  # B's apology limit: an escalation to B's leader
    await h.fire()
    assert [e.payload["to_official_id"] for e in await h.new_events() if "level" in e.payload] == [
        "lanh-dao-b"
    ]
    await h.deliver(
        d.reassigned(vn(2026, 5, 13, 17, 10), C, resolving=B, effective=vn(2026, 5, 12))
    )
    assert await h.new_events() == []  # no new due, nothing handed over
    assert await _timer_tenants(h, d.dossier_id) == {B}
    async with h.runtime.sessions() as s:
        row = (
            await s.execute(
                select(dossier_clocks).where(dossier_clocks.c.dossier_id == d.dossier_id)
            )
        ).one()
    assert (row.tenant_id, row.resolving_tenant_id, row.calendar_plan) == (C, B, None)


async def test_a_merged_unit_gets_no_more_morning_digests(harness: Harness) -> None:
    h = harness
    await _communes(h)

    async def digests(tenant: str) -> int:
        async with h.runtime.sessions() as s:
            rows = await s.scalars(
                select(timers.c.timer_key).where(
                    timers.c.subject_id == f"tenant:{tenant}", timers.c.fired_at.is_(None)
                )
            )
            return len(rows.all())

    assert (await digests(A), await digests(C)) == (1, 1)
    await h.deliver(
        tenant_configured(A, revision=2, at=vn(2026, 5, 11, 9), status="merged", merged_into=C)
    )
    assert (await digests(A), await digests(C)) == (0, 1)
    h.clock.set(vn(2026, 5, 13, 9, 0))
    await h.fire()
    compiled = [e for e in await h.new_events() if e.event_type == "MorningDigestCompiled"]
    assert {e.tenant_id for e in compiled} == {B, C}


def test_plan_keeps_the_first_units_hours_and_adds_later_closures_only() -> None:
    a = TenantConfig(
        tenant_id=A,
        office_hours=OfficeHours.from_dict({"morning": ["07:00", "11:00"]}),
        closures=(DayOff(date(2026, 5, 12), "closure", "A nghỉ"),),
    )
    c = TenantConfig(
        tenant_id=C,
        closures=(
            DayOff(date(2026, 5, 4), "closure", "C nghỉ trước sáp nhập"),
            DayOff(date(2026, 5, 13), "closure", "C nghỉ"),
        ),
    )
    blended = blend([(a, None), (c, date(2026, 5, 12))])
    assert blended.office_hours == a.office_hours
    assert [x.day for x in blended.closures] == [date(2026, 5, 12), date(2026, 5, 13)]
    plan = hand_over(parse(None, A), C, date(2026, 5, 12))
    assert plan == (Segment(A), Segment(C, date(2026, 5, 12)))
    assert hand_over(plan, C, date(2026, 6, 1)) == plan
    assert parse(dump(plan), "ignored") == plan
    assert dump(parse(None, A)) is None


async def test_replay_of_a_merger_gives_the_same_owners_plan_and_timers(
    harness: Harness, tmp_path: Path, keys_dir: Path
) -> None:
    """Read back from the topics into an empty database, at the worst interleaving
    (workflow's own events first), a merged dossier ends with the same unit, calendar plan,
    timers and escalation holder, and nothing fires twice."""
    h = harness
    log: list[EventEnvelope] = []

    async def deliver(*envelopes: EventEnvelope) -> None:
        log.extend(envelopes)
        await h.deliver(*envelopes)

    async def fire_at(moment: datetime) -> None:
        h.clock.set(moment)
        await h.fire()
        log.extend(await h.new_events())

    at = vn(2026, 5, 11, 8, 0)
    await deliver(
        tenant_configured(A, closures=["2026-05-12"], leader="lanh-dao-a", at=at),
        tenant_configured(C, closures=["2026-05-13"], leader="lanh-dao-c", at=at),
    )
    moving = Dossier(A)
    await deliver(moving.received(vn(2026, 5, 11, 9, 0)))
    log.extend(await h.new_events())
    await fire_at(vn(2026, 5, 14, 17, 5))  # at-risk escalation to A's leader
    h.clock.set(vn(2026, 5, 14, 17, 10))
    await deliver(moving.reassigned(vn(2026, 5, 14, 17, 10), C, effective=vn(2026, 5, 12)))
    log.extend(await h.new_events())
    await fire_at(vn(2026, 5, 19, 9, 0))  # C's breach on Mon 18 May, and a level up
    original = await _owned_state(h)

    (tmp_path / "replay").mkdir()
    replica = await make_harness(tmp_path / "replay", vn(2026, 5, 19, 9, 0), keys_dir)
    try:
        own = [e for e in log if spec_for(e.event_type, 1).topic == Topics.CLOCK]
        rest = [e for e in log if spec_for(e.event_type, 1).topic != Topics.CLOCK]
        await replica.deliver(*own, *rest)
        assert not replica.dead.sent
        assert await _owned_state(replica) == original
        await replica.fire()
        assert [e for e in await replica.new_events() if "timer_key" in e.payload] == []
    finally:
        await replica.runtime.close()
    assert original["clocks"][0][1:4] == (
        C,
        C,
        dump(hand_over((Segment(A),), C, date(2026, 5, 12))),
    )
    assert {e[1:3] for e in original["escalations"]} == {(C, "lanh-dao-c")}


async def _owned_state(h: Harness) -> dict[str, Any]:
    async with h.runtime.sessions() as s:
        clocks = (await s.execute(select(dossier_clocks).order_by("dossier_id"))).all()
        timer_rows = (await s.execute(select(timers))).all()
        esc = (await s.execute(select(escalations).order_by("escalation_id"))).all()
    return {
        "clocks": [
            (r.dossier_id, r.tenant_id, r.resolving_tenant_id, r.calendar_plan, r.due_at)
            for r in clocks
        ],
        "timers": sorted(
            (r.subject_id, r.timer_key, r.tenant_id, r.fired_at is not None)
            for r in timer_rows
            if r.kind != "digest"
        ),
        "escalations": [(r.escalation_id, r.tenant_id, r.to_official_id, r.level) for r in esc],
    }


async def test_both_units_see_a_cross_commune_dossier_only_the_resolving_one_apologises(
    harness: Harness,
    client,  # type: ignore[no-untyped-def]
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = harness
    await _communes(h)
    d = Dossier(B)  # received at B's desk, resolved by A
    await h.deliver(d.received(vn(2026, 5, 11, 9, 0), resolving=A))
    h.clock.set(vn(2026, 5, 15, 18, 0))  # late now
    for unit in (A, B):
        clock = await client.get(
            f"/api/v1/communes/{unit}/dossiers/{d.dossier_id}/clock", headers=auth("clerk", unit)
        )
        assert clock.status_code == 200, (unit, clock.text)
        late = await client.get(
            f"/api/v1/communes/{unit}/worklist",
            params={"view": "late"},
            headers=auth("clerk", unit),
        )
        assert [i["dossier_id"] for i in late.json()["items"]] == [d.dossier_id], unit
    other = await client.get(
        f"/api/v1/communes/{C}/dossiers/{d.dossier_id}/clock", headers=auth("clerk", C)
    )
    assert other.status_code == 404
    body = {"reason_vi": "Chờ xác minh", "new_due_at": "2026-05-20"}
    url = "/api/v1/communes/{}/dossiers/" + d.dossier_id + "/apology"
    receiving = await client.post(url.format(B), json=body, headers=auth("leader", B))
    assert receiving.status_code == 404
    resolving = await client.post(url.format(A), json=body, headers=auth("leader", A))
    assert resolving.status_code == 201, resolving.text
    apology = [e for e in await h.new_events() if e.event_type == "ApologyIssued"]
    assert [e.tenant_id for e in apology] == [A]  # notify writes Form 04 in A's name
    # The morning digest: the resolving unit's leader, who can act on it, not the desk's.
    h.clock.set(vn(2026, 5, 25, 8, 0))  # the digests pending since the 15th fire now
    await h.fire()
    digests = {
        e.tenant_id: [x["dossier_code"] for x in e.payload["late"]]
        for e in await h.new_events()
        if e.event_type == "MorningDigestCompiled"
    }
    assert (digests[A], digests[B]) == ([d.code], [])


async def test_a_communes_shorter_promise_runs_the_clock(harness: Harness) -> None:
    """A promises 2 working days for the 3-day procedure: its clock is due a day earlier than
    B's, and the promise made at receipt holds when A later changes its configuration."""
    from motcua_contracts.events.tenants_v1 import ProcedurePromise

    h = harness
    at = vn(2026, 5, 11, 8, 0)
    a, b = Dossier(A), Dossier(B)
    promise = [ProcedurePromise(procedure_code="1.004859", promised_working_days=2)]
    await h.deliver(
        tenant_configured(A, enabled_procedures=promise, at=at),
        tenant_configured(B, leader="lanh-dao-b", at=at),
    )
    await h.deliver(a.received(vn(2026, 5, 11, 9, 0)), b.received(vn(2026, 5, 11, 9, 0)))
    due = {e.tenant_id: _at(e.payload["due_at"]) for e in await h.new_events()}
    assert due == {A: vn(2026, 5, 13, 17, 0), B: vn(2026, 5, 14, 17, 0)}
    await h.deliver(tenant_configured(A, revision=2, at=vn(2026, 5, 11, 10, 0)))
    async with h.runtime.sessions() as s:
        stored = await s.scalar(
            select(dossier_clocks.c.due_at).where(dossier_clocks.c.dossier_id == a.dossier_id)
        )
    assert stored is not None and stored == vn(2026, 5, 13, 17, 0)
