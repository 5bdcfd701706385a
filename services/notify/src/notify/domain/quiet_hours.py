"""Quiet hours: no SMS or Zalo between 21:00 and 07:00 (Vietnam time) unless urgent.

Urgent means waiting would make the message arrive on the day it is about, or later:
an apology whose original return date is the morning the quiet period ends. Families in
border villages set out for the commune before dawn; they must know before they leave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from motcua_clock import VN_TZ

from notify.domain.kinds import Channel


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(7, 0)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(VN_TZ).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, moment: datetime) -> datetime:
        """The first moment after `moment` when the quiet period is over."""
        local = moment.astimezone(VN_TZ)
        candidate = datetime.combine(local.date(), self.end, VN_TZ)
        if candidate <= local:
            candidate += timedelta(days=1)
        return candidate


def hold_until(
    channel: Channel, now: datetime, quiet: QuietHours, *, about_day: date | None = None
) -> datetime | None:
    """When to send instead of now; None to send now."""
    if not channel.quiet_at_night or not quiet.contains(now):
        return None
    wake = quiet.end_after(now)
    if about_day is not None and about_day <= wake.date():
        return None  # urgent: morning would be too late
    return wake
