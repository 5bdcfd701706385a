"""Use case: the result is at the desk; the statutory clock stops."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.ports import StatutoryClock
from intake.application.transition import Target, transition
from intake.domain.dossier import Change, Dossier
from intake.domain.lifecycle import Action


async def mark_result_ready(
    session: Transaction, target: Target, *, clock: StatutoryClock
) -> Dossier:
    """Carries the procedure's practices (ceremony, condolence letter) for notify."""

    def ready(d: Dossier) -> Change:
        practices = clock.procedure(d.procedure_code, d.procedure_version).practices
        return d.mark_result_ready(practices, at=target.now, actor=target.actor.subject)

    return await transition(session, target, Action.MARK_RESULT_READY, ready)
