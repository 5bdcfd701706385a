"""The hand-over ceremony the desk scheduled for a dossier (one row per dossier)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import ceremonies


@dataclass(frozen=True)
class CeremonyRow:
    ceremony_at: datetime
    place_vi: str
    revision: int


async def find(
    session: AsyncSession, dossier_id: str, *, for_update: bool = False
) -> CeremonyRow | None:
    """The ceremony scheduled for this dossier; `for_update` locks it for a revision."""
    c = ceremonies.c
    query = select(c.ceremony_at, c.place_vi, c.revision).where(c.dossier_id == dossier_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    return None if row is None else CeremonyRow(row.ceremony_at, row.place_vi, row.revision)


async def store(
    session: AsyncSession,
    dossier_id: str,
    *,
    tenant_id: str,
    ceremony: CeremonyRow,
    at: datetime,
    by: str,
    exists: bool,
) -> None:
    """The first schedule (insert) or a revision of it (update)."""
    values = {
        "tenant_id": tenant_id,
        "ceremony_at": ceremony.ceremony_at,
        "place_vi": ceremony.place_vi,
        "revision": ceremony.revision,
        "updated_at": at,
        "updated_by": by,
    }
    if exists:
        await session.execute(
            update(ceremonies).where(ceremonies.c.dossier_id == dossier_id).values(**values)
        )
    else:
        await session.execute(insert(ceremonies).values(dossier_id=dossier_id, **values))
