"""Use case: Form 03, the desk refuses the dossier with reasons."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from intake.application.commands import RefuseDossier
from intake.application.transition import Target, transition
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action


async def refuse_dossier(session: AsyncSession, target: Target, cmd: RefuseDossier) -> Dossier:
    return await transition(
        session,
        target,
        Action.REFUSE,
        lambda d: d.refuse(
            cmd.reason_codes, cmd.reason_text, at=target.now, actor=target.actor.subject
        ),
    )
