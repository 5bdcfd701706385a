"""Use case: what was missing has arrived; the dossier is checked again."""

from __future__ import annotations

from intake.adapters import tenant_repo
from intake.adapters.transaction import Transaction
from intake.application.ports import StatutoryClock
from intake.application.transition import Target, dossiers_of, load
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def receive_supplement(
    session: Transaction, target: Target, *, clock: StatutoryClock
) -> Dossier:
    """The appointment moves as the statutory clock says: paused for the supplement and resumed,
    or restarted, by the procedure version's policy for the dossier's channel."""
    dossiers = dossiers_of(session)
    d = await load(dossiers, target, Action.RECEIVE_SUPPLEMENT)
    d.check_allowed(Action.RECEIVE_SUPPLEMENT)
    # The deadline runs at the resolving unit (cross-commune intake).
    tenant = await tenant_repo.get_tenant(session, d.resolving_tenant_id, cached=True)
    requested_at = await dossiers.last_step_at(d.dossier_id, Action.REQUEST_SUPPLEMENT.value)
    due = clock.due_after_supplement(
        procedure_code=d.procedure_code,
        procedure_version=d.procedure_version,
        received_at=d.received_at,
        requested_at=requested_at or d.received_at,
        supplied_at=target.now,
        channel=d.channel.value,
        tenant_config=tenant.calendar if tenant is not None else {},
        verification=d.verification_required,
        promised_working_days=d.promised_working_days,
    )
    change = d.receive_supplement(due_at=due, at=target.now, actor=target.actor.subject)
    await dossiers.save(change)
    return change.after
