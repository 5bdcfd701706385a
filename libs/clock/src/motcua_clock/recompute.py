"""Recomputing open deadlines after a calendar change.

A change can only move a deadline whose counting window [receipt day, due day]
(or open supplement wait) contains a changed day: working-time differences
outside that window are untouched. So the windows are checked first, and only the
affected clocks are re-derived.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from .clock import ClockState
from .snapshot import ClockSnapshot
from .tenant_calendar import TenantCalendar, day_from_index
from .timeutil import to_local


def changed_days(old: TenantCalendar, new: TenantCalendar) -> list[date]:
    """Days whose working/non-working status differs between two calendars."""
    before = old.working_flags()
    after = new.working_flags()
    if before == after:
        return []
    return [day_from_index(i) for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]


def window_contains(first: datetime, last: datetime, days: Sequence[date]) -> bool:
    """True if any of `days` lies in [first's date, last's date] (Vietnam time)."""
    low = to_local(first).date()
    high = to_local(last).date()
    return any(low <= day <= high for day in days)


def recompute(
    states: Iterable[tuple[ClockState, ClockSnapshot]],
    calendar: TenantCalendar,
    changed: Sequence[date],
    now: datetime | None = None,
) -> Iterator[tuple[ClockState, ClockSnapshot]]:
    """Yield (new state, new snapshot) for each open clock that the change may move.

    `states` pairs each open clock with its last snapshot (whose due bounds the window).
    """
    for state, snapshot in states:
        last = snapshot.due_at
        if snapshot.supplement_deadline_at is not None and snapshot.supplement_deadline_at > last:
            last = snapshot.supplement_deadline_at
        if snapshot.provisional and now is not None and now > last:
            last = now  # an open pause: the due depends on when the supplement arrives
        if not window_contains(state.received_at, last, changed):
            continue
        moved = state.with_calendar(calendar)
        yield moved, moved.snapshot(now)
