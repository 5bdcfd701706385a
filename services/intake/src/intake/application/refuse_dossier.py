"""Use case: Form 03, the desk refuses the dossier with reasons."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import DossierRefused
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.commands import RefuseDossier
from intake.application.transition import Target, transition
from intake.domain.lifecycle import Action


async def refuse_dossier(
    session: AsyncSession, target: Target, cmd: RefuseDossier
) -> DossierRecord:
    return await transition(
        session,
        target,
        Action.REFUSE,
        changes=lambda _: {
            "reason_codes": list(cmd.reason_codes),
            "reason_text": cmd.reason_text,
            "completed_at": target.now,
        },
        event=lambda d: DossierRefused(
            dossier_code=d.code, refused_at=target.now, reason_codes=list(cmd.reason_codes)
        ),
    )
