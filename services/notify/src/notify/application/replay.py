"""Use case: a dead-lettered notification gets another full run down its chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters import store
from notify.domain.kinds import Channel, NotificationStatus


async def requeue_dead(session: AsyncSession, notification_id: str, *, now: datetime) -> bool:
    """False when the notification is unknown or no longer failed (replaying twice is harmless)."""
    row = await store.lock_notification(session, notification_id)
    if row is None or row.status != NotificationStatus.FAILED.value:
        return False
    await store.update_notification(
        session, notification_id, status=NotificationStatus.QUEUED.value, updated_at=now
    )
    await store.add_delivery(
        session,
        notification_id=notification_id,
        tenant_id=row.tenant_id,
        channel=Channel(row.chain[0]),
        step=0,
        at=now,
    )
    return True
