"""Use case: after a calendar, tenant or procedure change, move every affected open
deadline (DeadlineChanged each), and nothing else. Resumable: a batch commits its moves
with the job's cursor, so a crash repeats no move and skips no dossier."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from motcua_clock import VN_TZ, window_contains
from motcua_contracts.events import clock_v1 as ev
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import dossier_repo, job_repo
from workflow.adapters.events import Outgoing, stage_events
from workflow.application import clocks
from workflow.application.clock_events import moved
from workflow.application.context import Context
from workflow.domain.clock_view import as_of, derive
from workflow.domain.ids import derived_event_id


async def recompute_batch(ctx: Context) -> int | None:
    """Process one batch of the oldest open job; None when there is no job."""
    async with ctx.sessions() as session, session.begin():
        job = await job_repo.claim_job(session)
        if job is None:
            return None
        days = job_repo.job_days(job)
        first = last = None
        if days:
            first = datetime.combine(min(days), time(0), VN_TZ)
            last = datetime.combine(max(days), time(0), VN_TZ) + timedelta(days=1)
        ids = await job_repo.candidates(
            session, job, first=first, last=last, limit=ctx.recompute_batch
        )
        cause = ev.DeadlineCause(job.cause)
        moves = 0
        for dossier_id in ids:
            moves += await _recompute_one(session, ctx, dossier_id, job.job_id, cause, days)
        done = ctx.clock.now() if len(ids) < ctx.recompute_batch else None
        await job_repo.advance(session, job.job_id, ids[-1] if ids else job.cursor, moves, done)
    ctx.after_commit()
    return moves


async def _recompute_one(
    session: AsyncSession,
    ctx: Context,
    dossier_id: str,
    job_id: str,
    cause: ev.DeadlineCause,
    days: list | None,  # type: ignore[type-arg]
) -> int:
    row = await dossier_repo.lock(session, dossier_id)
    if row is None or not row.is_open:
        return 0
    loaded = await clocks.load(session, ctx, row)
    state = loaded.state
    if days is not None:
        last = row.due_at if row.state != "paused" else max(row.due_at, as_of(state))
        if not window_contains(state.received_at, last, days):
            return 0
    derived = derive(state, row.step_key, outcome=row.outcome)
    now = ctx.clock.now()
    change = moved(row, derived, cause, now)
    if change is None:
        return 0
    await clocks.save(session, row, derived, now=now, extra={"seq": row.seq + 1})
    await stage_events(
        session,
        [
            Outgoing(
                clocks.owner(row),
                dossier_id,
                row.seq + 1,
                now,
                change,
                derived_event_id(f"job:{job_id}:{dossier_id}", 0),
            )
        ],
    )
    return 1
