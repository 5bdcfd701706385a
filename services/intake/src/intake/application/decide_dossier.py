"""Use case: the leader decides (approved or rejected, with reasons)."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.commands import DecideDossier
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def decide_dossier(session: Transaction, target: Target, cmd: DecideDossier) -> Dossier:
    return await transition(
        session,
        target,
        Action.DECIDE,
        lambda d: d.decide(
            approved=cmd.approved,
            reason_codes=cmd.reason_codes,
            reason_text=cmd.reason_text,
            at=target.now,
            actor=target.actor.subject,
        ),
    )
