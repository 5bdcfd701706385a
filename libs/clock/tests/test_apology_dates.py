"""The apology's new date and its limit for same-day procedures (issue 15).

Same-day procedures (birth, marriage, death registration...) are due at the close of the
day of receipt. An apology issued that day must not promise that same day (or a past one),
and must not be flagged late merely because no moment "one working day before" exists.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from motcua_clock import (
    Catalogue,
    ClockEvent,
    TenantCalendar,
    apology_new_due,
    compute_clock,
    compute_due,
)
from motcua_clock.timeutil import VN_TZ

at = partial(datetime, tzinfo=VN_TZ)
BIRTH = "1.001193"  # same day
THREE_WD = "1.004859"


def test_same_day_apology_on_the_day_of_receipt_moves_to_the_next_working_day(
    tenant: TenantCalendar,
) -> None:
    # Friday 13 Feb 2026, the last working day before Tết (14-22 Feb off).
    due = at(2026, 2, 13, 17)
    issued = at(2026, 2, 13, 14)
    for requested in (at(2026, 2, 13), at(2026, 2, 13, 16), at(2026, 2, 10)):
        assert apology_new_due(tenant, issued, due, requested) == at(2026, 2, 23, 17)
    # A date after that floor stands, read as the close of that day.
    assert apology_new_due(tenant, issued, due, at(2026, 2, 25)) == at(2026, 2, 25, 17)


def test_a_passed_due_never_gets_a_new_date_in_the_past(tenant: TenantCalendar) -> None:
    due = at(2026, 5, 5, 17)  # Tuesday
    issued = at(2026, 5, 6, 9)  # Wednesday, already late
    # Tuesday evening is after the old due but already gone: Thursday's close at the least.
    assert apology_new_due(tenant, issued, due, at(2026, 5, 5, 16)) == at(2026, 5, 7, 17)
    assert apology_new_due(tenant, issued, due, at(2026, 5, 6)) == at(2026, 5, 7, 17)


def test_a_future_due_keeps_the_requested_date(tenant: TenantCalendar) -> None:
    due = at(2026, 5, 5, 17)
    issued = at(2026, 5, 4, 10)
    assert apology_new_due(tenant, issued, due, at(2026, 5, 8)) == at(2026, 5, 8, 17)
    # Not raised to a floor: ClockState refuses a date not later than the due.
    assert apology_new_due(tenant, issued, due, at(2026, 5, 5)) == at(2026, 5, 5, 17)


def test_same_day_apology_issued_during_the_day_is_not_late(
    catalogue: Catalogue, tenant: TenantCalendar
) -> None:
    received = at(2026, 3, 10, 9)  # Tuesday morning, before the 15:00 cut-off
    proc = catalogue.version_at(BIRTH, received)
    due = compute_due(received, proc, tenant)
    assert due == at(2026, 3, 10, 17)
    plain = compute_clock(received, proc, tenant)
    assert plain.threshold("apology_due") == due  # no lead day fits: the due itself
    issued = at(2026, 3, 10, 14)
    new_due = apology_new_due(tenant, issued, due, at(2026, 3, 10))
    assert new_due == at(2026, 3, 11, 17)
    on_time = compute_clock(received, proc, tenant, [ClockEvent.apology(issued, new_due)])
    assert not on_time.apology_late and on_time.due_at == at(2026, 3, 11, 17)
    after_due = compute_clock(
        received, proc, tenant, [ClockEvent.apology(at(2026, 3, 11, 8), at(2026, 3, 12))]
    )
    assert after_due.apology_late


def test_multi_day_procedures_keep_one_working_day_of_lead(
    catalogue: Catalogue, tenant: TenantCalendar
) -> None:
    received = at(2026, 4, 28, 9)
    proc = catalogue.version_at(THREE_WD, received)
    snap = compute_clock(received, proc, tenant)
    assert snap.threshold("apology_due") == at(2026, 5, 4, 17)
