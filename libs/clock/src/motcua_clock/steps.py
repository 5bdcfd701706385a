"""Per-step deadlines from a procedure's ordered steps, for the control sheet and QR page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .clock import ClockState
from .timeutil import iso


@dataclass(frozen=True, slots=True)
class StepDeadline:
    key: str
    name_vi: str
    actor_vi: str
    due_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name_vi": self.name_vi,
            "actor_vi": self.actor_vi,
            "due_at": iso(self.due_at),
        }


def plan_steps(state: ClockState, now: datetime | None = None) -> list[StepDeadline]:
    """When each step should be finished; budgets add up, the last step ends at the due.

    A share budget is a share of the allowed working time; a budget in days counts
    office days of this tenant (its session length), in hours counts working hours.
    Pauses of the current period push later steps, as they push the due.
    """
    snapshot = state.snapshot(now)
    cal = state.calendar
    w0 = cal.w_at(snapshot.counting_started_at)
    w_due = cal.w_at(snapshot.due_at)
    pauses = [
        (cal.w_at(p.start), cal.w_at(p.end if p.end is not None else snapshot.as_of))
        for p in snapshot.paused_intervals[state.period_first_pause :]
    ]
    allowed = snapshot.allowed_working_seconds
    steps = state.procedure.steps
    plan: list[StepDeadline] = []
    used = 0
    for index, step in enumerate(steps):
        budget = step.budget
        if budget.share is not None:
            used += math.ceil(budget.share * allowed)
        elif budget.limit is not None:
            per_unit = cal.day_seconds if budget.limit.unit == "working_days" else 3600
            used += budget.limit.amount * per_unit
        w = w0 + min(used, allowed)
        for wp, wq in pauses:
            if wp < w:
                w += wq - wp
        at = snapshot.due_at if index == len(steps) - 1 or w >= w_due else cal.moment_at(w)
        plan.append(StepDeadline(step.key, step.name_vi, step.actor_vi, at))
    return plan
