"""Whose calendar counts a dossier's statutory time, and whose dossier it is. Pure.

The statutory time runs at the *resolving* unit (intake prints the appointment with that
unit's calendar; since 2025 it may differ from the desk that received the dossier). That unit
also owns the clock: its leader is escalated to, its digest lists the dossier.

A merger (A and B become C) moves an open dossier to C. The rule for its deadline:

- The due date does not jump. The receipt promised a date counted under A's office hours and
  closures; a merger is the State reorganising itself, not a reason to give the citizen an
  earlier or later date, and only an apology (Form 04) may move a due date later for the
  office's own reasons. So everything A's calendar fixed stays: A's office hours (the 15:00
  rule and the end-of-day moment of the receipt) and A's local closures.
- What is still ahead does change owner: from the day the merger takes effect the dossier is
  worked on in C's office, so C's local closures from that day on are days off too. Only
  they can move the due date, and only later, exactly like C closing its own office for a
  day moves its own open deadlines (DeadlineChanged, cause `calendar`).

Hence a dossier's calendar is a list of segments: the first unit (its office hours, all its
closures), then each later owner with the day from which its closures count. Adding days
off never makes a deadline earlier, so a reassignment can never make a dossier late.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from motcua_clock import DayOff, TenantConfig


@dataclass(frozen=True)
class Segment:
    tenant_id: str
    since: date | None = None  # None: the unit the dossier started with


Plan = tuple[Segment, ...]


def owner_of(tenant_id: str, resolving_tenant_id: str | None) -> str:
    """The unit whose clock it is: the resolving unit (the receiving one when not told)."""
    return resolving_tenant_id or tenant_id


def parse(raw: str | None, owner: str) -> Plan:
    """The stored plan; none stored means the owner's calendar alone."""
    if not raw:
        return (Segment(owner),)
    return tuple(
        Segment(str(s["tenant_id"]), date.fromisoformat(s["since"]) if s.get("since") else None)
        for s in json.loads(raw)
    )


def dump(plan: Plan) -> str | None:
    if len(plan) == 1 and plan[0].since is None:
        return None
    return json.dumps(
        [
            {"tenant_id": s.tenant_id, "since": s.since.isoformat() if s.since else None}
            for s in plan
        ]
    )


def hand_over(plan: Plan, to_tenant: str, since: date) -> Plan:
    """The plan after the dossier moved to `to_tenant` with effect from `since`.

    Idempotent: moving it to the unit that already owns it changes nothing.
    """
    if plan[-1].tenant_id == to_tenant:
        return plan
    return (*plan, Segment(to_tenant, since))


def blend(configs: list[tuple[TenantConfig, date | None]]) -> TenantConfig:
    """One TenantConfig for the plan: the first unit's hours and closures, plus each later
    owner's closures from the day it took over."""
    first = configs[0][0]
    if len(configs) == 1:
        return first
    closures: dict[date, DayOff] = {c.day: c for c in first.closures}
    for config, since in configs[1:]:
        for closure in config.closures:
            if since is None or closure.day >= since:
                closures.setdefault(closure.day, closure)
    return TenantConfig(
        tenant_id="+".join(c.tenant_id for c, _ in configs),
        name_vi=first.name_vi,
        office_hours=first.office_hours,
        closures=tuple(closures[d] for d in sorted(closures)),
        extra_working_days=tuple(w for w in first.extra_working_days if w.day not in closures),
        hours_per_working_day=first.hours_per_working_day,
    )
