"""Use case: an operator records a national calendar change; affected deadlines move."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import motcua_clock as mc
from motcua_contracts.events import clock_v1 as ev
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import job_repo
from workflow.adapters.events import NATIONAL, Outgoing, stage_events
from workflow.application.context import Context
from workflow.domain.errors import DomainError


@dataclass(frozen=True)
class CalendarChangeResult:
    change_id: str
    changed_days: list[date]


async def record_change(
    session: AsyncSession, ctx: Context, change: ev.CalendarChanged, *, publish: bool
) -> list[date]:
    """Store the change and queue the recompute; `publish` only for a new change."""
    before = await ctx.statutory.national(session)
    try:
        after = before.with_change(
            mc.CalendarChanged(
                kind=change.kind.value,
                day=change.day,
                day_kind=change.day_kind,  # type: ignore[arg-type]
                name_vi=change.name_vi,
                source=change.source,
            )
        )
    except mc.CalendarError as exc:
        raise DomainError("calendar.invalid", exc.message_vi) from exc
    await job_repo.add_change(
        session,
        {
            "change_id": change.change_id,
            "kind": change.kind.value,
            "day": change.day,
            "day_kind": change.day_kind,
            "name_vi": change.name_vi,
            "source": change.source,
            "recorded_at": change.recorded_at,
        },
    )
    days = mc.changed_days(before.for_tenant(), after.for_tenant())
    now = ctx.clock.now()
    if days:
        await job_repo.create_job(
            session, job_id=f"calendar:{change.change_id}", cause="calendar", now=now, days=days
        )
    if publish:
        await stage_events(session, [Outgoing(NATIONAL, None, None, now, change)])
    return days


async def change_calendar(
    session: AsyncSession,
    ctx: Context,
    *,
    kind: ev.CalendarChangeKind,
    day: date,
    day_kind: str,
    name_vi: str,
    source: str,
) -> CalendarChangeResult:
    if day_kind not in mc.working_calendar.DAY_KINDS:
        raise DomainError(
            "calendar.day_kind_invalid", "Loại ngày nghỉ không hợp lệ.", field="day_kind"
        )
    change = ev.CalendarChanged(
        change_id=str(uuid.uuid4()),
        kind=kind,
        day=day,
        day_kind=day_kind,
        name_vi=name_vi,
        source=source,
        recorded_at=ctx.clock.now(),
    )
    days = await record_change(session, ctx, change, publish=True)
    return CalendarChangeResult(change.change_id, days)
