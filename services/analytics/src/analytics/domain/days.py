"""Days are Vietnam's calendar days: a dossier received at 23:30 UTC counts on the next day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from motcua_clock import VN_TZ

VN = VN_TZ  # the one zone: motcua_clock's


@lru_cache(maxsize=1 << 16)
def local_day(moment: datetime) -> date:
    """Cached: a dossier's moments are looked up several times per projection."""
    return moment.astimezone(VN).date()


def start_of(day: date) -> datetime:
    """The first moment of a Vietnamese calendar day, as an aware datetime."""
    return datetime.combine(day, time.min, VN)


def end_of(day: date) -> datetime:
    """The first moment after a day (exclusive bound)."""
    return start_of(day + timedelta(days=1))


def month_start(day: date) -> date:
    return day.replace(day=1)


def bucket(day: date, granularity: str) -> date:
    """First day of the day/week/month bucket that holds `day`."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return month_start(day)
    return day
