"""Use case: the result is handed to the applicant (or an authorised person), or sent."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.commands import ReturnResult
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def return_result(session: Transaction, target: Target, cmd: ReturnResult) -> Dossier:
    return await transition(
        session,
        target,
        Action.RETURN_RESULT,
        lambda d: d.return_result(
            method=cmd.method,
            to_applicant=cmd.to_applicant,
            recipient_name=cmd.recipient_name,
            at=target.now,
            actor=target.actor.subject,
        ),
    )
