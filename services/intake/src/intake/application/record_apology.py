"""Use case: workflow issued the apology (Form 04): the dossier learns its new return date.

The new date and the leader's reason are what the citizen's QR page, the receipt reprint and
the dossier API show. `due_at` stays the statutory appointment printed on the first receipt.
Workflow's `aggregate_version` orders its events per dossier: an event not newer than the
one already applied (a duplicate, a replay, a stale copy) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import dossier_repo, history_repo
from intake.adapters.history_repo import AuditRow

ACTOR = "workflow"


@dataclass(frozen=True)
class ApologyFact:
    dossier_id: str
    clock_version: int
    issued_at: datetime
    new_due_at: datetime
    reason_vi: str | None  # None: a version 1 event, which carried only a reason code


async def record_apology(session: AsyncSession, fact: ApologyFact) -> bool:
    """True when the dossier changed; False for an unknown dossier or a stale event."""
    record = await dossier_repo.find_by_id_unscoped(session, fact.dossier_id)
    if record is None:
        return False  # not a dossier of this platform's desks (or not yet replicated)
    old = record.apology_new_due_at
    if not await dossier_repo.apply_apology(
        session,
        fact.dossier_id,
        clock_version=fact.clock_version,
        new_due_at=fact.new_due_at,
        reason_vi=fact.reason_vi,
    ):
        return False
    await history_repo.add_audit(
        session,
        dossier_id=record.dossier_id,
        tenant_id=record.tenant_id,
        rows=[
            AuditRow(
                at=fact.issued_at,
                actor=ACTOR,
                action="apology_issued",
                field="apology_new_due_at",
                old_value=old.isoformat() if old else None,
                new_value=fact.new_due_at.isoformat(),
            )
        ],
    )
    return True
