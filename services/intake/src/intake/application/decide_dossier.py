"""Use case: the leader decides (approved or rejected, with reasons)."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import DecisionMade, DecisionOutcome
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.commands import DecideDossier
from intake.application.transition import Target, transition
from intake.domain.errors import DomainError
from intake.domain.lifecycle import Action


async def decide_dossier(
    session: AsyncSession, target: Target, cmd: DecideDossier
) -> DossierRecord:
    if not cmd.approved and not cmd.reason_codes:
        raise DomainError(
            "decision.reasons_required",
            "Khi không giải quyết hồ sơ phải nêu rõ lý do.",
            field="reason_codes",
        )
    outcome = DecisionOutcome.APPROVED if cmd.approved else DecisionOutcome.REJECTED
    return await transition(
        session,
        target,
        Action.DECIDE,
        changes=lambda _: {
            "decision": outcome.value,
            "reason_codes": list(cmd.reason_codes),
            "reason_text": cmd.reason_text,
        },
        event=lambda d: DecisionMade(
            dossier_code=d.code,
            decided_at=target.now,
            outcome=outcome,
            reason_codes=list(cmd.reason_codes),
        ),
    )
