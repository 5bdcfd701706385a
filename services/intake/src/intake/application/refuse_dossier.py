"""Use case: Form 03, the desk refuses the dossier with reasons."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.commands import RefuseDossier
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def refuse_dossier(session: Transaction, target: Target, cmd: RefuseDossier) -> Dossier:
    return await transition(
        session,
        target,
        Action.REFUSE,
        lambda d: d.refuse(
            cmd.reason_codes, cmd.reason_text, at=target.now, actor=target.actor.subject
        ),
    )
