"""Intake's data access. Every query that reads dossiers is scoped by tenant here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import dossier_sequences, dossiers, idempotency_keys, tenants
from intake.domain.dossier import Applicant, Channel, Registration
from intake.domain.errors import NotFound


@dataclass(frozen=True)
class TenantRow:
    tenant_id: str
    name_vi: str
    agency_code: str
    status: str
    config: dict[str, Any]


@dataclass(frozen=True)
class IdempotentRow:
    request_hash: str
    dossier_id: str


async def get_tenant(session: AsyncSession, tenant_id: str) -> TenantRow | None:
    row = (await session.execute(select(tenants).where(tenants.c.tenant_id == tenant_id))).first()
    if row is None:
        return None
    return TenantRow(
        row.tenant_id, row.name_vi, row.agency_code, row.status, json.loads(row.config)
    )


async def upsert_tenant(session: AsyncSession, values: dict[str, Any], now: datetime) -> None:
    values = {**values, "config": json.dumps(values.get("config", {}), ensure_ascii=False)}
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
    """Per-tenant daily counter; the row lock serialises concurrent registrations."""
    key = and_(dossier_sequences.c.tenant_id == tenant_id, dossier_sequences.c.day == day)
    current = await session.scalar(
        select(dossier_sequences.c.last_value).where(key).with_for_update()
    )
    if current is None:
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(dossier_sequences).values(tenant_id=tenant_id, day=day, last_value=1)
                )
            return 1
        except Exception:  # another registration created today's row first
            current = await session.scalar(
                select(dossier_sequences.c.last_value).where(key).with_for_update()
            )
            assert current is not None
    await session.execute(update(dossier_sequences).where(key).values(last_value=current + 1))
    return int(current) + 1


async def insert_dossier(session: AsyncSession, reg: Registration, applicant: Applicant) -> None:
    await session.execute(
        insert(dossiers).values(
            dossier_id=reg.dossier_id,
            tenant_id=reg.tenant_id,
            code=reg.code,
            procedure_code=reg.procedure_code,
            procedure_version=reg.procedure_version,
            field_code=reg.field_code,
            channel=reg.channel.value,
            status="received",
            version=1,
            received_at=reg.received_at,
            due_at=reg.due_at,
            applicant_name=applicant.full_name,
            applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone,
            applicant_email=applicant.email,
        )
    )


async def get_registration(session: AsyncSession, tenant_id: str, dossier_id: str) -> Registration:
    row = (
        await session.execute(
            select(dossiers).where(
                dossiers.c.tenant_id == tenant_id, dossiers.c.dossier_id == dossier_id
            )
        )
    ).first()
    if row is None:
        raise NotFound("dossier.not_found", "Không tìm thấy hồ sơ.")
    return Registration(
        dossier_id=row.dossier_id,
        tenant_id=row.tenant_id,
        code=row.code,
        procedure_code=row.procedure_code,
        procedure_version=row.procedure_version,
        field_code=row.field_code,
        channel=Channel(row.channel),
        received_at=row.received_at,
        due_at=row.due_at,
    )


async def find_idempotent(session: AsyncSession, tenant_id: str, key: str) -> IdempotentRow | None:
    row = (
        await session.execute(
            select(idempotency_keys.c.request_hash, idempotency_keys.c.dossier_id).where(
                idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.key == key
            )
        )
    ).first()
    return None if row is None else IdempotentRow(row.request_hash, row.dossier_id)


async def remember_idempotent(
    session: AsyncSession,
    tenant_id: str,
    key: str,
    request_hash: str,
    dossier_id: str,
    now: datetime,
) -> None:
    await session.execute(
        insert(idempotency_keys).values(
            tenant_id=tenant_id,
            key=key,
            request_hash=request_hash,
            dossier_id=dossier_id,
            created_at=now,
        )
    )
