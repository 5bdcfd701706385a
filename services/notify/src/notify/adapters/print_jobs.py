"""The print desk's queries over SQL: one page of a commune's letters, one letter, the
queued -> printed move (used by application.print_queue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters.store import claimed_of
from notify.adapters.tables import deliveries, notifications
from notify.application.ports import Claimed
from notify.application.views import PrintJob
from notify.domain.kinds import Channel, DeliveryStatus

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


async def page(
    session: AsyncSession, tenant_id: str, *, printed: bool, limit: int, offset: int
) -> list[PrintJob]:
    """Oldest first (stable: ties broken by the delivery id)."""
    d = deliveries
    wanted = DeliveryStatus.PRINTED if printed else DeliveryStatus.PRINT_QUEUED
    rows = (
        await session.execute(
            _jobs_query()
            .where(d.c.tenant_id == tenant_id, d.c.status == wanted.value)
            .order_by(d.c.sent_at, d.c.delivery_id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return [_print_job(r) for r in rows]


async def find(session: AsyncSession, tenant_id: str, delivery_id: str) -> PrintJob | None:
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
    return _print_job(r) if r is not None else None


async def letter(
    session: AsyncSession, tenant_id: str, delivery_id: str
) -> tuple[Claimed, str, date] | None:
    """The letter's delivery as the composer takes it, with its number and date (set when
    it entered the queue)."""
    d, n = deliveries, notifications
    r = (
        await session.execute(
            select(d, n.c.dossier_id, n.c.kind, n.c.recipient, n.c.chain, n.c.facts)
            .add_columns(n.c.best_effort, n.c.source_event_id, n.c.trace_context)
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
        return None
    return claimed_of(r), r.letter_number, r.letter_date


async def move_to_printed(
    session: AsyncSession, delivery_id: str, *, by: str, now: datetime
) -> bool:
    """One conditional UPDATE (queued -> printed): True for the one caller that moved it."""
    d = deliveries
    moved = await session.execute(
        update(d)
        .where(d.c.delivery_id == delivery_id, d.c.status == DeliveryStatus.PRINT_QUEUED.value)
        .values(status=DeliveryStatus.PRINTED.value, printed_at=now, printed_by=by, updated_at=now)
    )
    return int(getattr(moved, "rowcount", 0) or 0) == 1
