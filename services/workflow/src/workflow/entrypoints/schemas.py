"""Request and response bodies of workflow's API (its own boundary, not the events)."""

from __future__ import annotations

from datetime import date, datetime, time

from motcua_clock import VN_TZ
from motcua_contracts.events.clock_v1 import ApologyReason, CalendarChangeKind
from motcua_platform.inputs import BoundedDate, BoundedMoment, MultilineText, Text
from pydantic import BaseModel, ConfigDict, Field, field_validator


class VnOut(BaseModel):
    """Responses show moments in Vietnam time (+07:00), as officials read them."""

    @field_validator("*", mode="after")
    @classmethod
    def _local(cls, value: object) -> object:
        return value.astimezone(VN_TZ) if isinstance(value, datetime) else value


class ThresholdOut(VnOut):
    kind: str
    at: datetime
    label_vi: str


class ClockOut(VnOut):
    dossier_id: str
    dossier_code: str
    procedure_code: str
    state: str = Field(description="running, paused, breached, done_*, withdrawn, refused")
    urgency: str = Field(description="on_track, at_risk, late, paused or closed")
    received_at: datetime
    due_at: datetime
    original_due_at: datetime
    consumed_share: float
    thresholds: list[ThresholdOut]
    holder_id: str | None
    step_key: str | None
    step_due_at: datetime | None
    apology_issued_at: datetime | None
    apology_late: bool
    explain_vi: list[str]


class WorklistItem(VnOut):
    dossier_id: str
    tenant_id: str
    dossier_code: str
    procedure_code: str
    state: str
    urgency: str
    received_at: datetime
    due_at: datetime
    at_risk_at: datetime | None
    holder_id: str | None
    step_key: str | None
    step_due_at: datetime | None
    rescheduled: bool


class WorklistPage(BaseModel):
    view: str
    items: list[WorklistItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class ApologyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason_vi: MultilineText = Field(
        min_length=5, max_length=2000, description="Lý do chậm trả kết quả"
    )
    reason_code: ApologyReason = ApologyReason.OTHER
    new_due_at: BoundedMoment | BoundedDate = Field(
        description="Ngày hẹn trả mới; một ngày (YYYY-MM-DD) nghĩa là cuối ngày làm việc đó"
    )

    def new_due_moment(self) -> datetime:
        if isinstance(self.new_due_at, datetime):
            return self.new_due_at
        return datetime.combine(self.new_due_at, time(0), VN_TZ)


class ApologyOut(VnOut):
    dossier_id: str
    dossier_code: str
    issued_at: datetime
    old_due_at: datetime
    new_due_at: datetime
    late: bool = Field(description="Gửi sau hạn luật định (một ngày làm việc trước hạn)")


class EscalationOut(VnOut):
    escalation_id: str
    dossier_id: str
    dossier_code: str
    reason: str
    level: int
    to_official_id: str | None
    raised_at: datetime
    raise_up_at: datetime | None
    acknowledged_at: datetime | None


class AckOut(VnOut):
    escalation_id: str
    acknowledged_at: datetime


class CalendarChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: CalendarChangeKind
    day: BoundedDate
    day_kind: Text = Field(default="holiday", description="holiday, substitute, bridge, closure")
    name_vi: Text = Field(default="", max_length=200)
    source: Text = Field(default="", max_length=300, description="Số văn bản công bố")


class CalendarChangeOut(BaseModel):
    change_id: str
    changed_days: list[date]
