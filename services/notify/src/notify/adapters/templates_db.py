"""A commune's saved template versions over SQL, and the cached active-template source
(implements application.template_store.TemplateSource)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from notify.adapters.tables import templates
from notify.application.templating import Template, default_template
from notify.domain.kinds import Channel, Kind


def _from_row(row: Any) -> Template:
    return Template(
        Kind(row.kind), Channel(row.channel), row.edition, row.subject, row.body, row.version
    )


async def latest(
    session: AsyncSession, tenant_id: str, kind: Kind, channel: Channel, edition: str
) -> Template | None:
    t = templates
    row = (
        await session.execute(
            select(t)
            .where(
                t.c.tenant_id == tenant_id,
                t.c.kind == kind.value,
                t.c.channel == channel.value,
                t.c.edition.in_({edition, ""}),
            )
            .order_by((t.c.edition == edition).desc(), t.c.version.desc())
            .limit(1)
        )
    ).first()
    return _from_row(row) if row is not None else None


async def versions(
    session: AsyncSession, tenant_id: str, kind: Kind, channel: Channel, edition: str
) -> list[tuple[Template, datetime, str]]:
    t = templates
    rows = (
        await session.execute(
            select(t)
            .where(
                t.c.tenant_id == tenant_id,
                t.c.kind == kind.value,
                t.c.channel == channel.value,
                t.c.edition == edition,
            )
            .order_by(t.c.version.desc())
        )
    ).all()
    return [(_from_row(r), r.created_at, r.created_by) for r in rows]


async def save(
    session: AsyncSession, tenant_id: str, template: Template, *, by: str, now: datetime
) -> int:
    t = templates
    current = await session.scalar(
        select(func.max(t.c.version)).where(
            t.c.tenant_id == tenant_id,
            t.c.kind == template.kind.value,
            t.c.channel == template.channel.value,
            t.c.edition == template.edition,
        )
    )
    version = int(current or 0) + 1
    await session.execute(
        insert(t).values(
            tenant_id=tenant_id,
            kind=template.kind.value,
            channel=template.channel.value,
            edition=template.edition,
            version=version,
            subject=template.subject,
            body=template.body,
            created_at=now,
            created_by=by,
        )
    )
    return version


class DatabaseTemplates:
    """Active template per commune, cached a few seconds: a save shows up almost at once."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl_seconds: float = 5.0):
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._cache: dict[tuple[str, Kind, Channel, str], tuple[float, Template | None]] = {}

    async def active(
        self, tenant_id: str, kind: Kind, channel: Channel, edition: str = ""
    ) -> Template | None:
        key = (tenant_id, kind, channel, edition)
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        async with self._sessions() as session:
            found = await latest(session, tenant_id, kind, channel, edition)
        found = found or default_template(kind, channel, edition)
        self._cache[key] = (time.monotonic(), found)
        return found

    def forget(self, tenant_id: str) -> None:
        for key in [k for k in self._cache if k[0] == tenant_id]:
            del self._cache[key]
