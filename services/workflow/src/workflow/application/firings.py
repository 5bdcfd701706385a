"""What one due timer says: its events, and the follow-up it schedules. Pure of I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motcua_clock import TenantCalendar
from motcua_contracts.events import clock_v1 as ev
from motcua_contracts.events.common import Payload
from sqlalchemy.engine import Row

from workflow.adapters.tenant_repo import TenantInfo
from workflow.domain.escalation import MAX_LEVEL, raise_up_at
from workflow.domain.ids import escalation_id
from workflow.domain.timers import PlannedTimer, escalates


@dataclass
class Firing:
    """Dossier events (numbered with the dossier's sequence) and what to write beside them."""

    events: list[tuple[datetime, Payload]] = field(default_factory=list)
    escalation: dict[str, Any] | None = None
    raised_up: tuple[str, int, datetime | None] | None = None
    follow_up: PlannedTimer | None = None


def escalate_key(escalation: str, level: int) -> str:
    return f"escalate:{escalation}:{level}"


def clock_firing(
    timer: Row[Any],
    dossier: Row[Any],
    tenant: TenantInfo,
    calendar: TenantCalendar,
    now: datetime,
) -> Firing:
    """A threshold, the apology limit, the breach or a step deadline of an open dossier."""
    detail = json.loads(timer.detail or "{}")
    code, key, due = dossier.dossier_code, timer.timer_key, timer.due_at
    firing = Firing()
    if timer.kind == "threshold":
        payload: Payload = ev.ThresholdReached(
            timer_key=key,
            dossier_code=code,
            threshold=key.split("@")[0],
            share=detail.get("share", 0.5),
            reached_at=due,
            due_at=dossier.due_at,
        )
    elif timer.kind == "apology_due":
        payload = ev.ApologyDue(
            timer_key=key, dossier_code=code, apology_due_at=due, due_at=dossier.due_at
        )
    elif timer.kind == "breach":
        payload = ev.DeadlineBreached(
            timer_key=key,
            dossier_code=code,
            due_at=due,
            rescheduled=bool(detail.get("rescheduled", False)),
        )
    else:
        payload = ev.StepOverdue(
            timer_key=key,
            dossier_code=code,
            step_key=detail.get("step_key", ""),
            step_due_at=due,
            holder_official_id=dossier.holder_id,
            holder_unit_id=dossier.holder_unit_id,
        )
    firing.events.append((due, payload))
    reason = escalates(timer.kind)
    if reason is not None:
        esc = escalation_id(dossier.dossier_id, key)
        # The leader on duty on the escalation's local date (the commune's roster).
        leader = tenant.leader_at(now)
        up_at = raise_up_at(calendar, now, 1, tenant.escalate_after_hours)
        firing.escalation = {
            "escalation_id": esc,
            "dossier_id": dossier.dossier_id,
            "tenant_id": tenant.tenant_id,  # the unit whose leader is escalated to
            "dossier_code": code,
            "reason": reason,
            "level": 1,
            "to_official_id": leader,
            "raised_at": now,
            "raise_up_at": up_at,
        }
        firing.events.append(
            (
                now,
                ev.EscalationRaised(
                    escalation_id=esc,
                    dossier_code=code,
                    reason=ev.EscalationReason(reason),
                    level=1,
                    to_official_id=leader,
                    raised_at=now,
                    raise_up_at=up_at,
                ),
            )
        )
        if up_at is not None:
            firing.follow_up = PlannedTimer(
                escalate_key(esc, 1), "escalate", up_at, {"escalation_id": esc, "level": 1}
            )
    return firing


def raise_up_firing(
    timer: Row[Any],
    dossier: Row[Any],
    escalation: Row[Any] | None,
    tenant: TenantInfo,
    calendar: TenantCalendar,
    now: datetime,
) -> Firing:
    """Unacknowledged when its time came: one level up (nothing if acknowledged or stale)."""
    detail = json.loads(timer.detail or "{}")
    level = int(detail.get("level", 1))
    if (
        escalation is None
        or escalation.acknowledged_at is not None
        or escalation.level != level
        or not dossier.is_open
        or level >= MAX_LEVEL
    ):
        return Firing()
    new_level = level + 1
    up_at = raise_up_at(calendar, now, new_level, tenant.escalate_after_hours)
    esc = escalation.escalation_id
    firing = Firing(raised_up=(esc, new_level, up_at))
    firing.events.append(
        (
            now,
            ev.EscalationRaisedUp(
                timer_key=timer.timer_key,
                escalation_id=esc,
                dossier_code=dossier.dossier_code,
                level=new_level,
                raised_at=now,
                raise_up_at=up_at,
            ),
        )
    )
    if up_at is not None:
        firing.follow_up = PlannedTimer(
            escalate_key(esc, new_level),
            "escalate",
            up_at,
            {"escalation_id": esc, "level": new_level},
        )
    return firing
