"""Use cases: follow intake's lifecycle events on each dossier's statutory clock."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from motcua_clock import ClockRuleViolation, ClockState, NoVersionInForce, UnknownProcedure
from motcua_contracts.envelope import EventEnvelope
from motcua_contracts.events.common import Payload
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import dossier_repo, history_repo, tenant_repo, timer_repo
from workflow.adapters.events import Outgoing, stage_events
from workflow.adapters.tenant_repo import promise_of
from workflow.application import clocks
from workflow.application.clock_events import events_for_fact, started
from workflow.application.context import Context
from workflow.application.digests import plan_next_digest
from workflow.domain.calendar_plan import owner_of
from workflow.domain.clock_view import derive, with_event
from workflow.domain.errors import DomainError
from workflow.domain.facts import CLOSING_OUTCOME, Fact, Received, clock_event, next_step
from workflow.domain.ids import derived_event_id

log = logging.getLogger(__name__)


def _outgoing(
    envelope: EventEnvelope, owner: str, seq: int, at: datetime, payloads: Sequence[Payload]
) -> list[Outgoing]:
    """Events caused by `envelope`, numbered after `seq`, with ids a replay derives again.

    They carry the unit whose clock it is (the resolving unit), so notify writes to the
    citizen and the leader with that unit's senders, templates and leader.
    """
    return [
        Outgoing(
            tenant_id=owner,
            dossier_id=envelope.dossier_id,
            aggregate_version=seq + i + 1,
            occurred_at=at,
            payload=p,
            event_id=derived_event_id(str(envelope.event_id), i),
        )
        for i, p in enumerate(payloads)
    ]


async def track_received(
    session: AsyncSession, ctx: Context, envelope: EventEnvelope, fact: Received
) -> None:
    """Start the clock; a repeated or stale DossierReceived changes nothing."""
    dossier_id = envelope.dossier_id
    if dossier_id is None:
        raise DomainError("event.no_dossier", "Sự kiện thiếu mã định danh hồ sơ.")
    # One read for a new dossier (the usual case): no clock row, timer or earlier fact. A
    # known one changes nothing, so it needs no lock; two deliveries racing on a new one
    # collide on the clock row's key and the loser's retry finds it known.
    known, has_timers, has_history = await dossier_repo.presence(session, dossier_id)
    if known:
        return
    now = ctx.clock.now()
    owner = owner_of(envelope.tenant_id, fact.resolving_tenant_id)
    for unit in dict.fromkeys((envelope.tenant_id, owner)):
        if await tenant_repo.ensure_known(session, unit, now):
            tenant, calendar = await clocks.calendar_of(session, ctx, unit)
            await plan_next_digest(
                session, tenant_id=unit, tenant=tenant, calendar=calendar, after=now
            )
    # The statutory time runs at the resolving unit: its office hours, closures and its own
    # shorter promise for the procedure count (kept in the clock: fixed at receipt).
    tenant, calendar = await clocks.calendar_of(session, ctx, owner)
    try:
        procedure = ctx.statutory.procedure(fact.procedure_code, fact.procedure_version)
        state = ClockState.start(
            fact.received_at,
            procedure,
            calendar,
            channel=fact.channel,
            verification=fact.verification,
            promised_working_days=promise_of(tenant, procedure.code),
        )
    except (UnknownProcedure, NoVersionInForce, ClockRuleViolation) as exc:
        raise DomainError(exc.code, exc.message_vi) from exc
    # Facts recorded before the dossier itself (a replay reading two topics) fold in now.
    for earlier in await history_repo.events_of(session, dossier_id) if has_history else ():
        state = with_event(state, earlier, strict=False)
    steps = tuple(s.key for s in procedure.steps)
    step = next_step(steps, None, Fact("received", fact.received_at))
    derived = derive(state, step)
    payloads = [started(fact.dossier_code, derived)]
    await dossier_repo.insert_row(
        session,
        {
            "dossier_id": dossier_id,
            "tenant_id": envelope.tenant_id,
            "resolving_tenant_id": fact.resolving_tenant_id,
            "dossier_code": fact.dossier_code,
            "procedure_code": procedure.code,
            "procedure_version": procedure.version,
            "channel": fact.channel,
            "received_at": fact.received_at,
            "last_version": envelope.aggregate_version or 1,
            "seq": len(payloads),
            "updated_at": now,
            **derived.columns,
        },
    )
    # Timers left by a replay (fired keys read back first) are reconciled; else inserted.
    write_timers = timer_repo.sync_clock_timers if has_timers else timer_repo.insert_planned
    await write_timers(
        session,
        subject_id=dossier_id,
        tenant_id=owner,
        dossier_id=dossier_id,
        planned=derived.timers,
    )
    await stage_events(session, _outgoing(envelope, owner, 0, fact.received_at, payloads))


async def track_fact(
    session: AsyncSession, ctx: Context, envelope: EventEnvelope, fact: Fact
) -> None:
    """Fold one lifecycle fact; duplicates and stale versions change nothing."""
    dossier_id = envelope.dossier_id
    row = await dossier_repo.lock(session, dossier_id) if dossier_id else None
    if row is None:
        log.warning("fact for an unknown dossier ignored", extra={"fact": fact.kind})
        return
    version = envelope.aggregate_version or 0
    if version <= row.last_version:
        return
    loaded = await clocks.load(session, ctx, row)
    state = loaded.state
    event = clock_event(fact)
    if event is not None and state.closed_at is None:
        try:
            state = with_event(state, event)
        except ClockRuleViolation as exc:
            raise DomainError(exc.code, exc.message_vi) from exc
        await history_repo.record(
            session, row.dossier_id, str(envelope.event_id), event, ctx.clock.now()
        )
    steps = tuple(s.key for s in state.procedure.steps)
    step = next_step(steps, row.step_key, fact)
    derived = derive(state, step, outcome=CLOSING_OUTCOME.get(fact.kind))
    payloads = events_for_fact(row, fact, loaded.state, state, derived) if event else []
    extra = {"last_version": version, "seq": row.seq + len(payloads)}
    if fact.kind == "transferred":
        extra |= {"holder_id": fact.holder_id, "holder_unit_id": fact.holder_unit_id}
    await clocks.save(session, row, derived, now=ctx.clock.now(), extra=extra)
    await stage_events(session, _outgoing(envelope, clocks.owner(row), row.seq, fact.at, payloads))
