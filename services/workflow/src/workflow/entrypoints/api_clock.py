"""Where one dossier's clock stands, as of now."""

from __future__ import annotations

from fastapi import APIRouter
from motcua_clock import ClockState

from workflow.adapters import dossier_repo
from workflow.application import clocks
from workflow.domain.access import Need, authorise
from workflow.domain.errors import dossier_not_found
from workflow.domain.worklist import urgency
from workflow.entrypoints.deps import Ctx, CurrentPrincipal
from workflow.entrypoints.errors import ERROR_RESPONSES
from workflow.entrypoints.schemas import ClockOut, ThresholdOut

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}", tags=["thời hạn"], responses=ERROR_RESPONSES
)


@router.get("/dossiers/{dossier_id}/clock", response_model=ClockOut, summary="Thời hạn hồ sơ")
async def get_clock(
    tenant_id: str, dossier_id: str, ctx: Ctx, principal: CurrentPrincipal
) -> ClockOut:
    authorise(principal, tenant_id, Need.READ)
    async with ctx.sessions() as session:
        row = await dossier_repo.get(session, dossier_id)
        if row is None or tenant_id not in (row.tenant_id, clocks.owner(row)):
            raise dossier_not_found()
        state: ClockState = (await clocks.load(session, ctx, row)).state
    last = state.last_event_at or state.received_at
    now = max(ctx.clock.now(), last)
    snap = state.snapshot(now)
    status = row.outcome or snap.state
    return ClockOut(
        dossier_id=row.dossier_id,
        dossier_code=row.dossier_code,
        procedure_code=row.procedure_code,
        state=status,
        urgency="closed"
        if not row.is_open
        else urgency(row.due_at, row.at_risk_at, row.state, now),
        received_at=row.received_at,
        due_at=row.due_at,
        original_due_at=snap.original_due_at,
        consumed_share=round(snap.consumed_share, 4),
        thresholds=[ThresholdOut(**t.to_dict()) for t in snap.thresholds],
        holder_id=row.holder_id,
        step_key=row.step_key,
        step_due_at=row.step_due_at,
        apology_issued_at=row.apology_issued_at,
        apology_late=snap.apology_late,
        explain_vi=snap.explain(),
    )
