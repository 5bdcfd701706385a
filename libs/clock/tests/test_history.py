"""Rules about events: supplements, verification, apologies, completion, ordering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import Any

import pytest
from motcua_clock import (
    Catalogue,
    ClockEvent,
    ClockRuleViolation,
    ClockState,
    NationalCalendar,
    ProcedureVersion,
    TenantCalendar,
    TimeLimit,
    compute_clock,
)
from motcua_clock.timeutil import VN_TZ

at = partial(datetime, tzinfo=VN_TZ)  # a moment in Vietnam time


def procedure(
    catalogue: Catalogue, code: str, received: datetime, **changes: Any
) -> ProcedureVersion:
    version = catalogue.version_at(code, received)
    return replace(version, **changes) if changes else version


THREE_WD = "1.004859"
RECEIVED = at(2026, 4, 28, 9)  # Tuesday; due Tuesday 5 May 2026 17:00 (table tests)


def violation_code(func: Callable[[], object]) -> str:
    with pytest.raises(ClockRuleViolation) as info:
        func()
    assert info.value.message_vi  # a clerk can read it
    return info.value.code


@pytest.fixture()
def three_wd(catalogue: Catalogue) -> ProcedureVersion:
    return procedure(catalogue, THREE_WD, RECEIVED)


# --- apology and rescheduling ------------------------------------------------------------


def test_apology_reschedules_once(three_wd: ProcedureVersion, tenant: TenantCalendar) -> None:
    events = [ClockEvent.apology(at(2026, 5, 4, 10), at(2026, 5, 8))]
    snap = compute_clock(RECEIVED, three_wd, tenant, events)
    assert snap.original_due_at == at(2026, 5, 5, 17)
    assert snap.due_at == at(2026, 5, 8, 17)  # a bare date means the whole day
    assert snap.rescheduled
    assert not snap.apology_late  # issued before Mon 4 May 17:00
    assert snap.threshold("apology_due") == at(2026, 5, 4, 17)
    assert snap.threshold("due") == at(2026, 5, 8, 17)


def test_apology_later_than_one_working_day_before_due_is_flagged(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    on_time = compute_clock(
        RECEIVED, three_wd, tenant, [ClockEvent.apology(at(2026, 5, 4, 17), at(2026, 5, 8))]
    )
    late = compute_clock(
        RECEIVED, three_wd, tenant, [ClockEvent.apology(at(2026, 5, 5, 9), at(2026, 5, 8))]
    )
    after_due = compute_clock(
        RECEIVED, three_wd, tenant, [ClockEvent.apology(at(2026, 5, 6, 9), at(2026, 5, 8))]
    )
    assert not on_time.apology_late
    assert late.apology_late and late.due_at == at(2026, 5, 8, 17)
    assert after_due.apology_late


def test_second_apology_is_refused(three_wd: ProcedureVersion, tenant: TenantCalendar) -> None:
    events = [
        ClockEvent.apology(at(2026, 5, 4, 10), at(2026, 5, 8)),
        ClockEvent.apology(at(2026, 5, 7, 10), at(2026, 5, 12)),
    ]
    assert (
        violation_code(lambda: compute_clock(RECEIVED, three_wd, tenant, events)) == "apology_twice"
    )


@pytest.mark.parametrize("new_due", [at(2026, 5, 5, 17), at(2026, 5, 5, 10), at(2026, 5, 4)])
def test_new_date_must_be_after_the_current_due(
    three_wd: ProcedureVersion, tenant: TenantCalendar, new_due: datetime
) -> None:
    events = [ClockEvent.apology(at(2026, 5, 4, 10), new_due)]
    assert (
        violation_code(lambda: compute_clock(RECEIVED, three_wd, tenant, events))
        == "apology_not_later"
    )
    # Replaying under a changed calendar does not re-judge: the due stays statutory.
    lenient = compute_clock(RECEIVED, three_wd, tenant, events, strict=False)
    assert lenient.due_at == at(2026, 5, 5, 17) and not lenient.rescheduled


def test_new_date_on_a_day_off_moves_to_the_next_working_day(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    # Sat 9 May 2026 -> close of Mon 11 May (Civil Code art. 148).
    snap = compute_clock(
        RECEIVED, three_wd, tenant, [ClockEvent.apology(at(2026, 5, 4, 10), at(2026, 5, 9, 10))]
    )
    assert snap.due_at == at(2026, 5, 11, 17)


def test_result_judged_against_the_new_date(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    apology = ClockEvent.apology(at(2026, 5, 4, 10), at(2026, 5, 8))
    on_time = compute_clock(
        RECEIVED, three_wd, tenant, [apology, ClockEvent.completed(at(2026, 5, 8, 16))]
    )
    late = compute_clock(
        RECEIVED, three_wd, tenant, [apology, ClockEvent.completed(at(2026, 5, 11, 8))]
    )
    assert on_time.state == "done_on_time"
    assert late.state == "done_late"


# --- supplements: pause and resume, or restart ----------------------------------------------


def test_pause_is_an_interval_and_shifts_the_due(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    events = [ClockEvent.paused(at(2026, 4, 29, 10)), ClockEvent.resumed(at(2026, 5, 4, 8))]
    snap = compute_clock(RECEIVED, three_wd, tenant, events)
    assert [(p.start, p.end) for p in snap.paused_intervals] == [
        (at(2026, 4, 29, 10), at(2026, 5, 4, 8))
    ]
    # 5 h 30 min of working time paused -> due moves from Tue 5 May 17:00 to Wed 6 May 15:00.
    assert snap.due_at == at(2026, 5, 6, 15)
    assert snap.allowed_working_seconds == 6 * 3600 + 3 * 27000


def test_open_pause_gives_a_provisional_due_that_moves_with_now(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    events = [ClockEvent.paused(at(2026, 4, 29, 10))]
    early = compute_clock(RECEIVED, three_wd, tenant, events, now=at(2026, 4, 29, 11))
    later = compute_clock(RECEIVED, three_wd, tenant, events, now=at(2026, 5, 4, 8))
    assert early.state == later.state == "paused"
    assert early.provisional and later.provisional
    assert early.due_at < later.due_at == at(2026, 5, 6, 15)


def test_restart_policy_counts_again_from_zero(
    catalogue: Catalogue, tenant: TenantCalendar
) -> None:
    proc = procedure(catalogue, THREE_WD, RECEIVED)
    events = [ClockEvent.paused(at(2026, 4, 29, 10)), ClockEvent.resumed(at(2026, 5, 4, 8))]
    online = compute_clock(RECEIVED, proc, tenant, events, channel="online")
    counter = compute_clock(RECEIVED, proc, tenant, events, channel="counter")
    assert online.restarted and not counter.restarted
    assert online.due_at == at(2026, 5, 7, 17)  # Tue 5, Wed 6, Thu 7 after resumption on Mon 4
    assert online.counting_started_at == at(2026, 5, 4, 8)
    assert counter.due_at == at(2026, 5, 6, 15)


def test_only_one_supplement_request(three_wd: ProcedureVersion, tenant: TenantCalendar) -> None:
    events = [
        ClockEvent.paused(at(2026, 4, 29, 10)),
        ClockEvent.resumed(at(2026, 4, 30, 8)),
        ClockEvent.paused(at(2026, 5, 4, 9)),
    ]
    assert (
        violation_code(lambda: compute_clock(RECEIVED, three_wd, tenant, events))
        == "supplement_limit"
    )


def test_pause_and_resume_must_alternate(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    resume_first = [ClockEvent.resumed(at(2026, 4, 29, 10))]
    twice = [ClockEvent.paused(at(2026, 4, 29, 10)), ClockEvent.paused(at(2026, 4, 29, 11))]
    assert (
        violation_code(lambda: compute_clock(RECEIVED, three_wd, tenant, resume_first))
        == "not_paused"
    )
    two = replace(
        three_wd, supplement_policy=replace(three_wd.supplement_policy, max_supplements=2)
    )
    assert violation_code(lambda: compute_clock(RECEIVED, two, tenant, twice)) == "already_paused"


def test_online_dossier_closes_after_15_working_days_without_supplement(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    events = [ClockEvent.paused(at(2026, 4, 29, 10))]
    # Day 1 is Mon 4 May (30 Apr-3 May off); day 15 is Fri 22 May 2026.
    waiting = compute_clock(
        RECEIVED, three_wd, tenant, events, now=at(2026, 5, 22, 16), channel="online"
    )
    expired = compute_clock(
        RECEIVED, three_wd, tenant, events, now=at(2026, 5, 25, 8), channel="online"
    )
    assert waiting.supplement_deadline_at == at(2026, 5, 22, 17)
    assert waiting.state == "paused"
    assert expired.state == "supplement_expired"
    counter = compute_clock(RECEIVED, three_wd, tenant, events, now=at(2026, 5, 25, 8))
    assert counter.supplement_deadline_at is None and counter.state == "paused"


def test_dossier_keeps_the_version_in_force_when_received(
    catalogue: Catalogue, tenant: TenantCalendar
) -> None:
    # Online supplements restart only under the 2025 rules (version 2, from 1 Jul 2025).
    before = at(2025, 6, 30, 16)
    after = at(2025, 7, 1, 9)
    old = catalogue.version_at(THREE_WD, before)
    new = catalogue.version_at(THREE_WD, after)
    assert (old.version, new.version) == ("1", "2")
    pause = [ClockEvent.paused(at(2025, 7, 2, 9)), ClockEvent.resumed(at(2025, 7, 3, 9))]
    old_snap = compute_clock(before, old, tenant, pause, channel="online")
    assert not old_snap.restarted
    assert compute_clock(after, new, tenant, pause, channel="online").restarted


# --- verification extension -----------------------------------------------------------------


def test_verification_extends_to_the_longer_limit(
    catalogue: Catalogue, tenant: TenantCalendar
) -> None:
    received = at(2026, 2, 11, 10)  # Wed; marriage: same day, 5 wd with verification
    marriage = procedure(catalogue, "1.000894", received)
    plain = compute_clock(received, marriage, tenant)
    extended = compute_clock(
        received, marriage, tenant, [ClockEvent.verification_extended(at(2026, 2, 11, 14))]
    )
    upfront = compute_clock(received, marriage, tenant, verification=True)
    assert plain.due_at == at(2026, 2, 11, 17)
    assert extended.due_at == upfront.due_at == at(2026, 2, 25, 17)
    assert extended.verification and extended.time_limit == TimeLimit(5, "working_days")


def test_verification_rules(catalogue: Catalogue, tenant: TenantCalendar) -> None:
    received = at(2026, 2, 11, 10)
    marriage = procedure(catalogue, "1.000894", received)
    birth = procedure(catalogue, "1.001193", received)
    too_late = [ClockEvent.verification_extended(at(2026, 2, 12, 9))]
    twice = [ClockEvent.verification_extended(at(2026, 2, 11, 11))] * 2
    none = [ClockEvent.verification_extended(at(2026, 2, 11, 11))]
    assert (
        violation_code(lambda: compute_clock(received, marriage, tenant, too_late))
        == "verification_after_due"
    )
    assert (
        violation_code(lambda: compute_clock(received, marriage, tenant, twice))
        == "verification_twice"
    )
    assert (
        violation_code(lambda: compute_clock(received, birth, tenant, none))
        == "no_verification_limit"
    )
    assert (
        violation_code(lambda: compute_clock(received, birth, tenant, verification=True))
        == "no_verification_limit"
    )


# --- states, shares and thresholds ---------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "state"),
    [
        (at(2026, 5, 4, 16), "done_early"),
        (at(2026, 5, 5, 8), "done_on_time"),
        (at(2026, 5, 5, 17), "done_on_time"),
        (at(2026, 5, 5, 17, 1), "done_late"),
    ],
)
def test_done_states(
    three_wd: ProcedureVersion, tenant: TenantCalendar, done: datetime, state: str
) -> None:
    snap = compute_clock(
        RECEIVED, three_wd, tenant, [ClockEvent.completed(done)], now=at(2026, 6, 1, 9)
    )
    assert snap.state == state
    assert snap.completed_at == done


def test_running_breached_withdrawn_and_shares(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    mid = compute_clock(RECEIVED, three_wd, tenant, now=at(2026, 4, 29, 17))
    assert mid.state == "running"
    assert mid.elapsed_working_seconds == 6 * 3600 + 27000  # rest of Tue + all of Wed
    assert mid.elapsed_calendar_seconds == 32 * 3600  # Tue 09:00 -> Wed 17:00
    assert mid.consumed_share == pytest.approx((6 * 3600 + 27000) / (6 * 3600 + 3 * 27000))
    assert compute_clock(RECEIVED, three_wd, tenant, now=at(2026, 5, 6, 8)).state == "breached"
    gone = compute_clock(RECEIVED, three_wd, tenant, [ClockEvent.withdrawn(at(2026, 4, 30, 9))])
    assert gone.state == "withdrawn"


def test_default_thresholds_are_50_75_apology_due(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    snap = compute_clock(RECEIVED, three_wd, tenant)
    kinds = {t.kind: t.at for t in snap.thresholds}
    assert set(kinds) == {"share_50", "share_75", "apology_due", "due"}
    allowed = snap.allowed_working_seconds
    assert tenant.w_at(kinds["share_50"]) - tenant.w_at(RECEIVED) == allowed // 2 + allowed % 2
    assert kinds["apology_due"] == at(2026, 5, 4, 17)
    assert kinds["due"] == at(2026, 5, 5, 17)


def test_thresholds_are_configurable_per_procedure(
    three_wd: ProcedureVersion, tenant: TenantCalendar
) -> None:
    custom = replace(three_wd, thresholds=(0.9,), apology_lead_working_days=2)
    snap = compute_clock(RECEIVED, custom, tenant)
    assert [t.kind for t in snap.thresholds] == ["apology_due", "share_90", "due"]
    assert snap.threshold("apology_due") == at(2026, 4, 29, 17)  # two working days before


def test_working_hours_procedure(three_wd: ProcedureVersion, tenant: TenantCalendar) -> None:
    hours = replace(three_wd, time_limit=TimeLimit(16, "working_hours"))
    snap = compute_clock(at(2026, 5, 4, 7, 30), hours, tenant)
    # 16 h from Mon 4 May 07:30 with 7.5 h sessions: Mon, Tue, then 1 h on Wed.
    assert snap.due_at == at(2026, 5, 6, 8, 30)
    assert snap.allowed_working_seconds == 16 * 3600
    assert snap.threshold("share_50") == at(2026, 5, 5, 8, 0)


# --- ordering and inputs ---------------------------------------------------------------------


def test_event_order_rules(three_wd: ProcedureVersion, tenant: TenantCalendar) -> None:
    before = [ClockEvent.paused(at(2026, 4, 27, 9))]
    unordered = [ClockEvent.paused(at(2026, 4, 30, 9)), ClockEvent.resumed(at(2026, 4, 29, 9))]
    closed = [ClockEvent.completed(at(2026, 4, 29, 9)), ClockEvent.paused(at(2026, 4, 30, 9))]
    assert (
        violation_code(lambda: compute_clock(RECEIVED, three_wd, tenant, before))
        == "event_before_receipt"
    )
    assert (
        violation_code(lambda: compute_clock(RECEIVED, three_wd, tenant, unordered))
        == "events_out_of_order"
    )
    assert (
        violation_code(lambda: compute_clock(RECEIVED, three_wd, tenant, closed)) == "clock_closed"
    )
    last = [ClockEvent.paused(at(2026, 4, 29, 9))]
    assert (
        violation_code(
            lambda: compute_clock(RECEIVED, three_wd, tenant, last, now=at(2026, 4, 29, 8))
        )
        == "now_before_last_event"
    )


def test_naive_datetimes_are_refused(three_wd: ProcedureVersion, tenant: TenantCalendar) -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        compute_clock(datetime(2026, 4, 28, 9), three_wd, tenant)
    with pytest.raises(ValueError, match="múi giờ"):
        ClockEvent.paused(datetime(2026, 4, 29, 9))


def test_state_round_trips_and_is_recomputed_under_a_new_calendar(
    three_wd: ProcedureVersion, national: NationalCalendar
) -> None:
    from motcua_clock import CalendarChanged

    cal = national.for_tenant()
    events = [ClockEvent.paused(at(2026, 4, 29, 10)), ClockEvent.resumed(at(2026, 5, 4, 8))]
    state = ClockState.start(RECEIVED, three_wd, cal).apply_all(events)
    restored = ClockState.from_dict(state.to_dict(), three_wd, cal)
    assert restored.snapshot().to_dict() == state.snapshot().to_dict()
    changed = national.with_change(
        CalendarChanged("day_off_added", date(2026, 5, 5), name_vi="Nghỉ đột xuất")
    )
    moved = state.with_calendar(changed.for_tenant())
    assert moved.snapshot().due_at == at(2026, 5, 7, 15)
    with pytest.raises(ValueError):
        ClockState.from_dict(state.to_dict(), replace(three_wd, version="9"), cal)


def test_a_communes_shorter_promise_replaces_the_statutory_time_never_a_longer_one() -> None:
    from motcua_clock import ClockState, TimeLimit, promised_limit

    three = TimeLimit(3, "working_days")
    assert promised_limit(three, 2) == TimeLimit(2, "working_days")
    assert promised_limit(three, 0.5) == TimeLimit(4, "working_hours")
    assert promised_limit(three, 0) == TimeLimit(0, "same_day")
    assert promised_limit(three, 5) == three and promised_limit(three, None) == three
    assert promised_limit(TimeLimit(0, "same_day"), 1) == TimeLimit(0, "same_day")
    import motcua_clock as mc

    catalogue, national = mc.load_catalogue(), mc.load_calendar()
    version = catalogue.get("1.004859", "2")
    calendar = national.for_tenant(mc.TenantConfig())
    received = datetime(2026, 5, 11, 9, 0, tzinfo=VN_TZ)
    promised = ClockState.start(received, version, calendar, promised_working_days=2)
    plain = ClockState.start(received, version, calendar)
    assert promised.snapshot().due_at < plain.snapshot().due_at
    assert promised.snapshot().due_at == mc.compute_due(
        received, version, calendar, promised_working_days=2
    )
    back = ClockState.from_dict(promised.to_dict(), version, calendar)
    assert back.snapshot().due_at == promised.snapshot().due_at
    assert back.with_calendar(calendar).snapshot().due_at == promised.snapshot().due_at
