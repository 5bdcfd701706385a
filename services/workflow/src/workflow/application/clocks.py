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
from workflow.domain import calendar_plan
from workflow.domain.calendar_plan import Plan, owner_of
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


def owner(row: Row[Any]) -> str:
    """The unit whose clock this is (resolving unit): its leader, digest and timers."""
    return owner_of(row.tenant_id, row.resolving_tenant_id)


async def calendar_of_plan(
    session: AsyncSession, ctx: Context, plan: Plan
) -> tuple[TenantInfo | None, TenantCalendar]:
    """The owner's configuration and the calendar the dossier's time is counted with."""
    if len(plan) == 1:
        return await calendar_of(session, ctx, plan[0].tenant_id)
    infos = await tenant_repo.get_many(session, [s.tenant_id for s in plan])
    national = await ctx.statutory.national(session)
    calendar = ctx.statutory.dossier_calendar(
        national, [(infos[s.tenant_id], s.since) for s in plan]
    )
    return infos[plan[-1].tenant_id], calendar


def plan_of(row: Row[Any]) -> Plan:
    return calendar_plan.parse(row.calendar_plan, owner(row))


async def load(
    session: AsyncSession, ctx: Context, row: Row[Any], plan: Plan | None = None
) -> Loaded:
    """The stored facts, derived under the calendar and procedure in force now."""
    tenant, calendar = await calendar_of_plan(session, ctx, plan or plan_of(row))
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
        tenant_id=owner(row),
        dossier_id=row.dossier_id,
        planned=derived.timers,
    )
