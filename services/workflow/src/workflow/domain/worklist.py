"""The worklists officials open each morning. Pure: the repository turns them into queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from motcua_clock import VN_TZ


class View(StrEnum):
    DUE_TODAY = "due_today"  # open, due before the end of today (Vietnam time)
    AT_RISK = "at_risk"  # running, at-risk moment passed, not yet late
    LATE = "late"  # running and past due
    MINE = "mine"  # open, held by the caller


@dataclass(frozen=True)
class Window:
    """Bounds on due_at / at_risk_at that define a view at `now`."""

    due_from: datetime | None = None
    due_before: datetime | None = None
    at_risk_by: datetime | None = None
    running_only: bool = False


def window(view: View, now: datetime) -> Window:
    if view is View.DUE_TODAY:
        start = datetime.combine(now.astimezone(VN_TZ).date(), time(0), VN_TZ)
        return Window(due_from=start, due_before=start + timedelta(days=1))
    if view is View.AT_RISK:
        return Window(due_from=now, at_risk_by=now, running_only=True)
    if view is View.LATE:
        return Window(due_before=now, running_only=True)
    return Window()


def urgency(due_at: datetime, at_risk_at: datetime | None, state: str, now: datetime) -> str:
    """One word per row: late, at_risk, paused or on_track."""
    if state == "paused":
        return "paused"
    if due_at < now:
        return "late"
    if at_risk_at is not None and at_risk_at <= now:
        return "at_risk"
    return "on_track"
