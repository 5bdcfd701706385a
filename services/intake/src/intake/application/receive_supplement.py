"""Use case: what was missing has arrived; the dossier is checked again."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import SupplementReceived
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import dossier_repo, history_repo, tenant_repo
from intake.adapters.records import DossierRecord
from intake.application.ports import StatutoryClock
from intake.application.transition import Target, transition
from intake.domain.lifecycle import Action


async def receive_supplement(
    session: AsyncSession, target: Target, *, clock: StatutoryClock
) -> DossierRecord:
    """The appointment moves as the statutory clock says: paused for the supplement and resumed,
    or restarted, by the procedure version's policy for the dossier's channel."""

    async def calendar_of(tenant_id: str) -> dict[str, object]:
        tenant = await tenant_repo.get_tenant(session, tenant_id, cached=True)
        return tenant.calendar if tenant is not None else {}

    # The deadline runs at the resolving unit (cross-commune intake); read it before the change.
    current = await dossier_repo.get_dossier(
        session, target.scope, target.tenant_id, target.dossier_id
    )
    config = await calendar_of(current.resolving_tenant_id)
    steps = await history_repo.steps_of(session, current.tenant_id, current.dossier_id)
    requested_at = max(
        (s.at for s in steps if s.action == Action.REQUEST_SUPPLEMENT.value),
        default=current.received_at,
    )

    def changes(d: DossierRecord) -> dict[str, object]:
        due = clock.due_after_supplement(
            procedure_code=d.procedure_code,
            procedure_version=d.procedure_version,
            received_at=d.received_at,
            requested_at=requested_at,
            supplied_at=target.now,
            channel=d.channel.value,
            tenant_config=config,
            verification=d.verification_required,
            promised_working_days=d.promised_working_days,
        )
        return {"due_at": due, "missing_items": []}

    return await transition(
        session,
        target,
        Action.RECEIVE_SUPPLEMENT,
        changes=changes,
        event=lambda d: SupplementReceived(dossier_code=d.code, received_at=target.now),
    )
