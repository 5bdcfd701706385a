"""Who is the leader on duty at the desk on a local date ("lãnh đạo trực"). Pure.

The commune's roster (TenantConfigured v2 `duty_roster`): the date's own entry wins, then the
weekday's, then the commune's default `leader_on_duty`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from motcua_clock import VN_TZ


def leader_on(config: Mapping[str, Any] | None, day: date) -> str | None:
    if not config:
        return None
    roster = config.get("duty_roster") or {}
    for entry in roster.get("dates") or ():
        if str(entry.get("day")) == day.isoformat():
            return _official(entry)
    for entry in roster.get("weekdays") or ():
        if int(entry.get("weekday", 0)) == day.isoweekday():
            return _official(entry)
    default = config.get("leader_on_duty") or {}
    return default.get("official_id") or None


def leader_at(config: Mapping[str, Any] | None, moment: datetime) -> str | None:
    """The leader on duty on `moment`'s local (Vietnam) date."""
    return leader_on(config, moment.astimezone(VN_TZ).date())


def _official(entry: Mapping[str, Any]) -> str | None:
    leader = entry.get("leader") or {}
    return leader.get("official_id") or None
