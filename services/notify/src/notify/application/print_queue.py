"""Use cases of the print desk: list the commune's letters, print one, mark it printed."""

from __future__ import annotations

import asyncio
from datetime import datetime

from motcua_contracts.events.notifications_v1 import NotificationPrinted
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import events, print_jobs, store
from notify.application.compose import Composer
from notify.application.ports import LetterRenderer
from notify.application.views import PrintJob
from notify.domain.errors import Conflict, NotFound
from notify.domain.kinds import DeliveryStatus, NotificationStatus

__all__ = ["MAX_PAGE", "PrintJob", "get_job", "letter_pdf", "list_jobs", "mark_printed"]


def _not_found() -> NotFound:
    return NotFound("letter.not_found", "Không tìm thấy thư trong hàng đợi in của đơn vị.")


MAX_PAGE = 500


async def list_jobs(
    session: AsyncSession, tenant_id: str, *, printed: bool, limit: int = 200, offset: int = 0
) -> list[PrintJob]:
    """One page of the queue, oldest first (stable: ties broken by the delivery id)."""
    return await print_jobs.page(
        session,
        tenant_id,
        printed=printed,
        limit=max(1, min(limit, MAX_PAGE)),
        offset=max(0, offset),
    )


async def get_job(session: AsyncSession, tenant_id: str, delivery_id: str) -> PrintJob:
    """One letter of the queue (waiting or printed), wherever it stands in the list."""
    job = await print_jobs.find(session, tenant_id, delivery_id)
    if job is None:
        raise _not_found()
    return job


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
        found = await print_jobs.letter(session, tenant_id, delivery_id)
        if found is None:
            raise _not_found()
        job, number, day = found
        tenant = await store.load_tenant(session, tenant_id)
        dossier = await store.get_dossier(session, job.dossier_id)
    composed = await composer.compose(job, tenant, dossier)
    letter = composer.letter(composed, job, tenant, number=number, day=day)
    return number, await asyncio.to_thread(renderer.render, letter)


async def mark_printed(
    session: AsyncSession, tenant_id: str, delivery_id: str, *, by: str, now: datetime
) -> PrintJob:
    """Idempotent: printing the same letter twice records the first time only.

    The state change is one conditional UPDATE (queued -> printed): of two clerks pressing
    at once, exactly one moves it and stages NotificationPrinted; the other sees it printed.
    """
    found = await print_jobs.letter(session, tenant_id, delivery_id)
    if found is None:
        raise _not_found()
    r, number, _ = found
    if await print_jobs.move_to_printed(session, delivery_id, by=by, now=now):
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
                letter_number=number or "",
                printed_at=now,
            ),
        )
    job = await get_job(session, tenant_id, delivery_id)
    if job.status != DeliveryStatus.PRINTED.value:
        raise Conflict("letter.not_printable", "Thư này không còn trong hàng đợi in.")
    return job
