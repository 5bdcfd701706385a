"""Use case: the leader acknowledges an escalation; it stops going up."""

from __future__ import annotations

from datetime import datetime

from motcua_contracts.events import clock_v1 as ev
from motcua_platform.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import dossier_repo, escalation_repo, timer_repo
from workflow.adapters.events import Outgoing, stage_events
from workflow.application.context import Context
from workflow.domain.errors import Conflict, NotFound


async def acknowledge_escalation(
    session: AsyncSession,
    ctx: Context,
    *,
    principal: Principal,
    tenant_id: str,
    escalation_id: str,
) -> datetime:
    found = await escalation_repo.get(session, escalation_id)
    if found is None or found.tenant_id != tenant_id:
        raise NotFound("escalation.not_found", "Không tìm thấy cảnh báo này.")
    row = await dossier_repo.lock(session, found.dossier_id)
    escalation = await escalation_repo.get(session, escalation_id, lock=True)
    assert escalation is not None and row is not None
    if escalation.acknowledged_at is not None:
        raise Conflict("escalation.already_acknowledged", "Cảnh báo này đã được xác nhận.")
    now = ctx.clock.now()
    await escalation_repo.acknowledge(session, escalation_id, now, principal.subject)
    await timer_repo.cancel_pending(
        session,
        row.dossier_id,
        kinds=frozenset({"escalate"}),
        key_prefix=f"escalate:{escalation_id}:",
    )
    await dossier_repo.update_row(session, row.dossier_id, {"seq": row.seq + 1})
    await stage_events(
        session,
        [
            Outgoing(
                tenant_id,
                row.dossier_id,
                row.seq + 1,
                now,
                ev.EscalationAcknowledged(
                    escalation_id=escalation_id,
                    dossier_code=row.dossier_code,
                    acknowledged_at=now,
                    acknowledged_by=principal.subject,
                ),
            )
        ],
    )
    return now
