"""Use case: the apology notice (Form 04) with its reason and new date; it moves the due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from motcua_clock import ClockEvent, ClockRuleViolation, apology_new_due
from motcua_contracts.events import clock_v1 as ev
from motcua_contracts.events import clock_v2
from motcua_contracts.events.common import Payload
from motcua_platform.auth import Principal
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.adapters import dossier_repo, history_repo
from workflow.adapters.events import Outgoing, stage_events
from workflow.application import clocks
from workflow.application.clock_events import moved
from workflow.application.context import Context
from workflow.domain.access import Scope, may_apologise
from workflow.domain.clock_view import derive, with_event
from workflow.domain.errors import Conflict, DomainError, dossier_not_found

_STATUS = {"apology_twice": 409, "clock_closed": 409, "events_out_of_order": 409}


@dataclass(frozen=True)
class ApologyResult:
    dossier_code: str
    issued_at: datetime
    old_due_at: datetime
    new_due_at: datetime
    late: bool


async def issue_apology(
    session: AsyncSession,
    ctx: Context,
    *,
    principal: Principal,
    scope: Scope,
    tenant_id: str,
    dossier_id: str,
    reason_code: ev.ApologyReason,
    reason_vi: str,
    new_due_at: datetime,
) -> ApologyResult:
    """Once only, to a later date; issued after the legal limit it is flagged late."""
    row = await dossier_repo.lock(session, dossier_id)
    # The resolving unit, whose clock it is, apologises (the receiving desk only reads it).
    if row is None or clocks.owner(row) != tenant_id or not _allowed(scope, tenant_id):
        raise dossier_not_found()
    may_apologise(principal, row.holder_id)
    if not row.is_open:
        raise Conflict("clock.closed", "Hồ sơ đã có kết quả hoặc đã dừng, không thể xin lỗi.")
    if await history_repo.apology_of(session, dossier_id) is not None:
        raise Conflict("apology.already_issued", "Chỉ được hẹn lại ngày trả kết quả một lần.")
    now = ctx.clock.now()
    loaded = await clocks.load(session, ctx, row)
    try:
        # The promised moment as the library reads it (a bare date: close of that day), so
        # the event on the topic and the stored fact are the same moment; never on the day
        # of issue or in the past when the current due is today or gone (same-day procedures).
        promised = apology_new_due(loaded.calendar, now, row.due_at, new_due_at)
        state = with_event(loaded.state, ClockEvent.apology(now, promised))
    except ClockRuleViolation as exc:
        error = Conflict if _STATUS.get(exc.code) == 409 else DomainError
        raise error(f"apology.{exc.code}", exc.message_vi, field="new_due_at") from exc
    derived = derive(state, row.step_key, outcome=row.outcome)
    event_id = uuid.uuid4()
    await history_repo.record(session, dossier_id, str(event_id), state.events[-1], now)
    result = ApologyResult(
        row.dossier_code, now, row.due_at, derived.snapshot.due_at, state.apology_late
    )
    await history_repo.add_apology(
        session,
        {
            "dossier_id": dossier_id,
            "tenant_id": tenant_id,
            "issued_at": now,
            "issued_by": principal.subject,
            "reason_code": reason_code.value,
            "reason_vi": reason_vi,
            "old_due_at": row.due_at,
            "new_due_at": result.new_due_at,
            "late": result.late,
        },
    )
    payloads: list[Payload] = [
        clock_v2.ApologyIssued(
            dossier_code=row.dossier_code,
            issued_at=now,
            issued_by=principal.subject,
            reason_code=reason_code,
            reason_vi=reason_vi,
            old_due_at=row.due_at,
            new_due_at=result.new_due_at,
            late=result.late,
        )
    ]
    change = moved(row, derived, ev.DeadlineCause.APOLOGY, now)
    if change is not None:
        payloads.append(change)
    await clocks.save(session, row, derived, now=now, extra={"seq": row.seq + len(payloads)})
    await stage_events(
        session,
        [
            Outgoing(tenant_id, dossier_id, row.seq + i + 1, now, p, event_id if i == 0 else None)
            for i, p in enumerate(payloads)
        ],
    )
    return result


def _allowed(scope: Scope, tenant_id: str) -> bool:
    return scope.tenant_ids is None or tenant_id in scope.tenant_ids
