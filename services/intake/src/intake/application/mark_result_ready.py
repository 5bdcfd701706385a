"""Use case: the result is at the desk; the statutory clock stops."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import DecisionOutcome, ResultReady
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.ports import StatutoryClock
from intake.application.transition import Target, transition
from intake.domain.lifecycle import Action


async def mark_result_ready(
    session: AsyncSession, target: Target, *, clock: StatutoryClock
) -> DossierRecord:
    """Carries the procedure's practices (ceremony, condolence letter) for notify."""

    def event(d: DossierRecord) -> ResultReady:
        outcome = DecisionOutcome(d.decision or DecisionOutcome.APPROVED)
        practices = clock.procedure(d.procedure_code, d.procedure_version).practices
        return ResultReady(
            dossier_code=d.code,
            ready_at=target.now,
            outcome=outcome,
            procedure_code=d.procedure_code,
            procedure_version=d.procedure_version,
            # A rejected birth registration is no occasion for a ceremony.
            practices=list(practices) if outcome is DecisionOutcome.APPROVED else [],
        )

    return await transition(
        session,
        target,
        Action.MARK_RESULT_READY,
        changes=lambda _: {"completed_at": target.now},
        event=event,
    )
