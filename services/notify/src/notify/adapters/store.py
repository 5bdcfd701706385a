"""Queries over notify's tables, portable between PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from notify.adapters.tables import deliveries, dossiers, letter_sequences, notifications, tenants
from notify.application.ports import Claimed
from notify.application.views import DossierView, TenantView
from notify.domain.kinds import Channel, DeliveryStatus, NotificationStatus
from notify.domain.tenant_settings import TenantSettings


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


# --- communes ---------------------------------------------------------------------------


async def load_tenant(session: AsyncSession, tenant_id: str) -> TenantView:
    row = (await session.execute(select(tenants).where(tenants.c.tenant_id == tenant_id))).first()
    if row is None:
        return TenantView(tenant_id)
    settings = TenantSettings.model_validate(row.settings) if row.settings else TenantSettings()
    return TenantView(tenant_id, settings, dict(row.profile or {}))


async def resolve_tenant(session: AsyncSession, tenant_id: str) -> TenantView:
    """The unit that speaks for `tenant_id` now: itself, or, once it has been merged, the
    unit it was merged into (followed through successive mergers). A merged unit's senders,
    templates and leader are gone; its dossiers' messages never go out in its name."""
    view = await load_tenant(session, tenant_id)
    seen = {tenant_id}
    while view.merged_into and view.merged_into not in seen:
        seen.add(view.merged_into)
        view = await load_tenant(session, view.merged_into)
    return view


async def save_settings(
    session: AsyncSession, tenant_id: str, settings: TenantSettings, *, by: str, now: datetime
) -> None:
    values = {
        "settings": settings.model_dump(mode="json", exclude_defaults=False),
        "settings_updated_at": now,
        "settings_updated_by": by,
    }
    stmt = _insert(session, tenants).values(tenant_id=tenant_id, profile_revision=0, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["tenant_id"], set_=values))


async def save_profile(
    session: AsyncSession, tenant_id: str, profile: dict[str, Any], revision: int
) -> None:
    """The latest TenantConfigured replaces what we held; an older revision changes nothing."""
    stmt = _insert(session, tenants).values(
        tenant_id=tenant_id, profile=profile, profile_revision=revision
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id"],
        set_={"profile": profile, "profile_revision": revision},
        where=tenants.c.profile_revision < revision,
    )
    await session.execute(stmt)


# --- dossiers (projection) ----------------------------------------------------------------


async def upsert_dossier(session: AsyncSession, view: DossierView, now: datetime) -> None:
    values = {
        "tenant_id": view.tenant_id,
        "dossier_code": view.dossier_code,
        "procedure_code": view.procedure_code,
        "procedure_version": view.procedure_version,
        "intake_channel": view.intake_channel,
        "received_at": view.received_at,
        "due_at": view.due_at,
        "updated_at": now,
    }
    stmt = _insert(session, dossiers).values(dossier_id=view.dossier_id, **values)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["dossier_id"]))


async def get_dossier(session: AsyncSession, dossier_id: str | None) -> DossierView | None:
    if not dossier_id:
        return None
    return (await get_dossiers(session, [dossier_id])).get(dossier_id)


async def get_dossiers(session: AsyncSession, dossier_ids: list[str]) -> dict[str, DossierView]:
    """The views of these dossiers, in one statement (those we know of)."""
    wanted = sorted({i for i in dossier_ids if i})
    if not wanted:
        return {}
    rows = (await session.execute(select(dossiers).where(dossiers.c.dossier_id.in_(wanted)))).all()
    return {
        row.dossier_id: DossierView(
            dossier_id=row.dossier_id,
            tenant_id=row.tenant_id,
            dossier_code=row.dossier_code,
            procedure_code=row.procedure_code,
            procedure_version=row.procedure_version,
            intake_channel=row.intake_channel,
            received_at=row.received_at,
            due_at=row.due_at,
            preferred_channel=Channel(row.preferred_channel) if row.preferred_channel else None,
        )
        for row in rows
    }


async def set_due(session: AsyncSession, dossier_id: str, due_at: datetime, now: datetime) -> None:
    await session.execute(
        update(dossiers)
        .where(dossiers.c.dossier_id == dossier_id)
        .values(due_at=due_at, updated_at=now)
    )


