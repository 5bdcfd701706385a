"""Loading a dossier's clock with today's calendar, and saving what it implies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua_clock import ClockState, TenantCalendar
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import dossier_repo, tenant_repo, timer_repo
from workflow.adapters.tenant_repo import TenantInfo
from workflow.application.context import Context
from workflow.domain.clock_view import Derived


@dataclass(frozen=True)
class Loaded:
    row: Row[Any]
    state: ClockState
    tenant: TenantInfo | None
    calendar: TenantCalendar


async def calendar_of(
    session: AsyncSession, ctx: Context, tenant_id: str
) -> tuple[TenantInfo | None, TenantCalendar]:
    tenant = await tenant_repo.get(session, tenant_id)
    national = await ctx.statutory.national(session)
    return tenant, ctx.statutory.tenant_calendar(national, tenant)


async def load(session: AsyncSession, ctx: Context, row: Row[Any]) -> Loaded:
    """The stored facts, derived under the calendar and procedure in force now."""
    tenant, calendar = await calendar_of(session, ctx, row.tenant_id)
    procedure = ctx.statutory.procedure(row.procedure_code, row.procedure_version)
    state = ClockState.from_dict(json.loads(row.clock_state), procedure, calendar)
    return Loaded(row, state, tenant, calendar)


async def save(
    session: AsyncSession,
    row: Row[Any],
    derived: Derived,
    *,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Row columns and pending timers in one go; on close every pending timer goes."""
    values = {**derived.columns, **(extra or {}), "updated_at": now}
    if row.outcome and derived.closed:
        values["state"] = values["outcome"] = row.outcome
    await dossier_repo.update_row(session, row.dossier_id, values)
    if derived.closed:
        await timer_repo.cancel_pending(session, row.dossier_id)
        return
    await timer_repo.sync_clock_timers(
        session,
        subject_id=row.dossier_id,
        tenant_id=row.tenant_id,
        dossier_id=row.dossier_id,
        planned=derived.timers,
    )
