"""The clock facts applied to each dossier, and the apology notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua_clock import ClockEvent
from sqlalchemy import insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import apologies, clock_events


async def record(
    session: AsyncSession, dossier_id: str, source_event_id: str, event: ClockEvent, now: datetime
) -> bool:
    """False when this source event was recorded already."""
    if await session.scalar(
        select(clock_events.c.id).where(clock_events.c.source_event_id == source_event_id)
    ):
        return False
    await session.execute(
        insert(clock_events).values(
            dossier_id=dossier_id,
            source_event_id=source_event_id,
            kind=event.kind,
            at=event.at,
            new_due_at=event.new_due_at,
            recorded_at=now,
        )
    )
    return True


async def events_of(session: AsyncSession, dossier_id: str) -> list[ClockEvent]:
    rows = (
        await session.execute(
            select(clock_events)
            .where(clock_events.c.dossier_id == dossier_id)
            .order_by(clock_events.c.at, clock_events.c.id)
        )
    ).all()
    return [ClockEvent(r.kind, r.at, r.new_due_at) for r in rows]


async def apology_of(session: AsyncSession, dossier_id: str) -> Row[Any] | None:
    return (
        await session.execute(select(apologies).where(apologies.c.dossier_id == dossier_id))
    ).first()


async def add_apology(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(apologies).values(**values))
