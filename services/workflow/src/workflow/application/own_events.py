"""Use cases: workflow reads its own events back from Topics.CLOCK.

Live, each is a no-op (the fact is already stored). Replayed into an empty database,
they restore what only workflow knew: apologies, escalations, calendar changes, and
which timers already fired, so none fires a second time. They never emit events.
"""

from __future__ import annotations

from datetime import datetime

from motcua_clock import ClockEvent
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events import clock_v1 as ev
from motcua_contracts.events import clock_v2
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import dossier_repo, escalation_repo, history_repo, job_repo, timer_repo
from workflow.application import clocks
from workflow.application.change_calendar import record_change
from workflow.application.context import Context
from workflow.application.firings import escalate_key
from workflow.domain.clock_view import derive, with_event
from workflow.domain.ids import tenant_subject
from workflow.domain.timers import PlannedTimer

FIRED_KIND = {
    "ThresholdReached": "threshold",
    "ApologyDue": "apology_due",
    "DeadlineBreached": "breach",
    "StepOverdue": "step",
    "EscalationRaisedUp": "escalate",
    "MorningDigestCompiled": "digest",
}


async def timer_fired(
    session: AsyncSession, envelope: EventEnvelope, timer_key: str, due_at: datetime
) -> None:
    """The firing is on the topic, so the key is done in this database too."""
    dossier_id = envelope.dossier_id
    await timer_repo.mark_fired(
        session,
        subject_id=dossier_id or tenant_subject(envelope.tenant_id),
        tenant_id=envelope.tenant_id,
        dossier_id=dossier_id,
        key=timer_key,
        kind=FIRED_KIND[envelope.event_type],
        due_at=due_at,
        fired_at=envelope.occurred_at,
    )


async def apology_known(
    session: AsyncSession,
    ctx: Context,
    envelope: EventEnvelope,
    event: ev.ApologyIssued | clock_v2.ApologyIssued,
) -> None:
    dossier_id = envelope.dossier_id or ""
    if await history_repo.apology_of(session, dossier_id) is not None:
        return
    await history_repo.add_apology(
        session,
        {
            "dossier_id": dossier_id,
            "tenant_id": envelope.tenant_id,
            "issued_at": event.issued_at,
            "issued_by": event.issued_by,
            "reason_code": event.reason_code.value,
            # v1 carried only the code: the text is lost for those rebuilt from v1.
            "reason_vi": getattr(event, "reason_vi", None),
            "old_due_at": event.old_due_at,
            "new_due_at": event.new_due_at,
            "late": event.late,
        },
    )
    apology = ClockEvent.apology(event.issued_at, event.new_due_at)
    await history_repo.record(session, dossier_id, str(envelope.event_id), apology, event.issued_at)
    row = await dossier_repo.lock(session, dossier_id)
    if row is None:
        return  # folded in when the dossier arrives
    state = with_event((await clocks.load(session, ctx, row)).state, apology, strict=False)
    derived = derive(state, row.step_key, outcome=row.outcome)
    await clocks.save(session, row, derived, now=ctx.clock.now())


async def escalation_known(
    session: AsyncSession, envelope: EventEnvelope, event: ev.EscalationRaised
) -> None:
    found = await escalation_repo.get(session, event.escalation_id)
    if found is not None:
        if found.acknowledged_at is None and found.tenant_id != envelope.tenant_id:
            # Raised again after a merger: the new unit's leader holds it now.
            await escalation_repo.hand_over(
                session, event.escalation_id, envelope.tenant_id, event.to_official_id
            )
        return
    dossier_id = envelope.dossier_id or ""
    await escalation_repo.add(
        session,
        [
            {
                "escalation_id": event.escalation_id,
                "dossier_id": dossier_id,
                "tenant_id": envelope.tenant_id,
                "dossier_code": event.dossier_code,
                "reason": event.reason.value,
                "level": event.level,
                "to_official_id": event.to_official_id,
                "raised_at": event.raised_at,
                "raise_up_at": event.raise_up_at,
            }
        ],
    )
    if event.raise_up_at is not None:
        await _schedule_up(session, envelope, event.escalation_id, event.level, event.raise_up_at)


async def escalation_raised_up(
    session: AsyncSession, envelope: EventEnvelope, event: ev.EscalationRaisedUp
) -> None:
    await timer_fired(session, envelope, event.timer_key, event.raised_at)
    found = await escalation_repo.get(session, event.escalation_id)
    if found is None or found.level >= event.level:
        return
    await escalation_repo.raise_level(session, event.escalation_id, event.level, event.raise_up_at)
    if event.raise_up_at is not None and found.acknowledged_at is None:
        await _schedule_up(session, envelope, event.escalation_id, event.level, event.raise_up_at)


async def escalation_acknowledged(
    session: AsyncSession, envelope: EventEnvelope, event: ev.EscalationAcknowledged
) -> None:
    found = await escalation_repo.get(session, event.escalation_id)
    if found is None or found.acknowledged_at is not None:
        return
    await escalation_repo.acknowledge(
        session, event.escalation_id, event.acknowledged_at, event.acknowledged_by
    )
    await timer_repo.cancel_pending(
        session,
        found.dossier_id,
        kinds=frozenset({"escalate"}),
        key_prefix=f"escalate:{event.escalation_id}:",
    )


async def calendar_known(session: AsyncSession, ctx: Context, event: ev.CalendarChanged) -> None:
    if await job_repo.change_exists(session, event.change_id):
        return
    await record_change(session, ctx, event, publish=False)


async def _schedule_up(
    session: AsyncSession, envelope: EventEnvelope, escalation: str, level: int, at: datetime
) -> None:
    dossier_id = envelope.dossier_id or ""
    await timer_repo.schedule(
        session,
        subject_id=dossier_id,
        tenant_id=envelope.tenant_id,
        dossier_id=dossier_id,
        plan=PlannedTimer(
            escalate_key(escalation, level),
            "escalate",
            at,
            {"escalation_id": escalation, "level": level},
        ),
    )
