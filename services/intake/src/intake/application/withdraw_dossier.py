"""Use case: withdrawn at the applicant's request (before a decision)."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import DossierWithdrawn
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.transition import Hop, Target, transition
from intake.domain.lifecycle import Action


async def withdraw_dossier(
    session: AsyncSession, target: Target, *, note: str | None = None
) -> DossierRecord:
    return await transition(
        session,
        target,
        Action.WITHDRAW,
        changes=lambda _: {"completed_at": target.now},
        event=lambda d: DossierWithdrawn(dossier_code=d.code, withdrawn_at=target.now),
        hop=Hop(note=note),
    )
