"""Escalation: at-risk and late dossiers go to the leader on duty, then up a level."""

from __future__ import annotations

from datetime import datetime

from motcua_clock import TenantCalendar
from motcua_platform.auth.roles import Role

MAX_LEVEL = 3
# 1: the commune's leader on duty, 2: the head of the commune, 3: province monitoring.
LEVEL_ROLE = {1: "leader_on_duty", 2: "commune_head", 3: Role.PROVINCE_MONITOR}


def raise_up_at(
    calendar: TenantCalendar, raised_at: datetime, level: int, working_hours: float
) -> datetime | None:
    """When an unacknowledged escalation goes up: after N working hours of the commune."""
    if level >= MAX_LEVEL:
        return None
    return calendar.moment_at(calendar.w_at(raised_at) + round(working_hours * 3600))
