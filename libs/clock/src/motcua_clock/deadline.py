"""Due moments from a start moment, a procedure version and a tenant calendar.

Counting rules (docs/clock.md explains the legal reasoning):
- same day: the 15:00 rule (Civil Status Law 2014 art. 5(3), Decree 23/2015 art. 7);
- working days, count_mode "end_of_day" (default): the period starts the day after
  the day of receipt and ends at the close of office hours of its last working day
  (Civil Code 2015 art. 147-148);
- working days, count_mode "working_hours": N x hours_per_working_day working
  hours from the moment of receipt;
- working hours: N working hours from the moment of receipt.
"""

from __future__ import annotations

from datetime import datetime

from .catalogue import ProcedureVersion, TimeLimit, promised_limit
from .tenant_calendar import TenantCalendar
from .timeutil import VN_TZ


def plan_w(
    calendar: TenantCalendar, procedure: ProcedureVersion, limit: TimeLimit, start: datetime
) -> tuple[int, int]:
    """(W at start, W at the due moment) for a period that starts at `start`, no pauses."""
    unit = limit.unit
    if unit == "same_day":
        return calendar.due_w_end_of_day(start, 0, procedure.cutoff_seconds)
    if unit == "working_days":
        if procedure.count_mode == "end_of_day":
            return calendar.due_w_end_of_day(start, limit.amount, 0)
        w0 = calendar.w_at(start)
        return w0, w0 + limit.amount * calendar.unit_day_seconds
    w0 = calendar.w_at(start)
    return w0, w0 + limit.amount * 3600


def compute_due(
    received_at: datetime,
    procedure: ProcedureVersion,
    calendar: TenantCalendar,
    verification: bool = False,
    promised_working_days: float | None = None,
) -> datetime:
    """The due moment of a dossier with no pause, apology or extension yet.

    The fast path used by intake for the appointment date on the receipt. A commune's own
    shorter promise (`promised_working_days`) replaces the statutory time, never a longer one.
    """
    limit = procedure.limit(verification)
    if not verification:
        limit = promised_limit(limit, promised_working_days)
    return calendar.moment_at(plan_w(calendar, procedure, limit, received_at)[1])


def supplement_deadline(
    calendar: TenantCalendar, requested_at: datetime, working_days: int
) -> datetime:
    """Close of the N-th working day after a supplement request (Civil Code art. 147)."""
    return calendar.moment_at(calendar.due_w_end_of_day(requested_at, working_days, 0)[1])


def apology_new_due(
    calendar: TenantCalendar, issued_at: datetime, current_due: datetime, requested: datetime
) -> datetime:
    """The new date an apology (Form 04) promises, as a valid due moment.

    The requested moment is read as `TenantCalendar.due_on` reads it (a bare date: the
    close of that day). When the current due falls on the day of issue or has already
    passed (a same-day procedure apologised for on its day of receipt, or any late
    dossier), a new date on that day or in the past would promise nothing the citizen can
    still count on: the new date is then at least the close of the next working day after
    the day of issue. Otherwise the requested date stands (and must be later than the
    current due, which `ClockState.apply` checks).
    """
    promised = calendar.due_on(requested)
    issue_day = issued_at.astimezone(VN_TZ).date()
    if current_due.astimezone(VN_TZ).date() > issue_day:
        return promised
    floor = calendar.end_of_day(calendar.next_working_day(issue_day))
    return max(promised, floor)
