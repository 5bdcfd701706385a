"""Durable timers: a due-time index claimed with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import timers as T
from workflow.domain.timers import CLOCK_KINDS, PlannedTimer


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> Sequence[Row[Any]]:
    """Due rows no other replica holds; they stay locked until this transaction ends."""
    return (
        await session.execute(
            select(T)
            .where(T.c.fired_at.is_(None), T.c.due_at <= now)
            .order_by(T.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def set_fired(session: AsyncSession, timer_ids: Sequence[int], at: datetime) -> None:
    await session.execute(update(T).where(T.c.timer_id.in_(timer_ids)).values(fired_at=at))


async def next_due(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(T.c.due_at).where(T.c.fired_at.is_(None)).order_by(T.c.due_at).limit(1)
    )


async def of_subject(session: AsyncSession, subject_id: str) -> dict[str, Row[Any]]:
    rows = (await session.execute(select(T).where(T.c.subject_id == subject_id))).all()
    return {r.timer_key: r for r in rows}


def _values(
    subject_id: str, tenant_id: str, dossier_id: str | None, p: PlannedTimer
) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "timer_key": p.key,
        "tenant_id": tenant_id,
        "dossier_id": dossier_id,
        "kind": p.kind,
        "due_at": p.due_at,
        "detail": json.dumps(p.detail, sort_keys=True),
    }


async def sync_clock_timers(
    session: AsyncSession,
    *,
    subject_id: str,
    tenant_id: str,
    dossier_id: str,
    planned: Mapping[str, PlannedTimer],
) -> None:
    """Make the pending clock timers equal the plan; fired keys are never planned again.

    Only what changed is written: a moved timer is updated in place with its generation
    bumped, an unchanged one is left alone.
    """
    existing = await of_subject(session, subject_id)
    stale = [
        r.timer_id
        for key, r in existing.items()
        if r.fired_at is None and r.kind in CLOCK_KINDS and key not in planned
    ]
    if stale:
        await session.execute(delete(T).where(T.c.timer_id.in_(stale)))
    fresh = []
    for key, plan in planned.items():
        row = existing.get(key)
        if row is None:
            fresh.append(_values(subject_id, tenant_id, dossier_id, plan))
        elif row.fired_at is None and row.due_at != plan.due_at:
            await session.execute(
                update(T)
                .where(T.c.timer_id == row.timer_id, T.c.fired_at.is_(None))
                .values(
                    due_at=plan.due_at,
                    generation=T.c.generation + 1,
                    detail=json.dumps(plan.detail, sort_keys=True),
                )
            )
    if fresh:
        await session.execute(insert(T), fresh)


async def insert_planned(
    session: AsyncSession,
    *,
    subject_id: str,
    tenant_id: str,
    dossier_id: str,
    planned: Mapping[str, PlannedTimer],
) -> None:
    """The plan of a subject that has no timer yet (one multi-row insert, no look-up)."""
    if planned:
        await session.execute(
            insert(T), [_values(subject_id, tenant_id, dossier_id, p) for p in planned.values()]
        )


async def schedule(
    session: AsyncSession,
    *,
    subject_id: str,
    tenant_id: str,
    dossier_id: str | None,
    plan: PlannedTimer,
) -> bool:
    """Insert unless the key exists (pending or fired); True when inserted."""
    known = await session.scalar(
        select(T.c.timer_id).where(T.c.subject_id == subject_id, T.c.timer_key == plan.key)
    )
    if known is not None:
        return False
    await session.execute(insert(T).values(**_values(subject_id, tenant_id, dossier_id, plan)))
    return True


async def schedule_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of fresh keys (the timers loop knows they are new)."""
    if rows:
        await session.execute(insert(T), list(rows))


def row_values(
    subject_id: str, tenant_id: str, dossier_id: str | None, plan: PlannedTimer
) -> dict[str, Any]:
    return _values(subject_id, tenant_id, dossier_id, plan)


async def cancel_pending(
    session: AsyncSession,
    subject_id: str,
    *,
    kinds: frozenset[str] | None = None,
    key_prefix: str | None = None,
) -> None:
    stmt = delete(T).where(T.c.subject_id == subject_id, T.c.fired_at.is_(None))
    if kinds is not None:
        stmt = stmt.where(T.c.kind.in_(sorted(kinds)))
    if key_prefix is not None:
        stmt = stmt.where(T.c.timer_key.startswith(key_prefix))
    await session.execute(stmt)


async def mark_fired(
    session: AsyncSession,
    *,
    subject_id: str,
    tenant_id: str,
    dossier_id: str | None,
    key: str,
    kind: str,
    due_at: datetime,
    fired_at: datetime,
) -> None:
    """A firing learnt from the topic (replay): the key is done, planned or not yet."""
    done = await session.execute(
        update(T)
        .where(T.c.subject_id == subject_id, T.c.timer_key == key, T.c.fired_at.is_(None))
        # The unit that fired it (its event's tenant): after a merger, the new one.
        .values(fired_at=fired_at, tenant_id=tenant_id)
    )
    if done.rowcount:  # type: ignore[attr-defined]
        return
    if await session.scalar(
        select(T.c.timer_id).where(T.c.subject_id == subject_id, T.c.timer_key == key)
    ):
        return
    await session.execute(
        insert(T).values(
            subject_id=subject_id,
            timer_key=key,
            tenant_id=tenant_id,
            dossier_id=dossier_id,
            kind=kind,
            due_at=due_at,
            fired_at=fired_at,
        )
    )


async def move_pending(session: AsyncSession, subject_id: str, tenant_id: str) -> None:
    """A dossier's pending timers now belong to another unit (its leader, its calendar)."""
    await session.execute(
        update(T)
        .where(T.c.subject_id == subject_id, T.c.fired_at.is_(None))
        .values(tenant_id=tenant_id)
    )
