"""Use case: withdrawn at the applicant's request (before a decision)."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def withdraw_dossier(
    session: Transaction, target: Target, *, note: str | None = None
) -> Dossier:
    return await transition(
        session,
        target,
        Action.WITHDRAW,
        lambda d: d.withdraw(at=target.now, actor=target.actor.subject, note=note),
    )
