"""Working seconds between two moments, from the national working calendar (motcua-clock).

Default office hours: analytics uses it only when workflow sent no elapsed time.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from motcua_clock import CalendarError, load_calendar
from motcua_clock.tenant_calendar import TenantCalendar


@cache
def _calendar() -> TenantCalendar:
    return load_calendar().for_tenant()


class CalendarWorkingTime:
    def seconds(self, start: datetime, end: datetime) -> int | None:
        calendar = _calendar()
        try:
            return max(0, calendar.w_at(end) - calendar.w_at(start))
        except CalendarError:
            return None
