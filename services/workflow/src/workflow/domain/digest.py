"""The morning digest: each working morning at the commune's digest time."""

from __future__ import annotations

from datetime import datetime, time

from motcua_clock import VN_TZ, TenantCalendar

DIGEST_CAP = 500


def next_digest_at(calendar: TenantCalendar, after: datetime, digest_time: str) -> datetime:
    """The first working-day morning at `digest_time` strictly after `after`."""
    hours, minutes = (int(p) for p in digest_time.split(":"))
    local = after.astimezone(VN_TZ)
    day = calendar.next_working_day(local.date(), include=True)
    while True:
        moment = datetime.combine(day, time(hours, minutes), VN_TZ)
        if moment > local:
            return moment
        day = calendar.next_working_day(day)


def digest_key(moment: datetime) -> str:
    return f"digest:{moment.astimezone(VN_TZ).date().isoformat()}"
