"""The dispatcher's ledger over SQL: claims in one transaction, each outcome recorded with
its events in another (implements application.ports.DeliveryLedger)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import events, store
from notify.application.ports import Changes, Claimed
from notify.application.views import DossierView, TenantView
from notify.domain.kinds import Kind
from notify.domain.letters import letter_number


class SqlLedger:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dead_letter_group: str,
        *,
        connections: int = 10,
    ):
        """`connections`: at most this many sessions at once (the pool's size): the sends
        run at the dispatcher's concurrency, their writes queue for a pooled connection
        instead of opening (and closing) one past the pool for each."""
        self._sessions = sessions
        self._group = dead_letter_group
        self._gate = asyncio.Semaphore(max(1, connections))

    async def claim(self, *, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]:
        async with self._sessions() as session, session.begin():
            return await store.claim_due(session, now=now, limit=limit, lease_seconds=lease_seconds)

    async def contexts(
        self, claimed: list[Claimed]
    ) -> dict[str, tuple[TenantView, DossierView | None]]:
        async with self._gate, self._sessions() as session:
            tenants: dict[str, TenantView] = {}
            for tenant_id in sorted({c.tenant_id for c in claimed}):
                # A message queued for a unit merged since then goes out in its successor's name.
                tenants[tenant_id] = await store.resolve_tenant(session, tenant_id)
            views = await store.get_dossiers(
                session, [c.dossier_id for c in claimed if c.dossier_id]
            )
        return {
            c.delivery_id: (tenants[c.tenant_id], views.get(c.dossier_id or "")) for c in claimed
        }

    async def record(self, c: Claimed, changes: Changes, *, now: datetime) -> bool:
        async with self._gate, self._sessions() as session, session.begin():
            if not await store.release_claim(session, c.delivery_id, attempts=c.attempts):
                return False
            values = dict(changes.delivery)
            if changes.letter is not None:
                letter = changes.letter
                unit = await store.load_tenant(session, letter.tenant_id)
                seq = await store.next_letter_number(session, letter.tenant_id, letter.day.year)
                symbols = {k.value: v for k, v in unit.settings.number_symbols.items()}
                values["letter_number"] = letter_number(seq, Kind(letter.kind), symbols)
            await store.update_delivery(session, c.delivery_id, **values)
            if changes.notification is not None:
                await store.update_notification(session, c.notification_id, **changes.notification)
            if changes.next_channel is not None:
                await store.add_delivery(
                    session,
                    notification_id=c.notification_id,
                    tenant_id=c.tenant_id,
                    channel=changes.next_channel,
                    step=c.step + 1,
                    at=now,
                )
            for payload in changes.events:
                await events.stage_event(
                    session,
                    tenant_id=c.tenant_id,
                    dossier_id=c.dossier_id,
                    occurred_at=now,
                    payload=payload,
                )
            if changes.dead_letter is not None:
                await events.stage_dead_letter(
                    session,
                    group=self._group,
                    record=changes.dead_letter,
                    reason=changes.dead_letter_reason or "",
                )
            return True
