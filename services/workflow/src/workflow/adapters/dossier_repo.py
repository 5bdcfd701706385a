"""Dossier clock rows. Writers lock a dossier's pending timers before its row, the same
order as the timers loop, so the two never deadlock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, exists, insert, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import clock_events, dossier_clocks, timers

D = dossier_clocks


async def get(session: AsyncSession, dossier_id: str) -> Row[Any] | None:
    return (await session.execute(select(D).where(D.c.dossier_id == dossier_id))).first()


async def lock(session: AsyncSession, dossier_id: str) -> Row[Any] | None:
    """The row, locked for this transaction (PostgreSQL; SQLite serialises writers)."""
    await session.execute(
        select(timers.c.timer_id)
        .where(timers.c.subject_id == dossier_id, timers.c.fired_at.is_(None))
        .order_by(timers.c.timer_id)
        .with_for_update()
    )
    return (
        await session.execute(select(D).where(D.c.dossier_id == dossier_id).with_for_update())
    ).first()


async def presence(session: AsyncSession, dossier_id: str) -> tuple[bool, bool, bool]:
    """(clock row, any timer, any recorded clock fact) of a dossier, in one read: for a new
    dossier all three are False and nothing else needs to be looked up or locked."""
    row = (
        await session.execute(
            select(
                exists().where(D.c.dossier_id == dossier_id),
                exists().where(timers.c.subject_id == dossier_id),
                exists().where(clock_events.c.dossier_id == dossier_id),
            )
        )
    ).one()
    return bool(row[0]), bool(row[1]), bool(row[2])


async def insert_row(session: AsyncSession, values: Mapping[str, Any]) -> None:
    await session.execute(insert(D).values(**values))


async def update_row(session: AsyncSession, dossier_id: str, values: Mapping[str, Any]) -> None:
    await session.execute(update(D).where(D.c.dossier_id == dossier_id).values(**values))


async def lock_many(session: AsyncSession, dossier_ids: Iterable[str]) -> dict[str, Row[Any]]:
    """Rows locked in id order: two timer replicas never wait on each other in a cycle."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return {}
    rows = (
        await session.execute(
            select(D).where(D.c.dossier_id.in_(ids)).order_by(D.c.dossier_id).with_for_update()
        )
    ).all()
    return {r.dossier_id: r for r in rows}


async def add_seqs(session: AsyncSession, counts: Mapping[str, int]) -> None:
    """Advance workflow's per-dossier sequence by the events just numbered."""
    ids = sorted(i for i, n in counts.items() if n)
    if not ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        stmt = text(
            "UPDATE dossier_clocks d SET seq = d.seq + u.n FROM "
            "unnest(CAST(:ids AS varchar[]), CAST(:ns AS integer[])) AS u(id, n) "
            "WHERE d.dossier_id = u.id"
        ).bindparams(bindparam("ids"), bindparam("ns"))
        await session.execute(stmt, {"ids": ids, "ns": [counts[i] for i in ids]})
        return
    for dossier_id in ids:
        await session.execute(
            update(D).where(D.c.dossier_id == dossier_id).values(seq=D.c.seq + counts[dossier_id])
        )
