"""Use case: the applicant rates the service once, after the result is returned."""

from __future__ import annotations

from datetime import datetime

from intake.adapters.transaction import Transaction
from intake.application.commands import RateSatisfaction
from intake.application.transition import dossiers_of
from intake.domain.dossier import Dossier


async def rate_satisfaction(
    session: Transaction,
    dossier: Dossier,
    cmd: RateSatisfaction,
    *,
    actor: str,
    now: datetime,
) -> None:
    """`dossier` was found through the citizen's token or a scoped kiosk look-up."""
    change = dossier.rate(cmd.level, source=cmd.source, criteria=cmd.criteria, at=now, actor=actor)
    rating = {
        "rated_at": now,
        "level": cmd.level.value,
        "source": cmd.source,
        "criteria": change.event.criteria,  # type: ignore[union-attr]
        "comment": (cmd.comment or "").strip() or None,
    }
    await dossiers_of(session).save(change, rating=rating)
