"""Use case: queue the receipt confirmation for a received dossier."""

from __future__ import annotations

import uuid

from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events.dossiers_v1 import DossierReceived
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters.tables import notifications


async def plan_receipt_confirmation(
    session: AsyncSession, envelope: EventEnvelope, event: DossierReceived
) -> None:
    exists = await session.scalar(
        select(notifications.c.notification_id).where(
            notifications.c.source_event_id == str(envelope.event_id),
            notifications.c.kind == "receipt_confirmation",
            notifications.c.recipient == "applicant",
        )
    )
    if exists is not None:
        return
    await session.execute(
        insert(notifications).values(
            notification_id=str(uuid.uuid4()),
            tenant_id=event.receiving_tenant_id,
            dossier_id=envelope.dossier_id,
            source_event_id=str(envelope.event_id),
            kind="receipt_confirmation",
            recipient="applicant",
            status="queued",
            created_at=envelope.occurred_at,
        )
    )
