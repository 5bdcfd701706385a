"""Request bodies at the HTTP boundary (not the database's, not the events')."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from motcua_contracts.events.dossiers_v1 import ReturnMethod
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from intake.domain.dossier import Channel, DocumentForm
from intake.domain.satisfaction import SatisfactionLevel

_CODE = r"^[a-z0-9_.\-]{1,60}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicantIn(_In):
    full_name: str = Field(min_length=1, max_length=200, examples=["Lò Văn Bình"])
    id_number: str = Field(
        min_length=1,
        max_length=20,
        examples=["014095001234"],
        description="Số định danh cá nhân, 12 chữ số (mã tỉnh, thế kỷ và giới tính, năm sinh...)",
    )
    date_of_birth: date = Field(examples=["1995-04-12"])
    phone: str = Field(min_length=1, max_length=20, examples=["0912345678"])
    email: EmailStr | None = Field(default=None, examples=["binh.lv@example.vn"])
    address: str = Field(
        min_length=1, max_length=500, examples=["Bản Hìn, xã Chiềng Khương, tỉnh Sơn La"]
    )


class DocumentIn(_In):
    name: str = Field(min_length=1, max_length=300, examples=["Giấy chứng sinh"])
    form: DocumentForm = Field(examples=["original"])
    copies: int = Field(default=1, ge=1, le=100)


class RegisterDossierIn(_In):
    procedure_code: str = Field(
        min_length=1, max_length=20, examples=["1.001193"], description="Mã thủ tục hành chính"
    )
    channel: Channel = Channel.COUNTER
    applicant: ApplicantIn
    documents: list[DocumentIn] = Field(min_length=1, max_length=50)
    verification_required: bool = False


class RequestSupplementIn(_In):
    missing_items: list[str] = Field(
        min_length=1, max_length=50, examples=[["Bản sao Giấy chứng nhận kết hôn của cha mẹ"]]
    )
    note: str | None = Field(default=None, max_length=1000)


class RefuseIn(_In):
    reason_codes: list[str] = Field(min_length=1, max_length=20, examples=[["not_competent"]])
    reason_text: str = Field(
        min_length=1,
        max_length=2000,
        examples=["Thủ tục không thuộc thẩm quyền giải quyết của UBND cấp xã."],
    )


class TransferIn(_In):
    to_unit_id: str | None = Field(default=None, max_length=100, examples=["tu-phap-ho-tich"])
    to_official_id: str | None = Field(default=None, max_length=100, examples=["cb-042"])
    step_key: str | None = Field(default=None, max_length=40, examples=["verify"])
    note: str | None = Field(default=None, max_length=1000)


class DecideIn(_In):
    outcome: Literal["approved", "rejected"] = Field(examples=["approved"])
    reason_codes: list[str] = Field(default_factory=list, max_length=20)
    reason_text: str | None = Field(default=None, max_length=2000)


class ReturnResultIn(_In):
    method: ReturnMethod = Field(examples=["counter"])
    to_applicant: bool = True
    recipient_name: str | None = Field(
        default=None, max_length=200, description="Người được ủy quyền nhận (nếu có)"
    )


class WithdrawIn(_In):
    note: str | None = Field(default=None, max_length=1000)


class RatingIn(_In):
    level: SatisfactionLevel = Field(examples=["rat_hai_long"])
    criteria: dict[str, int] = Field(
        default_factory=dict, max_length=9, examples=[{"attitude": 2, "total_time": 2}]
    )
    comment: str | None = Field(default=None, max_length=1000)


class TenantIn(_In):
    name_vi: str = Field(min_length=1, max_length=200, examples=["Xã Chiềng Khương"])
    unit_type: Literal["xa", "phuong", "thi_tran", "dac_khu"] = "xa"
    agency_code: str = Field(
        min_length=1, max_length=64, pattern=r"^[0-9A-Z.]+$", examples=["000.22.38.H50"]
    )
    status: Literal["active", "pilot", "merged", "inactive"] = "active"
    config: dict[str, Any] = Field(
        default_factory=dict,
        examples=[
            {"office_hours": {"morning": ["07:30", "11:30"], "afternoon": ["13:30", "17:00"]}}
        ],
    )


REASON_CODE_PATTERN = _CODE
