"""The integration events a change of a dossier's clock implies (payloads only)."""

from __future__ import annotations

from typing import Any

from motcua_clock import ClockState
from motcua_contracts.events import clock_v1 as ev
from motcua_contracts.events.common import Payload
from sqlalchemy.engine import Row

from workflow.domain.clock_view import Derived
from workflow.domain.facts import Fact


def started(dossier_code: str, derived: Derived) -> ev.ClockStarted:
    snap = derived.snapshot
    return ev.ClockStarted(
        dossier_code=dossier_code,
        procedure_code=snap.procedure_code,
        procedure_version=snap.procedure_version,
        received_at=snap.received_at,
        counting_started_at=snap.counting_started_at,
        due_at=snap.due_at,
        thresholds=[ev.ThresholdV1(kind=t.kind, at=t.at) for t in snap.thresholds],
    )


def completed(dossier_code: str, derived: Derived, outcome: str) -> ev.ClockCompleted:
    snap = derived.snapshot
    closed_at = derived.columns["closed_at"]
    return ev.ClockCompleted(
        dossier_code=dossier_code,
        completed_at=closed_at,
        outcome=ev.ClockOutcome(outcome),
        due_at=snap.due_at,
        original_due_at=snap.original_due_at,
        elapsed_working_seconds=snap.elapsed_working_seconds,
        allowed_working_seconds=snap.allowed_working_seconds,
        rescheduled=snap.rescheduled,
        apology_late=snap.apology_late,
    )


def moved(
    row: Row[Any], derived: Derived, cause: ev.DeadlineCause, at: Any
) -> ev.DeadlineChanged | None:
    new_due = derived.snapshot.due_at
    if new_due == row.due_at:
        return None
    return ev.DeadlineChanged(
        dossier_code=row.dossier_code,
        old_due_at=row.due_at,
        new_due_at=new_due,
        cause=cause,
        changed_at=at,
    )


def events_for_fact(
    row: Row[Any], fact: Fact, before: ClockState, after: ClockState, derived: Derived
) -> list[Payload]:
    """Only facts that touch the clock produce events; the others change the holder."""
    code = row.dossier_code
    out: list[Payload] = []
    if fact.kind == "paused":
        out.append(
            ev.ClockPaused(
                dossier_code=code,
                paused_at=fact.at,
                supplement_deadline_at=derived.snapshot.supplement_deadline_at,
            )
        )
    elif fact.kind == "resumed":
        out.append(
            ev.ClockResumed(
                dossier_code=code,
                resumed_at=fact.at,
                due_at=derived.snapshot.due_at,
                restarted=after.period_start is not None and after.period_start == fact.at,
            )
        )
        change = moved(row, derived, ev.DeadlineCause.RESUME, fact.at)
        if change is not None:
            out.append(change)
    elif derived.closed and before.closed_at is None:
        out.append(completed(code, derived, derived.columns["outcome"] or row.outcome))
    return out
