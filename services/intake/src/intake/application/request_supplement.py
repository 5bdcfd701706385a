"""Use case: Form 02, everything missing listed at once; allowed only once."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v2 import SupplementRequested
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.commands import RequestSupplement
from intake.application.transition import Hop, Target, transition
from intake.domain.errors import DomainError
from intake.domain.lifecycle import Action


async def request_supplement(
    session: AsyncSession, target: Target, cmd: RequestSupplement
) -> DossierRecord:
    items = [i.strip() for i in cmd.missing_items if i.strip()]
    if not items:
        raise DomainError(
            "supplement.items_required",
            "Phải liệt kê đầy đủ các giấy tờ cần bổ sung.",
            field="missing_items",
        )
    return await transition(
        session,
        target,
        Action.REQUEST_SUPPLEMENT,
        changes=lambda d: {
            "missing_items": items,
            "supplements_requested": d.supplements_requested + 1,
        },
        # v2: the count only; the clerk's text stays here (notify reads it at send time).
        event=lambda d: SupplementRequested(
            dossier_code=d.code, requested_at=target.now, missing_count=len(items)
        ),
        hop=Hop(note=cmd.note),
    )
