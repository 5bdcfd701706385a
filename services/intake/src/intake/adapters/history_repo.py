"""The control sheet (hand-overs) and the audit trail (who changed what, old and new)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import dossier_audit, dossier_steps, satisfaction_ratings


@dataclass(frozen=True)
class StepRow:
    seq: int
    at: datetime
    action: str
    status_after: str
    sender: str | None
    receiver: str | None
    step_key: str | None
    note: str | None
    timeliness: str | None


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    field: str
    old_value: str | None
    new_value: str | None


async def add_step(
    session: AsyncSession, *, dossier_id: str, tenant_id: str, step: StepRow
) -> None:
    await session.execute(
        insert(dossier_steps), {"dossier_id": dossier_id, "tenant_id": tenant_id, **vars(step)}
    )


async def add_audit(
    session: AsyncSession, *, dossier_id: str, tenant_id: str, rows: Sequence[AuditRow]
) -> None:
    if rows:
        await session.execute(
            insert(dossier_audit),
            [{"dossier_id": dossier_id, "tenant_id": tenant_id, **vars(r)} for r in rows],
        )


async def steps_of(session: AsyncSession, tenant_id: str, dossier_id: str) -> list[StepRow]:
    rows = await session.execute(
        select(dossier_steps)
        .where(dossier_steps.c.dossier_id == dossier_id, dossier_steps.c.tenant_id == tenant_id)
        .order_by(dossier_steps.c.seq)
    )
    return [StepRow(**{k: r._mapping[k] for k in StepRow.__dataclass_fields__}) for r in rows]


async def audit_of(session: AsyncSession, tenant_id: str, dossier_id: str) -> list[AuditRow]:
    rows = await session.execute(
        select(dossier_audit)
        .where(dossier_audit.c.dossier_id == dossier_id, dossier_audit.c.tenant_id == tenant_id)
        .order_by(dossier_audit.c.id)
    )
    return [AuditRow(**{k: r._mapping[k] for k in AuditRow.__dataclass_fields__}) for r in rows]


async def insert_rating(session: AsyncSession, values: dict[str, Any]) -> None:
    values = {**values, "criteria": json.dumps(values.get("criteria", {}))}
    await session.execute(insert(satisfaction_ratings).values(**values))
