"""Use case: a commune's configuration arrived (compacted topic: replace, never merge)."""

from __future__ import annotations

from motcua_clock import changed_days
from motcua_contracts.events.tenants_v2 import TenantConfigured
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import job_repo, tenant_repo
from workflow.adapters.tenant_repo import TenantInfo
from workflow.application.context import Context
from workflow.application.digests import plan_next_digest


def info_of(event: TenantConfigured) -> TenantInfo:
    return TenantInfo(
        tenant_id=event.tenant_id,
        config=event.model_dump(mode="json"),
        revision=event.revision,
        leader_id=event.leader_on_duty.official_id if event.leader_on_duty else None,
        escalate_after_hours=event.escalate_after_working_hours,
        digest_time=event.digest_time,
    )


async def configure_tenant(session: AsyncSession, ctx: Context, event: TenantConfigured) -> None:
    """An older revision is ignored; a calendar that changed queues a recompute."""
    before = await tenant_repo.get(session, event.tenant_id)
    if before is not None and before.config is not None and before.revision >= event.revision:
        return
    info = info_of(event)
    now = ctx.clock.now()
    national = await ctx.statutory.national(session)
    old = ctx.statutory.tenant_calendar(national, before)
    new = ctx.statutory.tenant_calendar(national, info)
    await tenant_repo.replace_config(session, info, now)
    if old.sessions() != new.sessions():
        days = None  # office hours changed: any open deadline of the commune may move
        affected = True
    else:
        days = changed_days(old, new)
        affected = bool(days)
    if affected:
        await job_repo.create_job(
            session,
            job_id=f"tenant:{event.tenant_id}:{event.revision}",
            cause="calendar",
            now=now,
            tenant_id=event.tenant_id,
            days=days,
        )
    await plan_next_digest(
        session, tenant_id=event.tenant_id, tenant=info, calendar=new, after=now, replace=True
    )
