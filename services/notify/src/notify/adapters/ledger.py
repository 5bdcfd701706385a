"""The dispatcher's ledger over SQL: claims in one transaction, each outcome recorded with
its events in another (implements application.ports.DeliveryLedger)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters import events, store
from notify.application.ports import Changes, Claimed
from notify.application.views import DossierView, TenantView
from notify.domain.kinds import Kind
from notify.domain.letters import letter_number


class SqlLedger:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], dead_letter_group: str):
        self._sessions = sessions
        self._group = dead_letter_group

    async def claim(self, *, now: datetime, limit: int, lease_seconds: float) -> list[Claimed]:
        async with self._sessions() as session, session.begin():
            return await store.claim_due(session, now=now, limit=limit, lease_seconds=lease_seconds)

    async def context(
        self, c: Claimed, tenants: dict[str, TenantView]
    ) -> tuple[TenantView, DossierView | None]:
        async with self._sessions() as session:
            # A message queued for a unit merged since then goes out in its successor's name.
            tenant = tenants.get(c.tenant_id) or await store.resolve_tenant(session, c.tenant_id)
            tenants[c.tenant_id] = tenant
            return tenant, await store.get_dossier(session, c.dossier_id)

    async def record(self, c: Claimed, changes: Changes, *, now: datetime) -> bool:
        async with self._sessions() as session, session.begin():
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
