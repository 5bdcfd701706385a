"""Which timers a dossier's clock implies, and what a due timer means.

A timer is identified by its key within its subject (a dossier, or a commune for the
digest). A key fires at most once, ever: a moved deadline replaces the *pending* timer
of the same key, a fired key is never planned again. Keys name their period (a restart
after a supplement is a new period) and whether an apology rescheduled the due, so a
threshold of a new period or the breach of the promised new date is a new key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from motcua_clock import ClockSnapshot, ClockState, StepDeadline

TimerKind = Literal["threshold", "apology_due", "breach", "step", "escalate", "digest"]
CLOCK_KINDS: frozenset[str] = frozenset({"threshold", "apology_due", "breach", "step"})


@dataclass(frozen=True)
class PlannedTimer:
    key: str
    kind: TimerKind
    due_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


def period_of(state: ClockState) -> int:
    """0 before any restart, then the number of pauses that closed earlier periods."""
    return state.period_first_pause if state.period_start is not None else 0


def plan_clock_timers(
    state: ClockState, snapshot: ClockSnapshot, step: StepDeadline | None
) -> dict[str, PlannedTimer]:
    """The clock timers of an open, running dossier. Paused or closed: none."""
    if snapshot.state not in ("running", "breached"):
        return {}
    period = period_of(state)
    planned: dict[str, PlannedTimer] = {}
    for threshold in snapshot.thresholds:
        kind = threshold.kind
        if kind.startswith("share_"):
            share = int(kind.removeprefix("share_")) / 100
            key = f"{kind}@p{period}"
            planned[key] = PlannedTimer(key, "threshold", threshold.at, {"share": share})
        elif kind == "apology_due":
            # Same-day procedures leave no lead time: their apology limit is the due itself,
            # which the breach timer already covers.
            if state.apology_issued_at is None and _ahead_of_due(threshold.at, snapshot):
                key = f"apology_due@p{period}"
                planned[key] = PlannedTimer(key, "apology_due", threshold.at)
        elif kind == "due":
            rescheduled = snapshot.rescheduled
            key = f"breach@p{period}" + ("r" if rescheduled else "")
            planned[key] = PlannedTimer(key, "breach", threshold.at, {"rescheduled": rescheduled})
    if step is not None:
        key = f"step:{step.key}@p{period}"
        planned[key] = PlannedTimer(key, "step", step.due_at, {"step_key": step.key})
    return planned


def at_risk_moment(snapshot: ClockSnapshot) -> datetime | None:
    """From when an open dossier counts as at risk: the last share threshold (75% by
    default) or the apology limit, whichever comes first."""
    candidates = [
        t.at
        for t in snapshot.thresholds
        if t.kind == "apology_due" and _ahead_of_due(t.at, snapshot)
    ]
    shares = [t for t in snapshot.thresholds if t.kind.startswith("share_")]
    if shares:
        candidates.append(max(shares, key=lambda t: int(t.kind.removeprefix("share_"))).at)
    return min(candidates) if candidates else None


def _ahead_of_due(at: datetime, snapshot: ClockSnapshot) -> bool:
    """An apology limit that gives a warning: after the start and before the statutory due."""
    return snapshot.counting_started_at < at < snapshot.original_due_at


def escalates(kind: str) -> str | None:
    """The escalation reason a firing raises: the apology limit means at risk."""
    return {"apology_due": "at_risk", "breach": "late"}.get(kind)
