"""Escalations to the leader on duty and above."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import escalations as E


async def get(session: AsyncSession, escalation_id: str, *, lock: bool = False) -> Row[Any] | None:
    stmt = select(E).where(E.c.escalation_id == escalation_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def get_many(session: AsyncSession, ids: Sequence[str]) -> dict[str, Row[Any]]:
    if not ids:
        return {}
    rows = (await session.execute(select(E).where(E.c.escalation_id.in_(sorted(ids))))).all()
    return {r.escalation_id: r for r in rows}


async def add(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(E), list(rows))


async def exists(session: AsyncSession, escalation_id: str) -> bool:
    return bool(
        await session.scalar(select(E.c.escalation_id).where(E.c.escalation_id == escalation_id))
    )


async def raise_level(
    session: AsyncSession, escalation_id: str, level: int, raise_up_at: datetime | None
) -> None:
    await session.execute(
        update(E)
        .where(E.c.escalation_id == escalation_id)
        .values(level=level, raise_up_at=raise_up_at)
    )


async def acknowledge(session: AsyncSession, escalation_id: str, at: datetime, by: str) -> None:
    await session.execute(
        update(E)
        .where(E.c.escalation_id == escalation_id)
        .values(acknowledged_at=at, acknowledged_by=by, raise_up_at=None)
    )


async def open_of_tenant(
    session: AsyncSession, tenant_id: str, limit: int = 200
) -> Sequence[Row[Any]]:
    return (
        await session.execute(
            select(E)
            .where(E.c.tenant_id == tenant_id, E.c.acknowledged_at.is_(None))
            .order_by(E.c.raised_at, E.c.escalation_id)
            .limit(limit)
        )
    ).all()


async def open_of_dossier(session: AsyncSession, dossier_id: str) -> Sequence[Row[Any]]:
    return (
        await session.execute(
            select(E)
            .where(E.c.dossier_id == dossier_id, E.c.acknowledged_at.is_(None))
            .order_by(E.c.raised_at, E.c.escalation_id)
            .with_for_update()
        )
    ).all()


async def hand_over(
    session: AsyncSession, escalation_id: str, tenant_id: str, to_official_id: str | None
) -> None:
    """An unacknowledged escalation follows its dossier to the unit that now owns it."""
    await session.execute(
        update(E)
        .where(E.c.escalation_id == escalation_id)
        .values(tenant_id=tenant_id, to_official_id=to_official_id)
    )
