"""The hand-over ceremony of a birth or marriage certificate: the desk sets its date, time
and place; the family is invited (notify) once per schedule. Thin."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from motcua_platform.inputs import BoundedMoment, Text
from pydantic import BaseModel, ConfigDict, Field

from intake.application.schedule_ceremony import Ceremony, get_ceremony, schedule_ceremony
from intake.application.transition import Target
from intake.domain.access import Need, authorise
from intake.domain.time import VN
from intake.entrypoints.deps import CurrentPrincipal, Deps
from intake.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}/dossiers/{dossier_id}/ceremony",
    tags=["lễ trao giấy chứng nhận"],
    responses=ERROR_RESPONSES,
)


class CeremonyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ceremony_at: BoundedMoment = Field(
        description="Ngày giờ tổ chức lễ trao (ISO 8601, kèm múi giờ)",
        examples=["2026-02-16T08:30:00+07:00"],
    )
    place: Text = Field(min_length=1, max_length=400, examples=["Hội trường Ủy ban nhân dân xã"])


class CeremonyOut(BaseModel):
    dossier_id: str
    dossier_code: str
    occasion: str = Field(description="birth: khai sinh; marriage: kết hôn")
    ceremony_at: datetime = Field(description="ISO 8601, giờ Việt Nam (+07:00)")
    ceremony_time_vi: str = Field(examples=["08 giờ 30, thứ Hai, ngày 16/02/2026"])
    place: str
    revision: int = Field(description="1 khi hẹn lần đầu, tăng mỗi lần đổi lịch")
    change: str | None = Field(default=None, description="created, changed hoặc unchanged")


_WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def _out(c: Ceremony) -> CeremonyOut:
    at = c.ceremony_at.astimezone(VN)
    return CeremonyOut(
        dossier_id=c.dossier_id,
        dossier_code=c.dossier_code,
        occasion=c.occasion,
        ceremony_at=at,
        ceremony_time_vi=f"{at:%H} giờ {at:%M}, {_WEEKDAYS_VI[at.weekday()]}, ngày {at:%d/%m/%Y}",
        place=c.place_vi,
        revision=c.revision,
        change=c.change,
    )


@router.put(
    "",
    response_model=CeremonyOut,
    summary="Hẹn (hoặc đổi) ngày, giờ, địa điểm lễ trao Giấy khai sinh / Giấy chứng nhận kết hôn",
)
async def put_ceremony(
    tenant_id: str, dossier_id: str, body: CeremonyIn, deps: Deps, p: CurrentPrincipal
) -> CeremonyOut:
    scope = authorise(p, tenant_id, Need.WRITE)
    target = Target(scope, tenant_id, dossier_id, p, deps.clock.now())
    async with deps.sessions() as session, session.begin():
        ceremony = await schedule_ceremony(
            session, target, ceremony_at=body.ceremony_at, place_vi=body.place, clock=deps.statutory
        )
    if ceremony.change != "unchanged":
        deps.after_commit()
    return _out(ceremony)


@router.get("", response_model=CeremonyOut, summary="Lịch lễ trao đã hẹn của hồ sơ")
async def read_ceremony(
    tenant_id: str, dossier_id: str, deps: Deps, p: CurrentPrincipal
) -> CeremonyOut:
    scope = authorise(p, tenant_id, Need.READ)
    target = Target(scope, tenant_id, dossier_id, p, deps.clock.now())
    async with deps.sessions() as session:
        ceremony = await get_ceremony(session, target, clock=deps.statutory)
    return _out(ceremony)
