"""Escalations and the morning digest go to the leader on duty that day (the roster)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from motcua_contracts.events.tenants_v1 import LeaderOnDuty
from motcua_contracts.events.tenants_v2 import DateDuty, DutyRoster, WeekdayDuty
from motcua_testkit.workflow import TENANT, Dossier, Harness, tenant_configured, vn
from workflow.domain.duty import leader_at, leader_on

CONFIG = {
    "leader_on_duty": {"official_id": "ld-default"},
    "duty_roster": {
        "weekdays": [{"weekday": 2, "leader": {"official_id": "ld-tuesday"}}],
        "dates": [{"day": "2026-05-12", "leader": {"official_id": "ld-swap"}}],
    },
}


def test_the_dates_entry_wins_then_the_weekday_then_the_default() -> None:
    assert leader_on(CONFIG, date(2026, 5, 5)) == "ld-tuesday"  # a Tuesday
    assert leader_on(CONFIG, date(2026, 5, 12)) == "ld-swap"  # a Tuesday, swapped
    assert leader_on(CONFIG, date(2026, 5, 6)) == "ld-default"
    assert leader_on(None, date(2026, 5, 6)) is None
    assert leader_on({"leader_on_duty": None}, date(2026, 5, 6)) is None


def test_the_day_is_the_local_date_not_utc() -> None:
    # 23:30 UTC on Monday 4 May is 06:30 on Tuesday 5 May in Vietnam.
    assert leader_at(CONFIG, datetime(2026, 5, 4, 23, 30, tzinfo=UTC)) == "ld-tuesday"


def _roster() -> DutyRoster:
    return DutyRoster(
        weekdays=[WeekdayDuty(weekday=1, leader=LeaderOnDuty(official_id="ld-monday"))],
        dates=[DateDuty(day=date(2026, 5, 5), leader=LeaderOnDuty(official_id="ld-swap"))],
    )


async def test_escalation_and_digest_name_the_leader_on_duty_that_day(harness: Harness) -> None:
    h = harness
    await h.deliver(
        tenant_configured(TENANT, leader="ld-default", duty_roster=_roster(), at=vn(2026, 4, 1))
    )
    d = Dossier(TENANT)
    # 1.004859 received Tue 28 Apr 2026 09:00: due Tue 5 May 17:00, apology due 4 May 17:00.
    await h.deliver(d.received(vn(2026, 4, 28, 9, 0)), d.accepted(vn(2026, 4, 28, 9, 5)))
    days = []
    for moment in (vn(2026, 4, 29, 7, 45), vn(2026, 5, 4, 7, 45)):  # Wednesday, then Monday
        h.clock.set(moment)
        await h.fire()
        days += [
            (e.payload["day"], e.payload["leader_official_id"])
            for e in await h.new_events()
            if e.event_type == "MorningDigestCompiled"
        ]
    assert days == [("2026-04-29", "ld-default"), ("2026-05-04", "ld-monday")]
    h.clock.set(vn(2026, 5, 5, 17, 30))  # Tuesday, swapped: the breach escalates to ld-swap
    await h.fire()
    events = await h.new_events()
    raised = [e.payload for e in events if e.event_type == "EscalationRaised"]
    assert raised and all(p["to_official_id"] == "ld-swap" for p in raised)
    digest = [e.payload for e in events if e.event_type == "MorningDigestCompiled"]
    assert digest and digest[-1]["leader_official_id"] == "ld-swap"


async def test_a_commune_without_a_roster_escalates_to_its_default_leader(
    harness: Harness,
) -> None:
    h = harness
    await h.deliver(tenant_configured(TENANT, leader="ld-default", at=vn(2026, 4, 1)))
    d = Dossier(TENANT)
    await h.deliver(d.received(vn(2026, 4, 28, 9, 0)), d.accepted(vn(2026, 4, 28, 9, 5)))
    h.clock.set(vn(2026, 5, 5, 17, 30))
    await h.fire()
    raised = [e.payload for e in await h.new_events() if e.event_type == "EscalationRaised"]
    assert raised and {p["to_official_id"] for p in raised} == {"ld-default"}
