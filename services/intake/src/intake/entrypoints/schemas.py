"""The HTTP boundary's own models (not the database's, not the events')."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from intake.domain.dossier import Channel


class ApplicantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=1, max_length=200, examples=["Lò Văn Bình"])
    id_number: str = Field(examples=["014095001234"], description="Số định danh cá nhân, 12 số")
    phone: str = Field(examples=["0912345678"])
    email: EmailStr | None = None


class RegisterDossierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure_code: str = Field(examples=["1.001193"], description="Mã thủ tục hành chính")
    channel: Channel = Channel.COUNTER
    applicant: ApplicantIn
    verification_required: bool = False


class DossierOut(BaseModel):
    dossier_id: str
    tenant_id: str
    code: str = Field(examples=["000.31.31.H50-260213-0001"])
    procedure_code: str
    procedure_version: str
    field_code: str
    channel: Channel
    received_at: datetime
    due_at: datetime = Field(description="Ngày hẹn trả kết quả")


class ErrorOut(BaseModel):
    code: str = Field(examples=["applicant.id_number.invalid"])
    message: str = Field(examples=["Số định danh cá nhân phải gồm đúng 12 chữ số."])
    field: str | None = None
    errors: list[dict[str, str | None]] = Field(default_factory=list)
