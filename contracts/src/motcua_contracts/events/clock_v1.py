"""The statutory clock of each dossier, published by workflow on Topics.CLOCK, version 1.

`aggregate_version` is workflow's own per-dossier sequence. Events that follow from an
earlier event (intake's, or a timer) carry deterministic event ids, so a replay that
produces them again is dropped by every idempotent consumer. No personal data. In v1 the
apology carries only a reason code; `clock_v2.ApologyIssued` adds the leader's own text.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from motcua_contracts.events.common import AwareDatetime, Payload


class ThresholdV1(Payload):
    kind: str = Field(examples=["share_50", "apology_due", "due"])
    at: AwareDatetime


class ClockStarted(Payload):
    """Workflow started the statutory clock of a received dossier."""

    dossier_code: str
    procedure_code: str
    procedure_version: str
    received_at: AwareDatetime
    counting_started_at: AwareDatetime
    due_at: AwareDatetime
    thresholds: list[ThresholdV1]


class ClockPaused(Payload):
    """A supplement was requested: the clock stops counting until it arrives."""

    dossier_code: str
    paused_at: AwareDatetime
    supplement_deadline_at: AwareDatetime | None = Field(
        default=None, description="After this the dossier may be closed (online, 2025 rules)"
    )


class ClockResumed(Payload):
    dossier_code: str
    resumed_at: AwareDatetime
    due_at: AwareDatetime
    restarted: bool = Field(description="The period started again from zero (restart policy)")


class ThresholdReached(Payload):
    """A share of the allowed working time was used (50%, 75% by default)."""

    timer_key: str = Field(description="Workflow's timer identity: a replay knows it fired")
    dossier_code: str
    threshold: str = Field(examples=["share_75"])
    share: float = Field(gt=0, le=1)
    reached_at: AwareDatetime
    due_at: AwareDatetime


class ApologyDue(Payload):
    """The last moment to send the apology notice (one working day before the due)."""

    timer_key: str = Field(description="Workflow's timer identity: a replay knows it fired")
    dossier_code: str
    apology_due_at: AwareDatetime
    due_at: AwareDatetime


class DeadlineBreached(Payload):
    timer_key: str = Field(description="Workflow's timer identity: a replay knows it fired")
    dossier_code: str
    due_at: AwareDatetime
    rescheduled: bool = Field(description="The breached due was the apology's new date")


class StepOverdue(Payload):
    """One step of the control sheet passed its own deadline."""

    timer_key: str = Field(description="Workflow's timer identity: a replay knows it fired")
    dossier_code: str
    step_key: str = Field(examples=["xu_ly"])
    step_due_at: AwareDatetime
    holder_official_id: str | None = None
    holder_unit_id: str | None = None


class ApologyReason(StrEnum):
    VERIFICATION = "verification"  # needs checking with another agency
    WORKLOAD = "workload"
    SYSTEM = "system"  # software or network failure
    STAFF = "staff"  # official absent
    OTHER = "other"


class ApologyIssued(Payload):
    """Form 04: apology notice with a new return date; at most once per dossier."""

    dossier_code: str
    issued_at: AwareDatetime
    issued_by: str = Field(description="Identity-provider subject of the official")
    reason_code: ApologyReason
    old_due_at: AwareDatetime
    new_due_at: AwareDatetime
    late: bool = Field(description="Issued after the legal limit (one working day before)")


class DeadlineCause(StrEnum):
    CALENDAR = "calendar"
    PROCEDURE = "procedure"
    APOLOGY = "apology"
    PAUSE = "pause"
    RESUME = "resume"


class DeadlineChanged(Payload):
    dossier_code: str
    old_due_at: AwareDatetime
    new_due_at: AwareDatetime
    cause: DeadlineCause
    changed_at: AwareDatetime


class ClockOutcome(StrEnum):
    DONE_EARLY = "done_early"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    WITHDRAWN = "withdrawn"
    REFUSED = "refused"


class ClockCompleted(Payload):
    """The clock stopped for good; analytics classifies timeliness from this."""

    dossier_code: str
    completed_at: AwareDatetime
    outcome: ClockOutcome
    due_at: AwareDatetime
    original_due_at: AwareDatetime
    elapsed_working_seconds: int = Field(ge=0)
    allowed_working_seconds: int = Field(ge=0)
    rescheduled: bool
    apology_late: bool


class EscalationReason(StrEnum):
    AT_RISK = "at_risk"
    LATE = "late"


class EscalationRaised(Payload):
    """An at-risk or late dossier went to the commune's leader on duty."""

    escalation_id: str
    dossier_code: str
    reason: EscalationReason
    level: int = Field(ge=1)
    to_official_id: str | None = Field(default=None, description="None: no leader configured")
    raised_at: AwareDatetime
    raise_up_at: AwareDatetime | None = Field(
        default=None, description="When it goes up a level if nobody acknowledges it"
    )


class EscalationAcknowledged(Payload):
    escalation_id: str
    dossier_code: str
    acknowledged_at: AwareDatetime
    acknowledged_by: str


class EscalationRaisedUp(Payload):
    """Unacknowledged after the configured working hours: one level up."""

    timer_key: str = Field(description="Workflow's timer identity: a replay knows it fired")
    escalation_id: str
    dossier_code: str
    level: int = Field(ge=2, description="2: head of the commune, 3: province monitoring")
    raised_at: AwareDatetime
    raise_up_at: AwareDatetime | None = None


class DigestEntry(Payload):
    dossier_code: str
    due_at: AwareDatetime


class MorningDigestCompiled(Payload):
    """Each working morning, per commune: what is at risk and what is late."""

    timer_key: str = Field(description="Workflow's timer identity: a replay knows it fired")
    day: date
    compiled_at: AwareDatetime
    leader_official_id: str | None = None
    at_risk: list[DigestEntry]
    late: list[DigestEntry]
    truncated: bool = Field(default=False, description="Lists are capped at 500 entries each")


class CalendarChangeKind(StrEnum):
    DAY_OFF_ADDED = "day_off_added"
    DAY_OFF_REMOVED = "day_off_removed"
    WORKING_DAY_ADDED = "working_day_added"
    WORKING_DAY_REMOVED = "working_day_removed"


class CalendarChanged(Payload):
    """The national working calendar changed (announcement, correction); tenant_id 'national'."""

    change_id: str
    kind: CalendarChangeKind
    day: date
    day_kind: str = Field(default="holiday", examples=["holiday", "bridge"])
    name_vi: str = ""
    source: str = ""
    recorded_at: AwareDatetime
