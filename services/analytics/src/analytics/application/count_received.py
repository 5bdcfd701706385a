"""Projection: dossiers received per commune, local day, procedure and channel."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events.dossiers_v1 import DossierReceived
from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from analytics.adapters.tables import daily_received

VN = ZoneInfo("Asia/Ho_Chi_Minh")


async def count_received(
    session: AsyncSession, envelope: EventEnvelope, event: DossierReceived
) -> None:
    """Counted for the resolving unit, which answers for the deadline."""
    key = {
        "tenant_id": event.resolving_tenant_id,
        "day": event.received_at.astimezone(VN).date(),
        "procedure_code": event.procedure_code,
        "channel": event.channel.value,
    }
    where = and_(*(daily_received.c[k] == v for k, v in key.items()))
    current = await session.scalar(select(daily_received.c.received).where(where).with_for_update())
    if current is None:
        await session.execute(
            insert(daily_received).values(**key, field_code=event.field_code, received=1)
        )
    else:
        await session.execute(update(daily_received).where(where).values(received=current + 1))
