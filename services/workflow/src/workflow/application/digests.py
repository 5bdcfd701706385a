"""Keeping one pending morning-digest timer per known commune."""

from __future__ import annotations

from datetime import datetime

from motcua_clock import TenantCalendar
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import timer_repo
from workflow.adapters.tenant_repo import DEFAULT_DIGEST_TIME, TenantInfo
from workflow.domain.digest import digest_key, next_digest_at
from workflow.domain.ids import tenant_subject
from workflow.domain.timers import PlannedTimer


async def plan_next_digest(
    session: AsyncSession,
    *,
    tenant_id: str,
    tenant: TenantInfo | None,
    calendar: TenantCalendar,
    after: datetime,
    replace: bool = False,
) -> None:
    """Schedule the next working morning's digest; `replace` drops a pending one first.

    A unit merged into another has no desk and no leader any more: it gets no digest (its
    open dossiers are in its successor's)."""
    subject = tenant_subject(tenant_id)
    merged = tenant is not None and (tenant.config or {}).get("status") == "merged"
    if replace or merged:
        await timer_repo.cancel_pending(session, subject, kinds=frozenset({"digest"}))
    if merged:
        return
    digest_time = tenant.digest_time if tenant is not None else DEFAULT_DIGEST_TIME
    at = next_digest_at(calendar, after, digest_time)
    await timer_repo.schedule(
        session,
        subject_id=subject,
        tenant_id=tenant_id,
        dossier_id=None,
        plan=PlannedTimer(digest_key(at), "digest", at),
    )
