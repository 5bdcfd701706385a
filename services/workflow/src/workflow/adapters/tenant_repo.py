"""Communes as workflow knows them: the latest TenantConfigured, or national defaults."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters.tables import wf_tenants
from workflow.domain.duty import leader_at

DEFAULT_ESCALATE_HOURS = 4.0
DEFAULT_DIGEST_TIME = "07:30"


@dataclass(frozen=True)
class TenantInfo:
    tenant_id: str
    config: dict[str, Any] | None  # the TenantConfigured payload; None: national defaults
    revision: int = 0
    leader_id: str | None = None
    escalate_after_hours: float = DEFAULT_ESCALATE_HOURS
    digest_time: str = DEFAULT_DIGEST_TIME

    def leader_at(self, moment: datetime) -> str | None:
        """The leader on duty on `moment`'s local date (roster, else the default leader)."""
        return leader_at(self.config, moment) or self.leader_id


def promise_of(info: TenantInfo | None, procedure_code: str) -> float | None:
    """The commune's own promised working days for a procedure (TenantConfigured's
    enabled_procedures); None: the statutory time."""
    if info is None or not info.config:
        return None
    for promise in info.config.get("enabled_procedures") or ():
        if isinstance(promise, dict) and promise.get("procedure_code") == procedure_code:
            days = promise.get("promised_working_days")
            return float(days) if days is not None else None
    return None


def defaults(tenant_id: str) -> TenantInfo:
    return TenantInfo(tenant_id, None)


def _info(row: Any) -> TenantInfo:
    return TenantInfo(
        tenant_id=row.tenant_id,
        config=json.loads(row.config) if row.config else None,
        revision=row.revision,
        leader_id=row.leader_id,
        escalate_after_hours=row.escalate_after_hours,
        digest_time=row.digest_time,
    )


async def get(session: AsyncSession, tenant_id: str) -> TenantInfo | None:
    row = (
        await session.execute(select(wf_tenants).where(wf_tenants.c.tenant_id == tenant_id))
    ).first()
    return _info(row) if row is not None else None


async def get_many(session: AsyncSession, tenant_ids: Iterable[str]) -> dict[str, TenantInfo]:
    ids = sorted(set(tenant_ids))
    if not ids:
        return {}
    rows = (await session.execute(select(wf_tenants).where(wf_tenants.c.tenant_id.in_(ids)))).all()
    found = {r.tenant_id: _info(r) for r in rows}
    return {t: found.get(t) or defaults(t) for t in ids}


async def all_ids(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(wf_tenants.c.tenant_id))).all())


async def ensure_known(session: AsyncSession, tenant_id: str, now: datetime) -> bool:
    """Remember a commune first seen on a dossier; True when it was new."""
    if await session.scalar(
        select(wf_tenants.c.tenant_id).where(wf_tenants.c.tenant_id == tenant_id)
    ):
        return False
    await session.execute(insert(wf_tenants).values(tenant_id=tenant_id, updated_at=now))
    return True


async def replace_config(session: AsyncSession, info: TenantInfo, now: datetime) -> None:
    """Replace (never merge) what is held about the commune."""
    values = {
        "config": json.dumps(info.config, ensure_ascii=False) if info.config else None,
        "revision": info.revision,
        "leader_id": info.leader_id,
        "escalate_after_hours": info.escalate_after_hours,
        "digest_time": info.digest_time,
        "updated_at": now,
    }
    done = await session.execute(
        update(wf_tenants).where(wf_tenants.c.tenant_id == info.tenant_id).values(**values)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        await session.execute(insert(wf_tenants).values(tenant_id=info.tenant_id, **values))
