"""The API's own response models (not the tables', not the events')."""

from __future__ import annotations

from datetime import date
from typing import Literal

from motcua_platform.vntime import VnDateTime
from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    code: str
    message: str
    field: str | None = None
    errors: list[dict[str, str]] = Field(default_factory=list)


class IndicatorOut(BaseModel):
    key: str
    label_vi: str
    value: float | None = Field(description="Tỷ lệ 0..1; null khi không có mẫu số")
    numerator: float
    denominator: float
    target: float | None
    points: float | None
    max_points: float | None
    formula_vi: str
    confidence: str = Field(description="S: có nguồn; W: nguồn yếu, là cấu hình")


class PeriodOut(BaseModel):
    date_from: date
    date_to: date


class CountsOut(BaseModel):
    received: int
    received_online: int
    resolved: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress_within_time: int
    overdue_now: int = Field(description="Đang giải quyết đã quá hạn (cuối kỳ hoặc hiện tại)")
    supplements: int
    refusals: int
    withdrawals: int
    apologies: int
    apologies_late: int
    returned: int
    returned_online: int


class SatisfactionOut(BaseModel):
    khong_hai_long: int
    hai_long: int
    rat_hai_long: int
    rated: int
    mean_evaluation_points: float | None = Field(description="Điểm đánh giá trung bình /18")
    evaluation_count: int


class ReportOut(BaseModel):
    period: PeriodOut
    communes: list[str] | None = Field(description="null: mọi xã trong phạm vi được xem")
    as_of: VnDateTime
    counts: CountsOut
    indicators: list[IndicatorOut]
    mean_processing_hours: float | None
    median_processing_hours: float | None
    median_method: Literal["exact", "histogram"] = Field(
        default="exact",
        description=(
            "exact: trung vị tính từ từng hồ sơ; histogram: ước lượng từ các nhóm giờ làm việc "
            "(khi kỳ có hơn 10.000 hồ sơ)"
        ),
    )
    satisfaction: SatisfactionOut


class SeriesPointOut(BaseModel):
    start: date
    received: int
    resolved: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    apologies: int
    on_time_rate: float | None


class SeriesOut(BaseModel):
    granularity: str
    points: list[SeriesPointOut]


class RankingRowOut(BaseModel):
    rank: int
    tenant_id: str
    name_vi: str
    cohorts: list[str]
    received: int
    resolved: int
    resolved_late: int
    overdue_now: int
    apologies: int
    on_time_rate: float | None
    group2: float | None
    group2_points: float | None
    s54: float | None


class LateDossierOut(BaseModel):
    dossier_code: str | None
    tenant_id: str
    name_vi: str
    procedure_code: str | None
    field_code: str | None
    channel: str | None
    received_at: VnDateTime | None
    due_at: VnDateTime
    rescheduled_due_at: VnDateTime | None
    apology_issued: bool
    status: str = Field(description="late: trễ hạn; at_risk: sắp đến hạn")
    working_hours_left: float | None


class ClockOut(BaseModel):
    now: VnDateTime = Field(description="Giờ của nền tảng (ISO 8601, +07:00)")
    today: date = Field(description="Ngày hôm nay theo giờ Việt Nam của nền tảng")


class CommuneOut(BaseModel):
    tenant_id: str
    name_vi: str
    unit_type: str | None
    status: str | None
    cohorts: list[str]


class ReceivedByCommune(BaseModel):
    tenant_id: str
    received: int


class BreakdownRowOut(BaseModel):
    key: str = Field(description="Mã thủ tục hoặc mã lĩnh vực")
    received: int
    resolved: int
    resolved_late: int
    apologies: int
    on_time_rate: float | None
    mean_processing_hours: float | None
