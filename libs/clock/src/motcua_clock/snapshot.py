"""The result of computing a clock: due moment, thresholds, state and shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from .catalogue import TimeLimit
from .events import Pause
from .timeutil import iso

if TYPE_CHECKING:
    from .clock import ClockState

ClockStatus = Literal[
    "running",
    "paused",
    "supplement_expired",  # paused longer than the policy allows: close the dossier
    "breached",  # past due and not done
    "done_early",  # result ready on a day before the due day
    "done_on_time",
    "done_late",
    "withdrawn",
]

THRESHOLD_VI = {
    "apology_due": "hạn gửi phiếu xin lỗi và hẹn lại",
    "due": "hạn trả kết quả",
}


@dataclass(frozen=True, slots=True)
class Threshold:
    """A warning moment. kind: share_50, share_75 (any share_NN), apology_due, due."""

    kind: str
    at: datetime

    def label_vi(self) -> str:
        if self.kind.startswith("share_"):
            return f"đã dùng {self.kind.removeprefix('share_')}% thời gian"
        return THRESHOLD_VI.get(self.kind, self.kind)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "at": iso(self.at), "label_vi": self.label_vi()}


@cache
def share_kind(share: float) -> str:
    return f"share_{round(share * 100)}"


@dataclass(frozen=True, slots=True)
class ClockSnapshot:
    procedure_code: str
    procedure_version: str
    received_at: datetime
    counting_started_at: datetime  # start of the current period, inside office hours
    due_at: datetime
    original_due_at: datetime  # the statutory due, before any apology
    thresholds: tuple[Threshold, ...]
    state: ClockStatus
    paused_intervals: tuple[Pause, ...]
    elapsed_working_seconds: int
    allowed_working_seconds: int
    elapsed_calendar_seconds: int  # wall-clock time since receipt, for contrast
    consumed_share: float
    rescheduled: bool
    apology_late: bool
    verification: bool
    time_limit: TimeLimit
    restarted: bool  # the period restarted after a supplement
    provisional: bool  # paused now: the due assumes the supplement arrives at as_of
    supplement_deadline_at: datetime | None
    completed_at: datetime | None
    as_of: datetime
    calendar_warnings: tuple[str, ...] = ()
    clock: ClockState | None = field(default=None, compare=False, repr=False)

    def threshold(self, kind: str) -> datetime:
        for item in self.thresholds:
            if item.kind == kind:
                return item.at
        raise KeyError(kind)

    def explain(self) -> list[str]:
        """Vietnamese lines: the days counted and skipped, pauses, thresholds."""
        from .explain import explain_lines

        if self.clock is None:
            raise ValueError("snapshot was built without its clock state")
        return explain_lines(self, self.clock)

    def to_dict(self) -> dict[str, Any]:
        def opt(moment: datetime | None) -> str | None:
            return iso(moment) if moment is not None else None

        return {
            "procedure_code": self.procedure_code,
            "procedure_version": self.procedure_version,
            "received_at": iso(self.received_at),
            "counting_started_at": iso(self.counting_started_at),
            "due_at": iso(self.due_at),
            "original_due_at": iso(self.original_due_at),
            "thresholds": [t.to_dict() for t in self.thresholds],
            "state": self.state,
            "paused_intervals": [p.to_dict() for p in self.paused_intervals],
            "elapsed_working_seconds": self.elapsed_working_seconds,
            "allowed_working_seconds": self.allowed_working_seconds,
            "elapsed_calendar_seconds": self.elapsed_calendar_seconds,
            "consumed_share": round(self.consumed_share, 6),
            "rescheduled": self.rescheduled,
            "apology_late": self.apology_late,
            "verification": self.verification,
            "time_limit": self.time_limit.to_dict(),
            "restarted": self.restarted,
            "provisional": self.provisional,
            "supplement_deadline_at": opt(self.supplement_deadline_at),
            "completed_at": opt(self.completed_at),
            "as_of": iso(self.as_of),
            "calendar_warnings": list(self.calendar_warnings),
        }
