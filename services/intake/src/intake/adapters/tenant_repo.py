"""The tenant registry (commune-level units) and the per-commune daily dossier counter."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import dossier_sequences, outbox, tenants


@dataclass(frozen=True)
class TenantRow:
    tenant_id: str
    name_vi: str
    unit_type: str
    agency_code: str
    status: str
    config: dict[str, Any]  # the rest of the configuration (cohorts, office hours, ...)
    province_code: str = "14"
    unit_code: str | None = None
    revision: int = 0
    merged_into: str | None = None
    updated_at: datetime | None = field(default=None, compare=False)

    @property
    def calendar(self) -> dict[str, Any]:
        """Office hours and closures in the statutory-clock library's shape."""
        closures = [
            c if isinstance(c, dict) else {"date": str(c), "kind": "closure"}
            for c in self.config.get("closures", ())
        ]
        return {"office_hours": self.config.get("office_hours", {}), "closures": closures}

    def promise_for(self, procedure_code: str) -> float | None:
        """The commune's own promised working days for a procedure (None: the statutory time)."""
        for promise in self.config.get("enabled_procedures") or ():
            if isinstance(promise, dict) and promise.get("procedure_code") == procedure_code:
                days = promise.get("promised_working_days")
                return float(days) if days is not None else None
        return None

    def same_configuration(self, other: TenantRow) -> bool:
        """True when publishing `other` would tell consumers nothing new."""
        mine = {**vars(self), "revision": 0, "updated_at": None}
        theirs = {**vars(other), "revision": 0, "updated_at": None}
        return _canonical(mine) == _canonical(theirs)


def _canonical(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


# Tenants change rarely; a short in-process cache saves a round trip per registration. Each
# replica forgets within the TTL, so a suspension or merger reaches every replica in seconds.
_CACHE: dict[str, tuple[float, TenantRow]] = {}
_TTL_SECONDS = 5.0


def _row(row: Any) -> TenantRow:
    return TenantRow(
        tenant_id=row.tenant_id,
        name_vi=row.name_vi,
        unit_type=row.unit_type,
        agency_code=row.agency_code,
        status=row.status,
        config=json.loads(row.config),
        province_code=row.province_code,
        unit_code=row.unit_code,
        revision=row.revision,
        merged_into=row.merged_into,
        updated_at=row.updated_at,
    )


async def get_tenant(
    session: AsyncSession, tenant_id: str, *, cached: bool = False, for_update: bool = False
) -> TenantRow | None:
    if cached:
        hit = _CACHE.get(tenant_id)
        if hit is not None and time.monotonic() - hit[0] < _TTL_SECONDS:
            return hit[1]
    query = select(tenants).where(tenants.c.tenant_id == tenant_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        return None
    tenant = _row(row)
    _CACHE[tenant_id] = (time.monotonic(), tenant)
    return tenant


async def list_tenants(session: AsyncSession) -> list[TenantRow]:
    rows = (await session.execute(select(tenants).order_by(tenants.c.tenant_id))).all()
    return [_row(r) for r in rows]


async def get_for_change(
    session: AsyncSession, tenant_id: str, agency_code: str
) -> tuple[TenantRow | None, str | None]:
    """The unit, locked for its change, and any other unit already using `agency_code`:
    one round trip for what onboarding reads."""
    query = (
        select(tenants)
        .where(or_(tenants.c.tenant_id == tenant_id, tenants.c.agency_code == agency_code))
        .order_by(tenants.c.tenant_id)
        .with_for_update()
    )
    current: TenantRow | None = None
    owner: str | None = None
    for row in (await session.execute(query)).all():
        if row.tenant_id == tenant_id:
            current = _row(row)
        elif owner is None:
            owner = row.tenant_id
    return current, owner


async def save_tenant(
    session: AsyncSession,
    row: TenantRow,
    now: datetime,
    *,
    new: bool,
    outbox_row: dict[str, Any] | None = None,
) -> None:
    """Stores the row; with `outbox_row`, its event in the same statement on PostgreSQL."""
    values = {
        k: v for k, v in vars(row).items() if k not in {"updated_at", "config", "tenant_id"}
    } | {"config": json.dumps(row.config, ensure_ascii=False, sort_keys=True), "updated_at": now}
    _CACHE.pop(row.tenant_id, None)
    stmt: Any = (
        insert(tenants).values(tenant_id=row.tenant_id, **values)
        if new
        else update(tenants).where(tenants.c.tenant_id == row.tenant_id).values(**values)
    )
    if outbox_row is None:
        await session.execute(stmt)
    elif session.get_bind().dialect.name == "postgresql":
        await session.execute(insert(outbox).values(**outbox_row).add_cte(stmt.cte("saved")))
    else:
        await session.execute(stmt)
        await session.execute(insert(outbox), outbox_row)


def forget(tenant_id: str) -> None:
    _CACHE.pop(tenant_id, None)


async def next_sequence(session: AsyncSession, tenant_id: str, day: date) -> int:
    """Per-tenant daily counter in one atomic upsert: unique under concurrent registrations."""
    stmt = _sequence_upsert(session.get_bind().dialect.name)
    conn = await session.connection()  # Core: the ORM's execute path adds nothing here
    return int((await conn.execute(stmt, {"tenant_id": tenant_id, "day": day})).scalar_one())


@lru_cache(maxsize=4)
def _sequence_upsert(dialect: str) -> Any:
    """Built once per dialect: SQLAlchemy's compiled cache and the prepared statement reused."""
    ins = (postgresql if dialect == "postgresql" else sqlite).insert(dossier_sequences)
    stmt = ins.values(
        tenant_id=bindparam("tenant_id", type_=dossier_sequences.c.tenant_id.type),
        day=bindparam("day", type_=dossier_sequences.c.day.type),
        last_value=1,
    ).on_conflict_do_update(
        index_elements=["tenant_id", "day"],
        set_={"last_value": dossier_sequences.c.last_value + 1},
    )
    return stmt.returning(dossier_sequences.c.last_value)
