"""The SQL of a merger of administrative units: recorded future mergers, and the open
dossiers of the merged units moved, with their history, to the new one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import (
    dossier_audit,
    dossier_steps,
    dossiers,
    satisfaction_ratings,
    scheduled_mergers,
)


@dataclass(frozen=True)
class OpenDossier:
    dossier_id: str
    code: str
    tenant_id: str
    resolving_tenant_id: str | None
    status: str
    version: int


async def pending_commands(session: AsyncSession, target: str) -> list[str]:
    """The recorded, not yet applied mergers into `target` (their commands, as JSON)."""
    m = scheduled_mergers.c
    rows = await session.execute(
        select(m.command).where(m.applied_at.is_(None), m.target == target)
    )
    return list(rows.scalars())


async def record(
    session: AsyncSession,
    *,
    merger_id: str,
    target: str,
    command: str,
    effective_at: datetime,
    recorded_at: datetime,
    recorded_by: str,
) -> None:
    await session.execute(
        insert(scheduled_mergers).values(
            merger_id=merger_id,
            target=target,
            command=command,
            effective_at=effective_at,
            recorded_at=recorded_at,
            recorded_by=recorded_by,
        )
    )


async def due(session: AsyncSession, now: datetime) -> list[tuple[str, str]]:
    """(merger id, command) of the recorded mergers whose moment has come, oldest first."""
    m = scheduled_mergers.c
    rows = await session.execute(
        select(m.merger_id, m.command)
        .where(m.applied_at.is_(None), m.effective_at <= now)
        .order_by(m.effective_at, m.merger_id)
    )
    return [(r.merger_id, r.command) for r in rows]


async def mark_applied(session: AsyncSession, merger_id: str, at: datetime) -> None:
    await session.execute(
        update(scheduled_mergers)
        .where(scheduled_mergers.c.merger_id == merger_id)
        .values(applied_at=at)
    )


def _of(sources: Collection[str]) -> ColumnElement[bool]:
    return or_(dossiers.c.tenant_id.in_(sources), dossiers.c.resolving_tenant_id.in_(sources))


async def count_of(session: AsyncSession, sources: Collection[str]) -> int:
    """Dossiers still received or resolved by one of `sources` (after a merger: the closed)."""
    kept = await session.scalar(select(func.count()).select_from(dossiers).where(_of(sources)))
    return int(kept or 0)


async def open_batch(
    session: AsyncSession, sources: Collection[str], *, closed: Collection[str], limit: int
) -> Sequence[OpenDossier]:
    """Up to `limit` dossiers of `sources` not in a `closed` status, locked on PostgreSQL."""
    d = dossiers.c
    query = (
        select(d.dossier_id, d.code, d.tenant_id, d.resolving_tenant_id, d.status, d.version)
        .where(_of(sources), d.status.not_in(list(closed)))
        .order_by(d.dossier_id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return [OpenDossier(*row) for row in (await session.execute(query)).all()]


async def reassign(
    session: AsyncSession,
    dossier_id: str,
    *,
    receiving: str,
    resolving: str,
    version: int,
    at: datetime,
) -> None:
    """The dossier row moves; its history (sheet, audit, rating) follows it, so the new
    unit's staff read it whole."""
    await session.execute(
        update(dossiers)
        .where(dossiers.c.dossier_id == dossier_id)
        .values(tenant_id=receiving, resolving_tenant_id=resolving, version=version, updated_at=at)
    )
    for table in (dossier_steps, dossier_audit, satisfaction_ratings):
        await session.execute(
            update(table).where(table.c.dossier_id == dossier_id).values(tenant_id=receiving)
        )
