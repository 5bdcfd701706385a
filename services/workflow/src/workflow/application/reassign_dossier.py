"""Use case: a merger moved an open dossier to another commune (DossierReassigned).

The clock, its pending timers and its unacknowledged escalations follow the dossier to the
unit that now resolves it; later escalations and digests go to that unit's leader. The due
date is recomputed under the dossier's calendar plan (domain/calendar_plan.py): it keeps
what the old unit's calendar fixed, and only the new unit's own closures from the merger's
effective day can move it, never earlier. A move is announced as DeadlineChanged
(cause `calendar`); each inherited escalation is raised again to the new leader.
"""

from __future__ import annotations

import logging
from typing import Any

from motcua_clock import VN_TZ
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import clock_v1 as ev
from motcua_contracts.events.common import Payload
from motcua_contracts.events.dossiers_v1 import DossierReassigned
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import dossier_repo, escalation_repo, tenant_repo, timer_repo
from workflow.adapters.events import Outgoing, stage_events
from workflow.application import clocks
from workflow.application.clock_events import moved
from workflow.application.context import Context
from workflow.application.digests import plan_next_digest
from workflow.domain import calendar_plan
from workflow.domain.clock_view import derive
from workflow.domain.ids import derived_event_id

log = logging.getLogger(__name__)


async def reassign_dossier(
    session: AsyncSession, ctx: Context, envelope: EventEnvelope, event: DossierReassigned
) -> None:
    """Idempotent and ordered by intake's version like every other lifecycle fact."""
    dossier_id = envelope.dossier_id
    row = await dossier_repo.lock(session, dossier_id) if dossier_id else None
    if row is None:
        log.warning("reassignment of an unknown dossier ignored")
        return
    version = envelope.aggregate_version or 0
    if version <= row.last_version:
        return
    now = ctx.clock.now()
    new_owner = calendar_plan.owner_of(event.receiving_tenant_id, event.resolving_tenant_id)
    since = (event.effective_at or event.reassigned_at).astimezone(VN_TZ).date()
    plan = calendar_plan.hand_over(clocks.plan_of(row), new_owner, since)
    values: dict[str, Any] = {
        "tenant_id": event.receiving_tenant_id,
        "resolving_tenant_id": event.resolving_tenant_id,
        "calendar_plan": calendar_plan.dump(plan),
        "last_version": version,
        "updated_at": now,
    }
    if await tenant_repo.ensure_known(session, new_owner, now):
        tenant, calendar = await clocks.calendar_of(session, ctx, new_owner)
        await plan_next_digest(
            session, tenant_id=new_owner, tenant=tenant, calendar=calendar, after=now
        )
    if not row.is_open:  # the clock stopped already: only who holds it changes
        await dossier_repo.update_row(session, row.dossier_id, values)
        return
    await timer_repo.move_pending(session, row.dossier_id, new_owner)
    loaded = await clocks.load(session, ctx, row, plan)
    derived = derive(loaded.state, row.step_key, outcome=row.outcome)
    payloads: list[Payload] = []
    at = event.reassigned_at  # not `now`: a replay derives the same events
    change = moved(row, derived, ev.DeadlineCause.CALENDAR, at)
    if change is not None:
        payloads.append(change)
    # The new unit's leader on duty today (its roster), like a fresh escalation.
    leader = loaded.tenant.leader_at(at) if loaded.tenant else None
    # Only a new resolving unit inherits escalations (a merged receiving desk hands none over).
    inherited = (
        []
        if clocks.owner(row) == new_owner
        else await escalation_repo.open_of_dossier(session, row.dossier_id)
    )
    for esc in inherited:
        await escalation_repo.hand_over(session, esc.escalation_id, new_owner, leader)
        payloads.append(
            ev.EscalationRaised(
                escalation_id=esc.escalation_id,
                dossier_code=row.dossier_code,
                reason=ev.EscalationReason(esc.reason),
                level=esc.level,
                to_official_id=leader,
                raised_at=at,
                raise_up_at=esc.raise_up_at,
            )
        )
    values["seq"] = row.seq + len(payloads)
    # Saved with the new owner, so the timers it plans are the new unit's too.
    await dossier_repo.update_row(session, row.dossier_id, values)
    moved_row = await dossier_repo.get(session, row.dossier_id)
    assert moved_row is not None
    await clocks.save(session, moved_row, derived, now=now, extra={"seq": values["seq"]})
    await stage_events(
        session,
        [
            Outgoing(
                tenant_id=new_owner,
                dossier_id=row.dossier_id,
                aggregate_version=row.seq + i + 1,
                occurred_at=at,
                payload=p,
                event_id=derived_event_id(str(envelope.event_id), i),
            )
            for i, p in enumerate(payloads)
        ],
    )
