"""Use cases of the print desk: list the commune's letters, print one, mark it printed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motcua_contracts.events.notifications_v1 import NotificationPrinted
from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import events, store
from notify.adapters.tables import deliveries, notifications
from notify.application.compose import Composer
from notify.application.ports import Claimed, LetterRenderer
from notify.domain.errors import Conflict, NotFound
from notify.domain.kinds import Channel, DeliveryStatus, NotificationStatus


@dataclass(frozen=True)
class PrintJob:
    delivery_id: str
    notification_id: str
    dossier_id: str | None
    kind: str
    recipient: str
    letter_number: str | None
    letter_date: date | None
    status: str
    queued_at: datetime
    printed_at: datetime | None


def _not_found() -> NotFound:
    return NotFound("letter.not_found", "Không tìm thấy thư trong hàng đợi in của đơn vị.")


MAX_PAGE = 500
_IN_QUEUE = (DeliveryStatus.PRINT_QUEUED.value, DeliveryStatus.PRINTED.value)


def _print_job(r: Any) -> PrintJob:
    return PrintJob(
        r.delivery_id,
        r.notification_id,
        r.dossier_id,
        r.kind,
        r.recipient,
        r.letter_number,
        r.letter_date,
        r.status,
        r.sent_at or r.created_at,
        r.printed_at,
    )


def _jobs_query() -> Select[Any]:
    d, n = deliveries, notifications
    return select(d, n.c.dossier_id, n.c.kind, n.c.recipient).join(
        n, n.c.notification_id == d.c.notification_id
    )


async def list_jobs(
    session: AsyncSession, tenant_id: str, *, printed: bool, limit: int = 200, offset: int = 0
) -> list[PrintJob]:
    """One page of the queue, oldest first (stable: ties broken by the delivery id)."""
    d = deliveries
    wanted = DeliveryStatus.PRINTED if printed else DeliveryStatus.PRINT_QUEUED
    rows = (
        await session.execute(
            _jobs_query()
            .where(d.c.tenant_id == tenant_id, d.c.status == wanted.value)
            .order_by(d.c.sent_at, d.c.delivery_id)
            .limit(max(1, min(limit, MAX_PAGE)))
            .offset(max(0, offset))
        )
    ).all()
    return [_print_job(r) for r in rows]


async def get_job(session: AsyncSession, tenant_id: str, delivery_id: str) -> PrintJob:
    """One letter of the queue (waiting or printed), wherever it stands in the list."""
    d = deliveries
    r = (
        await session.execute(
            _jobs_query().where(
                d.c.delivery_id == delivery_id,
                d.c.tenant_id == tenant_id,
                d.c.channel == Channel.LETTER.value,
                d.c.status.in_(_IN_QUEUE),
            )
        )
    ).first()
    if r is None:
        raise _not_found()
    return _print_job(r)


async def _job(session: AsyncSession, tenant_id: str, delivery_id: str) -> Any:
    d, n = deliveries, notifications
    r = (
        await session.execute(
            select(d, n.c.dossier_id, n.c.kind, n.c.recipient, n.c.chain, n.c.facts)
            .add_columns(n.c.best_effort, n.c.source_event_id)
            .join(n, n.c.notification_id == d.c.notification_id)
            .where(
                d.c.delivery_id == delivery_id,
                d.c.tenant_id == tenant_id,
                d.c.channel == Channel.LETTER.value,
                d.c.status.in_(_IN_QUEUE),
            )
        )
    ).first()
    if r is None:
        raise _not_found()
    return r


def _claimed(r: Any) -> Claimed:
    return Claimed(
        delivery_id=r.delivery_id,
        notification_id=r.notification_id,
        tenant_id=r.tenant_id,
        dossier_id=r.dossier_id,
        channel=Channel.LETTER,
        step=r.step,
        attempts=r.attempts,
        kind=r.kind,
        recipient=r.recipient,
        chain=tuple(Channel(c) for c in r.chain),
        facts=dict(r.facts),
        best_effort=bool(r.best_effort),
        source_event_id=r.source_event_id,
    )


async def letter_pdf(
    read_sessions: async_sessionmaker[AsyncSession],
    tenant_id: str,
    delivery_id: str,
    *,
    composer: Composer,
    renderer: LetterRenderer,
) -> tuple[str, bytes]:
    """The letter composed again now: the name and address are fetched, used, forgotten.

    One short read-only transaction, closed before anything slow: composing opens its own
    (the template store) and may call intake for the contact; rendering is CPU work in a
    worker thread. Holding a transaction across them made every print wait for, and on
    SQLite deadlock with, the template store's session ("database is locked"), and stalled
    the dispatcher that needed the write lock meanwhile.
    """
    async with read_sessions() as session:
        r = await _job(session, tenant_id, delivery_id)
        tenant = await store.load_tenant(session, tenant_id)
        dossier = await store.get_dossier(session, r.dossier_id)
    job = _claimed(r)
    composed = await composer.compose(job, tenant, dossier)
    letter = composer.letter(composed, job, tenant, number=r.letter_number, day=r.letter_date)
    return r.letter_number, await asyncio.to_thread(renderer.render, letter)


async def mark_printed(
    session: AsyncSession, tenant_id: str, delivery_id: str, *, by: str, now: datetime
) -> PrintJob:
    """Idempotent: printing the same letter twice records the first time only.

    The state change is one conditional UPDATE (queued -> printed): of two clerks pressing
    at once, exactly one moves it and stages NotificationPrinted; the other sees it printed.
    """
    r = await _job(session, tenant_id, delivery_id)
    d = deliveries
    moved = await session.execute(
        update(d)
        .where(d.c.delivery_id == delivery_id, d.c.status == DeliveryStatus.PRINT_QUEUED.value)
        .values(status=DeliveryStatus.PRINTED.value, printed_at=now, printed_by=by, updated_at=now)
    )
    if _rowcount(moved) == 1:
        await store.update_notification(
            session, r.notification_id, status=NotificationStatus.PRINTED.value, updated_at=now
        )
        await events.stage_event(
            session,
            tenant_id=tenant_id,
            dossier_id=r.dossier_id,
            occurred_at=now,
            payload=NotificationPrinted(
                notification_id=r.notification_id,
                source_event_id=r.source_event_id,
                kind=r.kind,
                recipient=r.recipient,
                letter_number=r.letter_number or "",
                printed_at=now,
            ),
        )
    job = await get_job(session, tenant_id, delivery_id)
    if job.status != DeliveryStatus.PRINTED.value:
        raise Conflict("letter.not_printable", "Thư này không còn trong hàng đợi in.")
    return job


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
