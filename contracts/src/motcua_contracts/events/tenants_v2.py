"""Tenant configuration, version 2: version 1 plus the leaders' duty roster.

Version 1 refuses unknown fields, so the roster could not be added to it: a consumer reading
version 2 reads version 1 messages too (the roster is then absent), which is how the
compacted topic's older messages keep being read.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from motcua_contracts.events.common import Payload
from motcua_contracts.events.tenants_v1 import LeaderOnDuty
from motcua_contracts.events.tenants_v1 import TenantConfigured as TenantConfiguredV1


class WeekdayDuty(Payload):
    """The leader on duty at the desk every such weekday ("lãnh đạo trực")."""

    weekday: int = Field(ge=1, le=7, description="ISO weekday: 1 Monday … 7 Sunday")
    leader: LeaderOnDuty


class DateDuty(Payload):
    """A one-day exception (leave, a swap): wins over the weekday."""

    day: date
    leader: LeaderOnDuty


class DutyRoster(Payload):
    """Who is on duty on a local date: the date's entry, else the weekday's, else the
    tenant's `leader_on_duty` (the default)."""

    weekdays: list[WeekdayDuty] = Field(default_factory=list, max_length=7)
    dates: list[DateDuty] = Field(default_factory=list, max_length=400)


class TenantConfigured(TenantConfiguredV1):
    """Snapshot of one commune's configuration (v1) and its duty roster."""

    duty_roster: DutyRoster = Field(default_factory=DutyRoster)
