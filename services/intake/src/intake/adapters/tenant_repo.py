"""The tenant registry (commune-level units)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import dossier_sequences, tenants


@dataclass(frozen=True)
class TenantRow:
    tenant_id: str
    name_vi: str
    unit_type: str
    agency_code: str
    status: str
    config: dict[str, Any]


# Tenants change rarely; a short in-process cache saves a round trip per registration.
_CACHE: dict[str, tuple[float, TenantRow]] = {}
_TTL_SECONDS = 30.0


async def get_tenant(
    session: AsyncSession, tenant_id: str, *, cached: bool = False
) -> TenantRow | None:
    if cached:
        hit = _CACHE.get(tenant_id)
        if hit is not None and time.monotonic() - hit[0] < _TTL_SECONDS:
            return hit[1]
    row = (await session.execute(select(tenants).where(tenants.c.tenant_id == tenant_id))).first()
    if row is None:
        return None
    tenant = TenantRow(
        row.tenant_id,
        row.name_vi,
        row.unit_type,
        row.agency_code,
        row.status,
        json.loads(row.config),
    )
    _CACHE[tenant_id] = (time.monotonic(), tenant)
    return tenant


async def upsert_tenant(session: AsyncSession, values: dict[str, Any], now: datetime) -> None:
    values = {**values, "config": json.dumps(values.get("config", {}), ensure_ascii=False)}
    _CACHE.pop(values["tenant_id"], None)
    exists = await session.scalar(
        select(tenants.c.tenant_id).where(tenants.c.tenant_id == values["tenant_id"])
    )
    if exists is None:
        await session.execute(insert(tenants).values(**values, updated_at=now))
    else:
        await session.execute(
            update(tenants)
            .where(tenants.c.tenant_id == values["tenant_id"])
            .values(**values, updated_at=now)
        )


async def next_sequence(session: AsyncSession, tenant_id: str, day: date) -> int:
    """Per-tenant daily counter in one atomic upsert: unique under concurrent registrations."""
    dialect = session.get_bind().dialect.name
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(dossier_sequences)
    stmt = ins.values(tenant_id=tenant_id, day=day, last_value=1).on_conflict_do_update(
        index_elements=["tenant_id", "day"],
        set_={"last_value": dossier_sequences.c.last_value + 1},
    )
    return int((await session.execute(stmt.returning(dossier_sequences.c.last_value))).scalar_one())
