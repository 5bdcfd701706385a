"""Use cases of the print desk: list the commune's letters, print one, mark it printed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

from motcua_contracts.events.notifications_v1 import NotificationPrinted
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import events, store
from notify.adapters.store import Claimed
from notify.adapters.tables import deliveries, notifications
from notify.application.compose import Composer
from notify.application.ports import LetterRenderer
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


async def list_jobs(
    session: AsyncSession, tenant_id: str, *, printed: bool, limit: int = 200
) -> list[PrintJob]:
    d, n = deliveries, notifications
    wanted = DeliveryStatus.PRINTED if printed else DeliveryStatus.PRINT_QUEUED
    rows = (
        await session.execute(
            select(d, n.c.dossier_id, n.c.kind, n.c.recipient)
            .join(n, n.c.notification_id == d.c.notification_id)
            .where(d.c.tenant_id == tenant_id, d.c.status == wanted.value)
            .order_by(d.c.sent_at, d.c.delivery_id)
            .limit(limit)
        )
    ).all()
    return [
        PrintJob(
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
        for r in rows
    ]


async def _job(session: AsyncSession, tenant_id: str, delivery_id: str) -> Claimed:
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
                d.c.status.in_([DeliveryStatus.PRINT_QUEUED.value, DeliveryStatus.PRINTED.value]),
            )
        )
    ).first()
    if r is None:
        raise _not_found()
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
    session: AsyncSession,
    tenant_id: str,
    delivery_id: str,
    *,
    composer: Composer,
    renderer: LetterRenderer,
) -> tuple[str, bytes]:
    """The letter composed again now: the name and address are fetched, used, forgotten."""
    job = await _job(session, tenant_id, delivery_id)
    row = (
        await session.execute(
            select(deliveries.c.letter_number, deliveries.c.letter_date).where(
                deliveries.c.delivery_id == delivery_id
            )
        )
    ).one()
    tenant = await store.load_tenant(session, tenant_id)
    dossier = await store.get_dossier(session, job.dossier_id)
    composed = await composer.compose(job, tenant, dossier)
    letter = composer.letter(composed, job, tenant, number=row.letter_number, day=row.letter_date)
    return row.letter_number, await asyncio.to_thread(renderer.render, letter)


async def mark_printed(
    session: AsyncSession, tenant_id: str, delivery_id: str, *, by: str, now: datetime
) -> PrintJob:
    """Idempotent: printing the same letter twice records the first time only."""
    job = await _job(session, tenant_id, delivery_id)
    current = await session.scalar(
        select(deliveries.c.status).where(deliveries.c.delivery_id == delivery_id)
    )
    if current == DeliveryStatus.PRINT_QUEUED.value:
        await store.update_delivery(
            session,
            delivery_id,
            status=DeliveryStatus.PRINTED.value,
            printed_at=now,
            printed_by=by,
            updated_at=now,
        )
        await store.update_notification(
            session, job.notification_id, status=NotificationStatus.PRINTED.value, updated_at=now
        )
        number = await session.scalar(
            select(deliveries.c.letter_number).where(deliveries.c.delivery_id == delivery_id)
        )
        await events.stage_event(
            session,
            tenant_id=tenant_id,
            dossier_id=job.dossier_id,
            occurred_at=now,
            payload=NotificationPrinted(
                notification_id=job.notification_id,
                source_event_id=job.source_event_id,
                kind=job.kind,
                recipient=job.recipient,
                letter_number=number or "",
                printed_at=now,
            ),
        )
    elif current != DeliveryStatus.PRINTED.value:
        raise Conflict("letter.not_printable", "Thư này không còn trong hàng đợi in.")
    jobs = [
        j for j in await list_jobs(session, tenant_id, printed=True) if j.delivery_id == delivery_id
    ]
    if not jobs:
        raise _not_found()
    return jobs[0]
