"""Use case: start tracking a received dossier's statutory clock."""

from __future__ import annotations

from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events.dossiers_v1 import DossierReceived
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import dossier_clocks


async def track_received_dossier(
    session: AsyncSession, envelope: EventEnvelope, event: DossierReceived
) -> None:
    """Idempotent by aggregate version: a stale or repeated event changes nothing."""
    version = envelope.aggregate_version or 1
    known = await session.scalar(
        select(dossier_clocks.c.last_version).where(
            dossier_clocks.c.dossier_id == envelope.dossier_id
        )
    )
    values = {
        "tenant_id": envelope.tenant_id,
        "dossier_code": event.dossier_code,
        "procedure_code": event.procedure_code,
        "procedure_version": event.procedure_version,
        "state": "running",
        "received_at": event.received_at,
        "due_at": event.due_at,
        "last_version": version,
    }
    if known is None:
        await session.execute(
            insert(dossier_clocks).values(dossier_id=envelope.dossier_id, **values)
        )
    elif known < version:
        await session.execute(
            update(dossier_clocks)
            .where(dossier_clocks.c.dossier_id == envelope.dossier_id)
            .values(**values)
        )
