"""Use case: the dossier is complete; issue the receipt (Form 01)."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def accept_dossier(session: Transaction, target: Target) -> Dossier:
    """Receipt issued: the appointment date is the due moment stored at (re)counting."""
    return await transition(
        session,
        target,
        Action.ACCEPT,
        lambda d: d.accept(at=target.now, actor=target.actor.subject),
    )
