"""Response bodies. Personal data appears only where the role needs it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from motcua_platform.errors import ErrorOut as PlatformErrorOut
from motcua_platform.vntime import VnDateTime
from pydantic import BaseModel, Field

from intake.domain.dossier import Channel


class ErrorOut(PlatformErrorOut):
    code: str = Field(examples=["applicant.id_number.format"])
    message: str = Field(examples=["Số định danh cá nhân phải gồm đúng 12 chữ số."])
    field: str | None = Field(default=None, examples=["applicant.id_number"])
    allowed_transitions: list[str] | None = Field(
        default=None, description="Khi mã lỗi là dossier.invalid_transition", examples=[["accept"]]
    )


class ApplicantOut(BaseModel):
    full_name: str
    id_number: str
    date_of_birth: date | None
    phone: str
    email: str | None
    address: str | None


class DocumentOut(BaseModel):
    name: str
    form: str
    copies: int


class DossierSummaryOut(BaseModel):
    dossier_id: str
    tenant_id: str = Field(description="Đơn vị tiếp nhận")
    resolving_tenant_id: str = Field(description="Đơn vị giải quyết (có thể là xã khác)")
    code: str = Field(examples=["000.21.31.H50-260213-0001"])
    procedure_code: str
    field_code: str
    channel: Channel
    status: str
    status_vi: str
    received_at: VnDateTime
    due_at: VnDateTime = Field(description="Ngày hẹn trả kết quả")
    late: bool
    applicant_name: str = Field(description="Họ tên (che bớt với vai trò giám sát tỉnh)")


class DossierOut(DossierSummaryOut):
    procedure_version: str
    version: int
    verification_required: bool
    accepted_at: VnDateTime | None
    supplements_requested: int
    missing_items: list[str]
    reason_codes: list[str]
    reason_text: str | None
    decision: str | None
    handler_unit_id: str | None
    handler_official_id: str | None
    completed_at: VnDateTime | None
    returned_at: VnDateTime | None
    return_method: str | None
    apology_new_due_at: VnDateTime | None = Field(
        description="Ngày hẹn trả mới theo phiếu xin lỗi (Mẫu 04), nếu có"
    )
    apology_reason_vi: str | None = Field(description="Lý do chậm trả do lãnh đạo ghi")
    rated: bool
    documents: list[DocumentOut]
    applicant: ApplicantOut | None = Field(description="Không trả về cho vai trò giám sát tỉnh")
    allowed_transitions: list[str]
    public_url: str | None = Field(description="Đường dẫn tra cứu in trên mã QR của phiếu hẹn")


class DossierPageOut(BaseModel):
    items: list[DossierSummaryOut]
    next_cursor: str | None = Field(description="Truyền lại tham số cursor để lấy trang sau")


class StepOut(BaseModel):
    seq: int
    at: VnDateTime
    action: str = Field(examples=["register"])
    action_vi: str = Field(examples=["Tiếp nhận hồ sơ"])
    status_after: str = Field(examples=["received"])
    status_after_vi: str = Field(examples=["Đã tiếp nhận, đang kiểm tra hồ sơ"])
    sender: str | None
    receiver: str | None
    step_key: str | None
    note: str | None
    timeliness: str | None = Field(examples=["on_time"])
    timeliness_vi: str | None = Field(default=None, examples=["Đúng hạn"])


class AuditOut(BaseModel):
    at: VnDateTime
    actor: str
    action: str
    action_vi: str = Field(examples=["Nhận đủ hồ sơ, cấp giấy tiếp nhận và hẹn trả kết quả"])
    field: str
    old_value: str | None
    new_value: str | None


class TenantOut(BaseModel):
    tenant_id: str
    name_vi: str
    unit_type: str
    unit_code: str | None
    province_code: str
    agency_code: str
    status: str
    merged_into: str | None
    revision: int = Field(description="Tăng sau mỗi thay đổi; bằng revision của TenantConfigured")
    updated_at: VnDateTime | None
    config: dict[str, object] = Field(
        description="Nhóm, giờ làm việc, ngày nghỉ, thủ tục, lãnh đạo trực, người gửi..."
    )
    change: Literal["created", "changed", "unchanged"] | None = Field(
        default=None, description="Kết quả của lần cấu hình này (chỉ trong trả lời PUT)"
    )


class TenantListOut(BaseModel):
    items: list[TenantOut]


class MergeOut(BaseModel):
    target: TenantOut | None = Field(
        description="Đơn vị nhận sáp nhập (chưa có khi sáp nhập hẹn ngày tạo đơn vị mới)"
    )
    sources: list[TenantOut]
    moved_dossiers: int = Field(description="Hồ sơ đang giải quyết đã chuyển sang đơn vị mới")
    closed_dossiers_kept: int = Field(description="Hồ sơ đã kết thúc, giữ nguyên ở đơn vị cũ")
    scheduled: bool = Field(
        default=False,
        description="Đã ghi nhận, chờ đến thời điểm có hiệu lực; trước đó chưa chuyển hồ sơ nào",
    )
    effective_at: VnDateTime | None = Field(
        default=None, description="Thời điểm sáp nhập có hiệu lực"
    )


class MissingItemsOut(BaseModel):
    """Form 02's list (free text: never in events); notify must not keep it after sending."""

    dossier_id: str
    missing_items: list[str]


class ContactOut(BaseModel):
    """Only what one send needs; notify must not keep it after sending."""

    dossier_id: str
    channel: str
    full_name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
