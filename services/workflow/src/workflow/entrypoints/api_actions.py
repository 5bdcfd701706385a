"""The apology notice and escalation acknowledgements: thin routes over the use cases."""

from __future__ import annotations

from fastapi import APIRouter

from workflow.adapters import escalation_repo
from workflow.application.acknowledge_escalation import acknowledge_escalation
from workflow.application.issue_apology import issue_apology
from workflow.domain.access import Need, authorise
from workflow.entrypoints.deps import Ctx, CurrentPrincipal
from workflow.entrypoints.errors import ERROR_RESPONSES
from workflow.entrypoints.schemas import AckOut, ApologyIn, ApologyOut, EscalationOut

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}", tags=["xin lỗi, cảnh báo"], responses=ERROR_RESPONSES
)


@router.post(
    "/dossiers/{dossier_id}/apology",
    response_model=ApologyOut,
    status_code=201,
    summary="Gửi phiếu xin lỗi và hẹn lại ngày trả kết quả (một lần)",
)
async def post_apology(
    tenant_id: str, dossier_id: str, body: ApologyIn, ctx: Ctx, principal: CurrentPrincipal
) -> ApologyOut:
    scope = authorise(principal, tenant_id, Need.APOLOGISE)
    async with ctx.sessions() as session, session.begin():
        result = await issue_apology(
            session,
            ctx,
            principal=principal,
            scope=scope,
            tenant_id=tenant_id,
            dossier_id=dossier_id,
            reason_code=body.reason_code,
            reason_vi=body.reason_vi.strip(),
            new_due_at=body.new_due_moment(),
        )
    ctx.after_commit()
    return ApologyOut(
        dossier_id=dossier_id,
        dossier_code=result.dossier_code,
        issued_at=result.issued_at,
        old_due_at=result.old_due_at,
        new_due_at=result.new_due_at,
        late=result.late,
    )


@router.get(
    "/escalations",
    response_model=list[EscalationOut],
    summary="Cảnh báo chưa xác nhận của đơn vị",
)
async def list_escalations(
    tenant_id: str, ctx: Ctx, principal: CurrentPrincipal
) -> list[EscalationOut]:
    authorise(principal, tenant_id, Need.READ)
    async with ctx.sessions() as session:
        rows = await escalation_repo.open_of_tenant(session, tenant_id)
    return [EscalationOut(**{k: getattr(r, k) for k in EscalationOut.model_fields}) for r in rows]


@router.post(
    "/escalations/{escalation_id}/ack",
    response_model=AckOut,
    summary="Lãnh đạo xác nhận đã nhận cảnh báo",
)
async def ack_escalation(
    tenant_id: str, escalation_id: str, ctx: Ctx, principal: CurrentPrincipal
) -> AckOut:
    authorise(principal, tenant_id, Need.ACKNOWLEDGE)
    async with ctx.sessions() as session, session.begin():
        at = await acknowledge_escalation(
            session, ctx, principal=principal, tenant_id=tenant_id, escalation_id=escalation_id
        )
    ctx.after_commit()
    return AckOut(escalation_id=escalation_id, acknowledged_at=at)
