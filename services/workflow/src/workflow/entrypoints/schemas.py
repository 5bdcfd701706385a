"""Request and response bodies of workflow's API (its own boundary, not the events)."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from motcua_clock import VN_TZ
from motcua_contracts.events.clock_v1 import ApologyReason, CalendarChangeKind
from motcua_contracts.events.clock_v2 import ReasonText
from motcua_platform.inputs import BoundedDate, BoundedMoment, Text
from motcua_platform.vntime import VnDateTime
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

# A phone (0 or +84 and 9 digits, spaces or dots between), an ID number (9 or 12 digits)
# or an e-mail address; dates and times ("05-05-2026 10 giờ") stay allowed.
_CONTACT_LIKE = re.compile(
    r"(?<!\d)(?:\+84|0)(?:[\s.]?\d){9}(?!\d)|(?<!\d)\d{9}(?:\d{3})?(?!\d)"
    r"|[\w.+-]+@[\w-]+\.[\w.]+"
)
VALIDATION_VI = {
    "personal_data": (
        "Lý do không được ghi số định danh, số điện thoại hay thư điện tử: lý do được in trên "
        "phiếu xin lỗi và hiển thị trên trang tra cứu của người dân."
    )
}


class VnOut(BaseModel):
    """Responses show moments in Vietnam time (+07:00), as officials read them: their moments
    are declared `VnDateTime` (the platform's one rule for what people read)."""


class ThresholdOut(VnOut):
    kind: str
    at: VnDateTime
    label_vi: str


class ClockOut(VnOut):
    dossier_id: str
    dossier_code: str
    procedure_code: str
    state: str = Field(description="running, paused, breached, done_*, withdrawn, refused")
    urgency: str = Field(description="on_track, at_risk, late, paused or closed")
    received_at: VnDateTime
    due_at: VnDateTime
    original_due_at: VnDateTime
    consumed_share: float
    thresholds: list[ThresholdOut]
    holder_id: str | None
    step_key: str | None
    step_due_at: VnDateTime | None
    apology_issued_at: VnDateTime | None
    apology_late: bool
    explain_vi: list[str]


class WorklistItem(VnOut):
    dossier_id: str
    tenant_id: str
    dossier_code: str
    procedure_code: str
    state: str
    urgency: str
    received_at: VnDateTime
    due_at: VnDateTime
    at_risk_at: VnDateTime | None
    holder_id: str | None
    step_key: str | None
    step_due_at: VnDateTime | None
    rescheduled: bool


class WorklistPage(BaseModel):
    view: str
    items: list[WorklistItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class ApologyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason_vi: ReasonText = Field(
        description="Lý do chậm trả kết quả, do lãnh đạo ghi (5–500 ký tự, không ký tự điều khiển)"
    )
    reason_code: ApologyReason = ApologyReason.OTHER
    new_due_at: BoundedMoment | BoundedDate = Field(
        description="Ngày hẹn trả mới; một ngày (YYYY-MM-DD) nghĩa là cuối ngày làm việc đó"
    )

    @field_validator("reason_vi", mode="after")
    @classmethod
    def _no_citizen_data(cls, value: str) -> str:
        """Printed on Form 04 and shown on the citizen's public page: no ID numbers, phones
        or e-mail addresses of anyone (names cannot be told from other words)."""
        if _CONTACT_LIKE.search(value):
            raise PydanticCustomError("personal_data", "reason carries an ID, phone or e-mail")
        return value

    def new_due_moment(self) -> datetime:
        if isinstance(self.new_due_at, datetime):
            return self.new_due_at
        return datetime.combine(self.new_due_at, time(0), VN_TZ)


class ApologyOut(VnOut):
    dossier_id: str
    dossier_code: str
    issued_at: VnDateTime
    old_due_at: VnDateTime
    new_due_at: VnDateTime
    late: bool = Field(description="Gửi sau hạn luật định (một ngày làm việc trước hạn)")


class EscalationOut(VnOut):
    escalation_id: str
    dossier_id: str
    dossier_code: str
    reason: str
    level: int
    to_official_id: str | None
    raised_at: VnDateTime
    raise_up_at: VnDateTime | None
    acknowledged_at: VnDateTime | None


class AckOut(VnOut):
    escalation_id: str
    acknowledged_at: VnDateTime


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
