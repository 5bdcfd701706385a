"""Use case: Form 02, everything missing listed at once; allowed only once."""

from __future__ import annotations

from intake.adapters.transaction import Transaction
from intake.application.commands import RequestSupplement
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def request_supplement(
    session: Transaction, target: Target, cmd: RequestSupplement
) -> Dossier:
    return await transition(
        session,
        target,
        Action.REQUEST_SUPPLEMENT,
        lambda d: d.request_supplement(
            cmd.missing_items, at=target.now, actor=target.actor.subject, note=cmd.note
        ),
    )
