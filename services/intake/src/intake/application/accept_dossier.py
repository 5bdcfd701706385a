"""Use case: the dossier is complete; issue the receipt (Form 01)."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import DossierAccepted
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.transition import Target, transition
from intake.domain.lifecycle import Action


async def accept_dossier(session: AsyncSession, target: Target) -> DossierRecord:
    """Receipt issued: the appointment date is the due moment stored at (re)counting."""
    return await transition(
        session,
        target,
        Action.ACCEPT,
        changes=lambda _: {"accepted_at": target.now},
        event=lambda d: DossierAccepted(
            dossier_code=d.code, accepted_at=target.now, due_at=d.due_at
        ),
    )
