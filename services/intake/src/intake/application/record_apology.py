"""Use case: workflow issued the apology (Form 04): the dossier learns its new return date.

The new date and the leader's reason are what the citizen's QR page, the receipt reprint and
the dossier API show. `due_at` stays the statutory appointment printed on the first receipt.
Workflow's `aggregate_version` orders its events per dossier: an event not newer than the
one already applied (a duplicate, a replay, a stale copy) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.adapters.transaction import Transaction
from intake.application.transition import dossiers_of


@dataclass(frozen=True)
class ApologyFact:
    dossier_id: str
    clock_version: int
    issued_at: datetime
    new_due_at: datetime
    reason_vi: str | None  # None: a version 1 event, which carried only a reason code


async def record_apology(session: Transaction, fact: ApologyFact) -> bool:
    """True when the dossier changed; False for an unknown dossier or a stale event."""
    dossiers = dossiers_of(session)
    dossier = await dossiers.find_unscoped(fact.dossier_id)
    if dossier is None:
        return False  # not a dossier of this platform's desks (or not yet replicated)
    change = dossier.apologise(
        clock_version=fact.clock_version,
        new_due_at=fact.new_due_at,
        reason_vi=fact.reason_vi,
        at=fact.issued_at,
    )
    return change is not None and await dossiers.save_apology(change)
