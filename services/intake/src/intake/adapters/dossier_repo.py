"""Dossier rows. Every read takes a TenantScope: tenant isolation lives here, not only in routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import records
from intake.adapters.tables import dossiers, idempotency_keys
from intake.domain.access import TenantScope
from intake.domain.dossier import Dossier
from intake.domain.errors import Conflict, dossier_not_found


def scoped(scope: TenantScope, tenant_id: str | None = None) -> list[Any]:
    """WHERE clauses that keep a query inside the communes the caller may see."""
    clauses: list[Any] = []
    # A commune sees what its desk received and what it resolves for another commune's desk.
    if scope.tenant_ids is not None:
        ids = sorted(scope.tenant_ids)
        clauses.append(or_(dossiers.c.tenant_id.in_(ids), dossiers.c.resolving_tenant_id.in_(ids)))
    if tenant_id is not None:
        clauses.append(
            or_(dossiers.c.tenant_id == tenant_id, dossiers.c.resolving_tenant_id == tenant_id)
        )
    return clauses


async def get_dossier(
    session: AsyncSession, scope: TenantScope, tenant_id: str, dossier_id: str
) -> Dossier:
    row = (
        await session.execute(
            select(dossiers).where(dossiers.c.dossier_id == dossier_id, *scoped(scope, tenant_id))
        )
    ).first()
    if row is None:
        raise dossier_not_found()
    return records.from_row(row)


async def update_dossier(
    session: AsyncSession, dossier_id: str, expected_version: int, values: dict[str, Any]
) -> None:
    """Optimistic concurrency: two clerks acting at once cannot both win."""
    result = await session.execute(
        update(dossiers)
        .where(dossiers.c.dossier_id == dossier_id, dossiers.c.version == expected_version)
        .values(**encode(values))
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "dossier.concurrent_update",
            "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại và thử lại.",
        )


async def apply_apology(
    session: AsyncSession,
    dossier_id: str,
    *,
    clock_version: int,
    new_due_at: datetime,
    reason_vi: str | None,
) -> bool:
    """Stores workflow's apology unless a newer (or the same) one was applied: False then.

    Not a clerk's edit: the dossier's own `version` (intake's event sequence) is untouched.
    """
    values: dict[str, Any] = {
        "apology_new_due_at": new_due_at,
        "apology_clock_version": clock_version,
    }
    if reason_vi is not None:
        values["apology_reason_vi"] = reason_vi
    result = await session.execute(
        update(dossiers)
        .where(
            dossiers.c.dossier_id == dossier_id,
            or_(
                dossiers.c.apology_clock_version.is_(None),
                dossiers.c.apology_clock_version < clock_version,
            ),
        )
        .values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def find_by_lookup_hash(session: AsyncSession, lookup_hash: str) -> Dossier | None:
    """The citizen's link: no tenant scope, the unguessable token is the authority."""
    row = (
        await session.execute(select(dossiers).where(dossiers.c.lookup_hash == lookup_hash))
    ).first()
    return None if row is None else records.from_row(row)


async def find_by_code(session: AsyncSession, code: str) -> Dossier | None:
    row = (await session.execute(select(dossiers).where(dossiers.c.code == code))).first()
    return None if row is None else records.from_row(row)


async def find_by_id_unscoped(session: AsyncSession, dossier_id: str) -> Dossier | None:
    """Service-to-service only (notify's contact look-up), authorised by role."""
    row = (
        await session.execute(select(dossiers).where(dossiers.c.dossier_id == dossier_id))
    ).first()
    return None if row is None else records.from_row(row)


async def find_idempotent(
    session: AsyncSession, tenant_id: str, key: str
) -> tuple[str, str] | None:
    row = (
        await session.execute(
            select(idempotency_keys.c.request_hash, idempotency_keys.c.dossier_id).where(
                idempotency_keys.c.tenant_id == tenant_id, idempotency_keys.c.key == key
            )
        )
    ).first()
    return None if row is None else (row.request_hash, row.dossier_id)


encode = records.encode
