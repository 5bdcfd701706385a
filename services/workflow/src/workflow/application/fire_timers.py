"""Use case: fire every due timer exactly once, on any number of replicas.

One transaction claims due rows (FOR UPDATE SKIP LOCKED: replicas take disjoint rows),
writes their events to the outbox and marks them fired. A crash before the commit
leaves the rows unfired and unlocked for another replica; after it, they are done.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from motcua_contracts.events import clock_v1 as ev
from prometheus_client import Histogram
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import (
    dossier_repo,
    escalation_repo,
    tenant_repo,
    timer_repo,
    worklist_repo,
)
from workflow.adapters.events import Outgoing, stage_events
from workflow.adapters.tenant_repo import TenantInfo
from workflow.application.clocks import owner
from workflow.application.context import Context
from workflow.application.digests import plan_next_digest
from workflow.application.firings import Firing, clock_firing, raise_up_firing
from workflow.domain.digest import DIGEST_CAP
from workflow.domain.duty import leader_on
from workflow.domain.ids import derived_event_id, firing_cause
from workflow.domain.timers import CLOCK_KINDS

log = logging.getLogger(__name__)

LAG = Histogram(
    "motcua_workflow_timer_lag_seconds",
    "From a timer's due moment to its firing",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300),
)


async def fire_due(ctx: Context) -> int:
    """Fire one batch; returns how many timers it claimed (0 when none is due)."""
    now = ctx.clock.now()
    async with ctx.sessions() as session, session.begin():
        rows = await timer_repo.claim_due(session, now, ctx.timer_batch)
        if not rows:
            return 0
        await _fire(session, ctx, rows, now)
        if ctx.test_delay_seconds:
            log.info("timers claimed", extra={"claimed": len(rows)})
            await asyncio.sleep(ctx.test_delay_seconds)
        fired_at = ctx.clock.now()
        await timer_repo.set_fired(session, [r.timer_id for r in rows], fired_at)
    if ctx.test_delay_seconds:
        log.info("timers fired", extra={"fired": len(rows)})
    for r in rows:
        LAG.observe(max(0.0, (fired_at - r.due_at).total_seconds()))
    ctx.after_commit()
    return len(rows)


async def _fire(session: AsyncSession, ctx: Context, rows: Any, now: datetime) -> None:
    dossiers = await dossier_repo.lock_many(session, {r.dossier_id for r in rows if r.dossier_id})
    esc_ids = [_detail_id(r) for r in rows if r.kind == "escalate"]
    escalations = await escalation_repo.get_many(session, [e for e in esc_ids if e])
    tenants = await tenant_repo.get_many(session, {r.tenant_id for r in rows})
    national = await ctx.statutory.national(session)
    outgoing: list[Outgoing] = []
    counts: dict[str, int] = defaultdict(int)
    new_escalations: list[dict[str, Any]] = []
    follow_ups: list[dict[str, Any]] = []
    for row in rows:
        tenant = tenants[row.tenant_id]
        calendar = ctx.statutory.tenant_calendar(national, tenant)
        if row.kind == "digest":
            outgoing.append(await _digest(session, row, tenant, now))
            await plan_next_digest(
                session, tenant_id=row.tenant_id, tenant=tenant, calendar=calendar, after=now
            )
            continue
        dossier = dossiers.get(row.dossier_id)
        if dossier is None:
            continue
        if row.kind in CLOCK_KINDS:
            firing = clock_firing(row, dossier, tenant, calendar, now)
        else:
            esc = escalations.get(_detail_id(row) or "")
            firing = raise_up_firing(row, dossier, esc, tenant, calendar, now)
        outgoing += _number(row, dossier, firing, counts)
        if firing.escalation is not None:
            new_escalations.append(firing.escalation)
        if firing.raised_up is not None:
            await escalation_repo.raise_level(session, *firing.raised_up)
        if firing.follow_up is not None:
            follow_ups.append(
                timer_repo.row_values(
                    dossier.dossier_id, owner(dossier), dossier.dossier_id, firing.follow_up
                )
            )
    await dossier_repo.add_seqs(session, counts)
    await escalation_repo.add(session, new_escalations)
    await timer_repo.schedule_many(session, follow_ups)
    await stage_events(session, outgoing)


def _number(
    row: Row[Any], dossier: Row[Any], firing: Firing, counts: dict[str, int]
) -> list[Outgoing]:
    cause = firing_cause(row.subject_id, row.timer_key)
    out = []
    for i, (at, payload) in enumerate(firing.events):
        counts[dossier.dossier_id] += 1
        out.append(
            Outgoing(
                tenant_id=owner(dossier),
                dossier_id=dossier.dossier_id,
                aggregate_version=dossier.seq + counts[dossier.dossier_id],
                occurred_at=at,
                payload=payload,
                event_id=derived_event_id(cause, i),
            )
        )
    return out


async def _digest(
    session: AsyncSession, row: Row[Any], tenant: TenantInfo, now: datetime
) -> Outgoing:
    day = date.fromisoformat(row.timer_key.removeprefix("digest:"))
    # Addressed to the leader on duty on the digest's day (the commune's roster).
    leader = leader_on(tenant.config, day) or tenant.leader_id
    at_risk, late = await worklist_repo.digest_lists(session, row.tenant_id, now, DIGEST_CAP)
    payload = ev.MorningDigestCompiled(
        timer_key=row.timer_key,
        day=day,
        compiled_at=now,
        leader_official_id=leader,
        at_risk=[ev.DigestEntry(dossier_code=r.dossier_code, due_at=r.due_at) for r in at_risk],
        late=[ev.DigestEntry(dossier_code=r.dossier_code, due_at=r.due_at) for r in late],
        truncated=len(at_risk) >= DIGEST_CAP or len(late) >= DIGEST_CAP,
    )
    return Outgoing(
        tenant_id=row.tenant_id,
        dossier_id=None,
        aggregate_version=None,
        occurred_at=now,
        payload=payload,
        event_id=derived_event_id(firing_cause(row.subject_id, row.timer_key), 0),
    )


def _detail_id(row: Row[Any]) -> str | None:
    import json

    value = json.loads(row.detail or "{}").get("escalation_id")
    return str(value) if value else None
