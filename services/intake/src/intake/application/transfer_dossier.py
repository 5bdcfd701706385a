"""Use case: hand the dossier over; each hand-over is a control-sheet row."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.commands import TransferDossier
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def transfer_dossier(session: Transaction, target: Target, cmd: TransferDossier) -> Dossier:
    return await transition(
        session,
        target,
        Action.TRANSFER,
        lambda d: d.transfer(
            to_unit_id=cmd.to_unit_id,
            to_official_id=cmd.to_official_id,
            at=target.now,
            actor=target.actor.subject,
            step_key=cmd.step_key,
            note=cmd.note,
        ),
    )
