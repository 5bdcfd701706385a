"""The procedure catalogue as the desk sees it, and the appointment before saving."""

from __future__ import annotations

from fastapi import APIRouter
from motcua_platform.inputs import Text
from motcua_platform.vntime import VnDateTime
from pydantic import BaseModel, ConfigDict, Field

from intake.application.ports import ProcedureInfo
from intake.application.preview_registration import catalogue_in_force, preview_terms
from intake.domain.access import Need, authorise
from intake.entrypoints.deps import CurrentPrincipal, Deps
from intake.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}", tags=["thủ tục"], responses=ERROR_RESPONSES
)


class RequiredDocumentOut(BaseModel):
    name: str = Field(examples=["Tờ khai đăng ký khai sinh (theo mẫu)"])
    form: str = Field(examples=["original"], description="Mã hình thức, như khi tiếp nhận")
    form_vi: str = Field(examples=["bản chính"])
    note_vi: str


class ProcedureOut(BaseModel):
    code: str = Field(examples=["1.001193"])
    version: str
    name_vi: str
    field_code: str
    field_vi: str
    time_limit_vi: str
    fees_vi: list[str]
    documents: list[RequiredDocumentOut] = Field(description="Thành phần hồ sơ phải nộp")


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procedure_code: Text = Field(min_length=1, max_length=20, examples=["1.001193"])
    verification_required: bool = False


class PreviewOut(BaseModel):
    procedure: ProcedureOut
    due_at: VnDateTime = Field(description="Ngày hẹn trả nếu tiếp nhận ngay bây giờ")


def _procedure(p: ProcedureInfo) -> ProcedureOut:
    return ProcedureOut(
        code=p.code,
        version=p.version,
        name_vi=p.name_vi,
        field_code=p.field_code,
        field_vi=p.field_vi,
        time_limit_vi=p.time_limit_vi,
        fees_vi=list(p.fees_vi),
        documents=[
            RequiredDocumentOut(name=d.name_vi, form=d.form, form_vi=d.form_vi, note_vi=d.note_vi)
            for d in p.documents
        ],
    )


@router.get(
    "/procedures",
    response_model=list[ProcedureOut],
    summary="Thủ tục đang có hiệu lực (phiên bản, thành phần hồ sơ, lệ phí)",
)
async def get_procedures(
    tenant_id: str, principal: CurrentPrincipal, deps: Deps
) -> list[ProcedureOut]:
    authorise(principal, tenant_id, Need.READ)
    return [_procedure(p) for p in catalogue_in_force(deps.statutory, deps.clock.now())]


@router.post(
    "/dossiers/preview",
    response_model=PreviewOut,
    summary="Xem trước ngày hẹn trả (không lưu hồ sơ)",
)
async def post_preview(
    tenant_id: str, body: PreviewIn, principal: CurrentPrincipal, deps: Deps
) -> PreviewOut:
    authorise(principal, tenant_id, Need.WRITE)
    async with deps.sessions() as session:
        terms = await preview_terms(
            session,
            tenant_id=tenant_id,
            procedure_code=body.procedure_code,
            verification=body.verification_required,
            now=deps.clock.now(),
            clock=deps.statutory,
        )
    return PreviewOut(procedure=_procedure(terms.procedure), due_at=terms.due_at)