async def reassign_dossier(
    session: AsyncSession,
    dossier_id: str,
    *,
    receiving: str,
    moved_from: str,
    moved_to: str,
    now: datetime,
) -> None:
    """A merger moved the dossier from one unit to another: its view follows intake, and its
    messages not yet sent in the old unit's name go out with the new unit's senders,
    templates and leader (those of a cross-commune partner stay with that partner)."""
    await session.execute(
        update(dossiers)
        .where(dossiers.c.dossier_id == dossier_id)
        .values(tenant_id=receiving, updated_at=now)
    )
    waiting = select(notifications.c.notification_id).where(
        notifications.c.dossier_id == dossier_id,
        notifications.c.tenant_id == moved_from,
        notifications.c.status == NotificationStatus.QUEUED.value,
    )
    await session.execute(
        update(deliveries)
        .where(
            deliveries.c.notification_id.in_(waiting),
            deliveries.c.status == DeliveryStatus.QUEUED.value,
        )
        .values(tenant_id=moved_to, updated_at=now)
    )
    await _move_unprinted_letters(session, dossier_id, moved_from, moved_to, now)
    await session.execute(
        update(notifications)
        .where(notifications.c.notification_id.in_(waiting))
        .values(tenant_id=moved_to, updated_at=now)
    )


async def _move_unprinted_letters(
    session: AsyncSession, dossier_id: str, moved_from: str, moved_to: str, now: datetime
) -> None:
    """Letters waiting at the old unit's print desk (which is gone) go to the new unit's,
    numbered in its register: nothing was issued yet, so the new unit issues them."""
    from notify.domain.kinds import Kind
    from notify.domain.letters import letter_number

    d, n = deliveries, notifications
    rows = (
        await session.execute(
            select(d.c.delivery_id, d.c.letter_date, n.c.kind)
            .join(n, n.c.notification_id == d.c.notification_id)
            .where(
                n.c.dossier_id == dossier_id,
                d.c.tenant_id == moved_from,
                d.c.status == DeliveryStatus.PRINT_QUEUED.value,
            )
            .order_by(d.c.sent_at, d.c.delivery_id)
        )
    ).all()
    if not rows:
        return
    successor = await load_tenant(session, moved_to)
    symbols = {k.value: v for k, v in successor.settings.number_symbols.items()}
    for r in rows:
        year = (r.letter_date or now.date()).year
        seq = await next_letter_number(session, moved_to, year)
        await session.execute(
            update(d)
            .where(d.c.delivery_id == r.delivery_id)
            .values(
                tenant_id=moved_to,
                letter_number=letter_number(seq, Kind(r.kind), symbols),
                updated_at=now,
            )
        )
    await session.execute(
        update(n)
        .where(n.c.dossier_id == dossier_id, n.c.tenant_id == moved_from)
        .where(
            n.c.notification_id.in_(
                select(d.c.notification_id).where(
                    d.c.delivery_id.in_([r.delivery_id for r in rows])
                )
            )
        )
        .values(tenant_id=moved_to, updated_at=now)
    )


