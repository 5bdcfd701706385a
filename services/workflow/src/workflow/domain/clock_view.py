"""From a dossier's clock state to what workflow stores and plans. Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from motcua_clock import ClockEvent, ClockSnapshot, ClockState, StepDeadline, plan_steps

from workflow.domain.timers import PlannedTimer, at_risk_moment, plan_clock_timers

_CLOSED = frozenset({"done_early", "done_on_time", "done_late", "withdrawn"})


@dataclass(frozen=True)
class Derived:
    snapshot: ClockSnapshot
    step: StepDeadline | None
    timers: dict[str, PlannedTimer]
    columns: dict[str, Any]

    @property
    def closed(self) -> bool:
        return not self.columns["is_open"]


def as_of(state: ClockState) -> datetime:
    """The moment the stored figures refer to: the last fact (a paused due is provisional)."""
    return state.last_event_at or state.received_at


def with_event(state: ClockState, event: ClockEvent, *, strict: bool = True) -> ClockState:
    """Fold one event; an event older than the last one (a replay interleaving two topics)
    rebuilds the history in time order instead of being refused."""
    if state.last_event_at is None or event.at >= state.last_event_at:
        if strict:
            return state.apply(event)
        return replace(replace(state, strict=False).apply(event), strict=state.strict)
    at_receipt = state.verification_at is not None and not any(
        e.kind == "verification_extended" for e in state.events
    )
    fresh = ClockState.start(
        state.received_at,
        state.procedure,
        state.calendar,
        channel=state.channel,
        verification=at_receipt,
        strict=False,
        promised_working_days=state.promised_working_days,
    )
    ordered = sorted((*state.events, event), key=lambda e: e.at)
    return replace(fresh.apply_all(ordered), strict=state.strict)


def derive(state: ClockState, step_key: str | None, *, outcome: str | None = None) -> Derived:
    """Snapshot, current step deadline, timers and row columns for the state."""
    moment = as_of(state)
    snapshot = state.snapshot(moment)
    closed = snapshot.state in _CLOSED
    step = None
    if step_key is not None and not closed:
        step = next((s for s in plan_steps(state, moment) if s.key == step_key), None)
    if closed:
        status = outcome or snapshot.state
    elif snapshot.state in ("paused", "supplement_expired"):
        status = "paused"
    else:
        status = "running"
    columns = {
        "state": status,
        "is_open": not closed,
        "outcome": status if closed else None,
        "closed_at": (state.completed_at or state.withdrawn_at) if closed else None,
        "due_at": snapshot.due_at,
        "original_due_at": snapshot.original_due_at,
        "at_risk_at": at_risk_moment(snapshot) if status == "running" else None,
        "step_key": step_key if not closed else None,
        "step_due_at": step.due_at if step is not None else None,
        "apology_issued_at": state.apology_issued_at,
        "clock_state": json.dumps(state.to_dict(), ensure_ascii=False),
    }
    timers = {} if closed else plan_clock_timers(state, snapshot, step)
    return Derived(snapshot, step, timers, columns)
