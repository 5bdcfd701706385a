"""The leaders' duty roster of one commune ("lãnh đạo trực"): read by its staff, set by its
leader. Published with the commune's configuration, which workflow escalates from. Thin."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from intake.adapters import tenant_repo
from intake.application.configure_tenant import set_duty_roster
from intake.domain.access import Need, authorise
from intake.domain.errors import NotFound
from intake.entrypoints.deps import CurrentPrincipal, Deps
from intake.entrypoints.errors import ERROR_RESPONSES
from intake.entrypoints.schemas_in import DutyRosterPutIn

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}/duty-roster",
    tags=["lãnh đạo trực"],
    responses=ERROR_RESPONSES,
)


class DutyRosterOut(BaseModel):
    tenant_id: str
    leader_on_duty: dict[str, Any] | None = Field(description="Lãnh đạo trực mặc định")
    weekdays: list[dict[str, Any]]
    dates: list[dict[str, Any]]
    revision: int
    change: str | None = None


def _out(row: tenant_repo.TenantRow, change: str | None = None) -> DutyRosterOut:
    roster = row.config.get("duty_roster") or {}
    return DutyRosterOut(
        tenant_id=row.tenant_id,
        leader_on_duty=row.config.get("leader_on_duty"),
        weekdays=list(roster.get("weekdays") or []),
        dates=list(roster.get("dates") or []),
        revision=row.revision,
        change=change,
    )


@router.get("", response_model=DutyRosterOut, summary="Lịch lãnh đạo trực tại bộ phận một cửa")
async def get_roster(tenant_id: str, deps: Deps, p: CurrentPrincipal) -> DutyRosterOut:
    authorise(p, tenant_id, Need.READ)
    async with deps.sessions() as session:
        row = await tenant_repo.get_tenant(session, tenant_id)
    if row is None:
        raise NotFound("tenant.unknown", "Không tìm thấy đơn vị hành chính cấp xã này.")
    return _out(row)


@router.put(
    "",
    response_model=DutyRosterOut,
    summary="Phân công lãnh đạo trực (chỉ lãnh đạo của đơn vị)",
)
async def put_roster(
    tenant_id: str, body: DutyRosterPutIn, deps: Deps, p: CurrentPrincipal
) -> DutyRosterOut:
    authorise(p, tenant_id, Need.MANAGE_ROSTER)
    roster = body.model_dump(mode="json", include={"weekdays", "dates"})
    leader = body.leader_on_duty.model_dump(mode="json") if body.leader_on_duty else None
    async with deps.tenant_changes, deps.sessions() as session, session.begin():
        row, outcome = await set_duty_roster(
            session, tenant_id, roster, leader, now=deps.clock.now()
        )
    deps.after_commit()
    return _out(row, outcome.value)