async def set_preference(
    session: AsyncSession, tenant_id: str, dossier_id: str, channel: Channel | None, now: datetime
) -> bool:
    result = await session.execute(
        update(dossiers)
        .where(dossiers.c.dossier_id == dossier_id, dossiers.c.tenant_id == tenant_id)
        .values(preferred_channel=channel.value if channel else None, updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- notifications and deliveries ----------------------------------------------------------


async def insert_notification(session: AsyncSession, values: dict[str, Any]) -> bool:
    """False when this (event, kind, recipient), or this once-per-dossier message, exists."""
    stmt = _insert(session, notifications).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt.returning(notifications.c.notification_id))
    return result.first() is not None


async def add_delivery(
    session: AsyncSession,
    *,
    notification_id: str,
    tenant_id: str,
    channel: Channel,
    step: int,
    at: datetime,
) -> str:
    delivery_id = str(uuid.uuid4())
    await session.execute(
        insert(deliveries).values(
            delivery_id=delivery_id,
            notification_id=notification_id,
            tenant_id=tenant_id,
            channel=channel.value,
            step=step,
            status=DeliveryStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=at,
            created_at=at,
            updated_at=at,
        )
    )
    await session.execute(
        update(notifications)
        .where(notifications.c.notification_id == notification_id)
        .values(channel=channel.value, updated_at=at)
    )
    return delivery_id


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease_seconds: float
) -> list[Claimed]:
    """Due deliveries, and ones whose sender died mid-send (lease expired): SKIP LOCKED."""
    d, n = deliveries, notifications
    due = or_(
        and_(d.c.status == DeliveryStatus.QUEUED.value, d.c.next_attempt_at <= now),
        and_(d.c.status == DeliveryStatus.SENDING.value, d.c.lease_until < now),
    )
    ids = (
        (
            await session.execute(
                select(d.c.delivery_id)
                .where(due)
                .order_by(d.c.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    if not ids:
        return []
    await session.execute(
        update(d)
        .where(d.c.delivery_id.in_(ids))
        .values(
            status=DeliveryStatus.SENDING.value,
            attempts=d.c.attempts + 1,
            lease_until=now + timedelta(seconds=lease_seconds),
            updated_at=now,
        )
    )
    rows = (
        await session.execute(
            select(
                d.c.delivery_id,
                d.c.notification_id,
                d.c.tenant_id,
                d.c.channel,
                d.c.step,
                d.c.attempts,
                n.c.dossier_id,
                n.c.kind,
                n.c.recipient,
                n.c.chain,
                n.c.facts,
                n.c.best_effort,
                n.c.source_event_id,
                n.c.trace_context,
            )
            .join(n, n.c.notification_id == d.c.notification_id)
            .where(d.c.delivery_id.in_(ids))
        )
    ).all()
    return [claimed_of(r) for r in rows]


def claimed_of(r: Any) -> Claimed:
    """A delivery row joined with its notification's columns, as the dispatcher and the print
    desk both read it."""
    return Claimed(
        delivery_id=r.delivery_id,
        notification_id=r.notification_id,
        tenant_id=r.tenant_id,
        dossier_id=r.dossier_id,
        channel=Channel(r.channel),
        step=r.step,
        attempts=r.attempts,
        kind=r.kind,
        recipient=r.recipient,
        chain=tuple(Channel(c) for c in r.chain),
        facts=dict(r.facts),
        best_effort=bool(r.best_effort),
        source_event_id=r.source_event_id,
        trace_context=dict(r.trace_context) if r.trace_context else None,
    )


async def release_claim(session: AsyncSession, delivery_id: str, *, attempts: int) -> bool:
    """Ends this dispatcher's lease; False when it already ran out and another took over."""
    d = deliveries
    result = await session.execute(
        update(d)
        .where(
            d.c.delivery_id == delivery_id,
            d.c.status == DeliveryStatus.SENDING.value,
            d.c.attempts == attempts,
        )
        .values(lease_until=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def update_delivery(session: AsyncSession, delivery_id: str, **values: Any) -> None:
    await session.execute(
        update(deliveries).where(deliveries.c.delivery_id == delivery_id).values(**values)
    )


async def lock_notification(session: AsyncSession, notification_id: str) -> Any:
    """The notification's unit, status and chain, its row locked (None when unknown)."""
    n = notifications
    return (
        await session.execute(
            select(n.c.tenant_id, n.c.status, n.c.chain)
            .where(n.c.notification_id == notification_id)
            .with_for_update()
        )
    ).first()


async def update_notification(session: AsyncSession, notification_id: str, **values: Any) -> None:
    await session.execute(
        update(notifications)
        .where(notifications.c.notification_id == notification_id)
        .values(**values)
    )


async def next_letter_number(session: AsyncSession, tenant_id: str, year: int) -> int:
    """Per commune and year; the row lock serialises concurrent letters."""
    s = letter_sequences
    stmt = _insert(session, s).values(tenant_id=tenant_id, year=year, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "year"], set_={"last": s.c.last + 1}
    )
    result = await session.execute(stmt.returning(s.c.last))
    return int(result.scalar_one())


def notification_status_for(status: DeliveryStatus) -> NotificationStatus:
    return {
        DeliveryStatus.SENT: NotificationStatus.SENT,
        DeliveryStatus.DELIVERED: NotificationStatus.DELIVERED,
        DeliveryStatus.PRINTED: NotificationStatus.PRINTED,
        DeliveryStatus.FAILED: NotificationStatus.FAILED,
    }.get(status, NotificationStatus.QUEUED)


def letter_day(moment: datetime) -> date:
    from notify.domain.vocabulary import local

    return local(moment).date()
