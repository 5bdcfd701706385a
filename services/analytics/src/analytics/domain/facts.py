"""One dossier as analytics sees it: moments and flags, never a person.

Events set their own fields, so applying them in any order, or twice, gives the same fact.
Where two events could set the same field (the due moment), a per-source version decides.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from operator import attrgetter
from typing import NamedTuple


class Outcome(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class Level(StrEnum):
    DISSATISFIED = "khong_hai_long"
    SATISFIED = "hai_long"
    VERY_SATISFIED = "rat_hai_long"


class Segment(NamedTuple):
    """Who held the dossier from `since` (None: from the start) until the next segment."""

    since: datetime | None
    receiving: str
    resolving: str


@dataclass(slots=True)
class DossierFact:
    """Enough for every indicator, the medians and the live late list; no personal data."""

    dossier_id: str
    tenant_id: str | None = None  # envelope tenant: known before DossierReceived arrives
    dossier_code: str | None = None
    version: int = 0  # intake's per-dossier sequence, highest applied
    clock_version: int = 0  # workflow's per-dossier sequence, highest applied
    resolving_tenant_id: str | None = None
    receiving_tenant_id: str | None = None
    procedure_code: str | None = None
    field_code: str | None = None
    channel: str | None = None
    received_at: datetime | None = None
    due_at: datetime | None = None  # statutory due (after pauses); lateness is judged on it
    due_from_clock: bool = False
    due_version: int = 0  # sequence (intake's or workflow's) of the event that set due_at
    rescheduled_due_at: datetime | None = None  # the apology's new date
    supplement_requested_at: datetime | None = None
    supplement_received_at: datetime | None = None
    refused_at: datetime | None = None
    withdrawn_at: datetime | None = None
    completed_at: datetime | None = None  # ResultReady: the clock stops here
    decision: str | None = None
    clock_outcome: str | None = None  # workflow's classification, preferred when present
    clock_elapsed_seconds: int | None = None
    processing_seconds: int | None = None  # working seconds, paused time excluded
    returned_at: datetime | None = None
    returned_online: bool = False
    apology_at: datetime | None = None
    apology_late: bool = False
    at_risk_at: datetime | None = None  # a ThresholdReached or ApologyDue from workflow
    rated_at: datetime | None = None
    rating_level: str | None = None
    rating_points: int | None = None  # sum of the 9 criteria, 0..18, when all were given
    # Only for dossiers moved by a merger (DossierReassigned): "version|moment|receiving|
    # resolving" entries joined by ";", version 0 = as received. None for every other dossier.
    assignments: str | None = None

    @property
    def known(self) -> bool:
        """Counted only once DossierReceived told us the commune, procedure and field."""
        return self.resolving_tenant_id is not None and self.procedure_code is not None

    @property
    def closed_at(self) -> datetime | None:
        """When the dossier left the desk's workload (result ready, refused or withdrawn)."""
        moments = [m for m in (self.completed_at, self.refused_at, self.withdrawn_at) if m]
        return min(moments) if moments else None

    @property
    def paused(self) -> bool:
        return self.supplement_requested_at is not None and self.supplement_received_at is None

    @property
    def outcome(self) -> Outcome | None:
        """Workflow's clock decides when it spoke; otherwise the receipt's due moment."""
        if self.completed_at is None:
            return None
        by_clock = _CLOCK_OUTCOMES.get(self.clock_outcome or "")
        if by_clock is not None:
            return by_clock
        if self.due_at is None:
            return None
        return classify(self.completed_at, self.due_at)

    def segments(self) -> list[Segment]:
        """The units that held the dossier over time (one segment unless it was reassigned)."""
        receiving = self.receiving_tenant_id or self.resolving_tenant_id or ""
        resolving = self.resolving_tenant_id or receiving
        if self.assignments is None:
            return [Segment(None, receiving, resolving)]
        out = []
        for version, moment, rec, res in parse_assignments(self.assignments):
            since = None if version == 0 else datetime.fromisoformat(moment)
            out.append(Segment(since, rec, res))
        return out

    def copy(self) -> DossierFact:
        return DossierFact(*self.as_tuple())  # type: ignore[arg-type]

    def as_tuple(self) -> tuple[object, ...]:
        return _ALL_FIELDS(self)

    def as_row(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


Assignment = tuple[int, str, str, str]  # (intake version, ISO moment, receiving, resolving)


def parse_assignments(text: str) -> list[Assignment]:
    out = []
    for entry in text.split(";"):
        version, moment, receiving, resolving = entry.split("|")
        out.append((int(version), moment, receiving, resolving))
    return out


def format_assignments(entries: list[Assignment]) -> str:
    return ";".join(f"{v}|{m}|{rec}|{res}" for v, m, rec, res in sorted(entries))


_CLOCK_OUTCOMES = {
    "done_early": Outcome.EARLY,
    "done_on_time": Outcome.ON_TIME,
    "done_late": Outcome.LATE,
}

FACT_FIELDS = tuple(f.name for f in fields(DossierFact))
_ALL_FIELDS = attrgetter(*FACT_FIELDS)


def classify(completed_at: datetime, due_at: datetime) -> Outcome:
    """Late after the due moment; early when done on an earlier (Vietnam) calendar day.

    Only a fallback: workflow's ClockCompleted, which knows the working calendar, wins.
    """
    from analytics.domain.days import local_day

    if completed_at > due_at:
        return Outcome.LATE
    if local_day(completed_at) < local_day(due_at):
        return Outcome.EARLY
    return Outcome.ON_TIME
