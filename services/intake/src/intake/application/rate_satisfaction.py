"""Use case: the applicant rates the service once, after the result is returned."""

from __future__ import annotations

from datetime import datetime

from motcua_contracts.events.dossiers_v1 import RatingSource, SatisfactionLevel, SatisfactionRated
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import dossier_repo, history_repo
from intake.adapters.events import stage_event
from intake.adapters.records import DossierRecord
from intake.application.commands import RateSatisfaction
from intake.application.transition import audit_rows
from intake.domain.errors import Conflict
from intake.domain.lifecycle import Status
from intake.domain.satisfaction import check_criteria


async def rate_satisfaction(
    session: AsyncSession,
    dossier: DossierRecord,
    cmd: RateSatisfaction,
    *,
    actor: str,
    now: datetime,
) -> None:
    """`dossier` was found through the citizen's token or a scoped kiosk look-up."""
    if dossier.status is not Status.RETURNED:
        raise Conflict("satisfaction.not_yet", "Chỉ đánh giá được sau khi đã nhận kết quả.")
    if dossier.rated:
        raise Conflict("satisfaction.already_rated", "Hồ sơ này đã được đánh giá.")
    criteria = check_criteria(cmd.criteria)
    version = dossier.version + 1
    values = {"rated": True, "version": version, "updated_at": now}
    await dossier_repo.update_dossier(session, dossier.dossier_id, dossier.version, values)
    await history_repo.insert_rating(
        session,
        {
            "dossier_id": dossier.dossier_id,
            "tenant_id": dossier.tenant_id,
            "rated_at": now,
            "level": cmd.level.value,
            "source": cmd.source,
            "criteria": criteria,
            "comment": (cmd.comment or "").strip() or None,
        },
    )
    await history_repo.add_audit(
        session,
        dossier_id=dossier.dossier_id,
        tenant_id=dossier.tenant_id,
        rows=audit_rows(dossier, values, actor=actor, action="rate", at=now),
    )
    await stage_event(
        session,
        tenant_id=dossier.tenant_id,
        dossier_id=dossier.dossier_id,
        aggregate_version=version,
        occurred_at=now,
        payload=SatisfactionRated(
            dossier_code=dossier.code,
            rated_at=now,
            level=SatisfactionLevel(cmd.level.value),
            source=RatingSource(cmd.source),
            criteria=criteria,
        ),
    )
