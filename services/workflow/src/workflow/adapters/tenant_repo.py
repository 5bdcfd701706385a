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


# --- per-transaction cache ----------------------------------------------------------------
# A consumer batch runs in one transaction (the platform's IdempotentConsumer.handle_batch):
# the communes it touches are read once for the whole batch, not once per event. The cache
# lives in the session, so it ends with the batch, and every write below drops the commune
# it changes: a TenantConfigured earlier in the batch counts for the events after it.
_CACHE = "workflow.tenants"
_ABSENT = object()


def _cache(session: AsyncSession) -> dict[str, Any]:
    return session.info.setdefault(_CACHE, {})  # type: ignore[no-any-return]


def forget(session: AsyncSession, tenant_id: str | None = None) -> None:
    """Drop what this transaction holds about one commune (None: all of them)."""
    if tenant_id is None:
        session.info.pop(_CACHE, None)
    else:
        _cache(session).pop(tenant_id, None)


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
    cache = _cache(session)
    held = cache.get(tenant_id)
    if held is not None:
        return None if held is _ABSENT else held
    row = (
        await session.execute(select(wf_tenants).where(wf_tenants.c.tenant_id == tenant_id))
    ).first()
    info = _info(row) if row is not None else None
    cache[tenant_id] = _ABSENT if info is None else info
    return info


async def get_many(session: AsyncSession, tenant_ids: Iterable[str]) -> dict[str, TenantInfo]:
    ids = sorted(set(tenant_ids))
    if not ids:
        return {}
    cache = _cache(session)
    missing = [t for t in ids if t not in cache]
    if missing:
        rows = (
            await session.execute(select(wf_tenants).where(wf_tenants.c.tenant_id.in_(missing)))
        ).all()
        found = {r.tenant_id: _info(r) for r in rows}
        for t in missing:
            cache[t] = found.get(t, _ABSENT)
    return {t: defaults(t) if cache[t] is _ABSENT else cache[t] for t in ids}


async def all_ids(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(wf_tenants.c.tenant_id))).all())


async def ensure_known(session: AsyncSession, tenant_id: str, now: datetime) -> bool:
    """Remember a commune first seen on a dossier; True when it was new."""
    if await get(session, tenant_id) is not None:
        return False
    await session.execute(insert(wf_tenants).values(tenant_id=tenant_id, updated_at=now))
    forget(session, tenant_id)
    return True


async def replace_config(session: AsyncSession, info: TenantInfo, now: datetime) -> None:
    """Replace (never merge) what is held about the commune."""
    forget(session, info.tenant_id)
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
    forget(session, info.tenant_id)
