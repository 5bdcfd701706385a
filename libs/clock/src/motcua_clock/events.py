"""What can happen to a dossier's clock after receipt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from .timeutil import iso, parse_moment, require_aware

EventKind = Literal[
    "paused",  # supplement requested (Form 02)
    "resumed",  # supplement received
    "verification_extended",  # the longer time for verification now applies
    "apology",  # apology notice with a new date (Form 04)
    "completed",  # result ready / returned
    "withdrawn",
]


@dataclass(frozen=True, slots=True)
class ClockEvent:
    kind: EventKind
    at: datetime
    new_due_at: datetime | None = None  # apology only

    def __post_init__(self) -> None:
        require_aware(self.at, "Thời điểm sự kiện")
        if self.new_due_at is not None:
            require_aware(self.new_due_at, "Ngày hẹn mới")

    @classmethod
    def paused(cls, at: datetime) -> ClockEvent:
        return cls("paused", at)

    @classmethod
    def resumed(cls, at: datetime) -> ClockEvent:
        return cls("resumed", at)

    @classmethod
    def verification_extended(cls, at: datetime) -> ClockEvent:
        return cls("verification_extended", at)

    @classmethod
    def apology(cls, issued_at: datetime, new_due_at: datetime) -> ClockEvent:
        return cls("apology", issued_at, new_due_at)

    @classmethod
    def completed(cls, at: datetime) -> ClockEvent:
        return cls("completed", at)

    @classmethod
    def withdrawn(cls, at: datetime) -> ClockEvent:
        return cls("withdrawn", at)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "at": iso(self.at)}
        if self.new_due_at is not None:
            out["new_due_at"] = iso(self.new_due_at)
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ClockEvent:
        new_due = raw.get("new_due_at")
        return cls(
            kind=cast(EventKind, raw["kind"]),
            at=parse_moment(raw["at"]),
            new_due_at=parse_moment(new_due) if new_due else None,
        )


@dataclass(frozen=True, slots=True)
class Pause:
    """A supplement wait, stored as an interval (never a flag). end None: still open."""

    start: datetime
    end: datetime | None = None
    restarted: bool = False  # the resumption restarted the period from zero

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": iso(self.start),
            "end": iso(self.end) if self.end is not None else None,
            "restarted": self.restarted,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Pause:
        end = raw.get("end")
        return cls(parse_moment(raw["start"]), parse_moment(end) if end else None, raw["restarted"])
