"""Recomputing open deadlines after a calendar change."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from motcua_clock import (
    CalendarChanged,
    Catalogue,
    ClockEvent,
    ClockState,
    NationalCalendar,
    changed_days,
    recompute,
    window_contains,
)
from motcua_clock.timeutil import VN_TZ

at = partial(datetime, tzinfo=VN_TZ)  # a moment in Vietnam time


def test_only_clocks_whose_window_holds_the_changed_day_are_recomputed(
    catalogue: Catalogue, national: NationalCalendar
) -> None:
    cal = national.for_tenant()
    new_national = national.with_change(
        CalendarChanged("day_off_added", date(2026, 3, 18), "bridge", "Nghỉ thêm (ví dụ)")
    )
    new_cal = new_national.for_tenant()
    changed = changed_days(cal, new_cal)
    assert changed == [date(2026, 3, 18)]

    states = []
    for day in range(2, 28):
        received = at(2026, 3, day, 9)
        if not cal.is_working_day(received.date()):
            continue
        proc = catalogue.version_at("1.004859", received)
        state = ClockState.start(received, proc, cal)
        if day == 16:
            state = state.apply(ClockEvent.paused(at(2026, 3, 17, 9)))
        states.append((state, state.snapshot()))

    moved = list(recompute(states, new_cal, changed, now=at(2026, 3, 30, 9)))
    touched = {s.received_at.date() for s, _ in moved}
    really_moved = {
        s.received_at.date()
        for s, snap in states
        if s.with_calendar(new_cal).snapshot(at(2026, 3, 30, 9)).due_at != snap.due_at
    }
    assert really_moved <= touched
    assert date(2026, 3, 16) in touched  # open pause: window runs to `now`
    assert date(2026, 3, 2) not in touched and date(2026, 3, 25) not in touched
    for state, snapshot in moved:
        fresh = ClockState.start(state.received_at, state.procedure, new_cal).apply_all(
            state.events
        )
        assert snapshot.to_dict() == fresh.snapshot(at(2026, 3, 30, 9)).to_dict()
    # The unaffected ones really are unchanged under the new calendar.
    for state, snapshot in states:
        if state.received_at.date() not in touched:
            assert state.with_calendar(new_cal).snapshot().due_at == snapshot.due_at
    sample = next(s for s, _ in moved if s.received_at.date() == date(2026, 3, 16))
    assert sample.events and sample.calendar is new_cal


def test_no_change_no_days() -> None:
    cal = NationalCalendar().for_tenant()
    assert changed_days(cal, NationalCalendar().for_tenant()) == []
    assert not window_contains(at(2026, 1, 1), at(2026, 1, 2), [date(2026, 1, 3)])
    assert window_contains(at(2026, 1, 1), at(2026, 1, 2) + timedelta(days=1), [date(2026, 1, 3)])
