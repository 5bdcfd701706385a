"""The one way a dossier changes state: check, update, control sheet, audit, event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from motcua_contracts.events.common import Payload
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import dossier_repo, history_repo
from intake.adapters.events import stage_event
from intake.adapters.history_repo import AuditRow, StepRow
from intake.adapters.records import DossierRecord
from intake.domain.access import Principal, TenantScope, check_side
from intake.domain.lifecycle import Action, next_status

# Never copied into the audit trail: who collected a result is personal data.
_NOT_AUDITED = frozenset({"returned_to", "updated_at", "version"})


@dataclass(frozen=True)
class Hop:
    """Control-sheet fields for this step; sender defaults to the acting official."""

    sender: str | None = None
    receiver: str | None = None
    step_key: str | None = None
    note: str | None = None


def _timeliness(at: datetime, due_at: datetime) -> str:
    return "late" if at > due_at else "on_time"


@dataclass(frozen=True)
class Target:
    """Which dossier, seen by whom, when: the common arguments of every desk command."""

    scope: TenantScope
    tenant_id: str
    dossier_id: str
    actor: Principal
    now: datetime


async def transition(
    session: AsyncSession,
    target: Target,
    action: Action,
    *,
    changes: Callable[[DossierRecord], dict[str, Any]],
    event: Callable[[DossierRecord], Payload],
    hop: Hop = Hop(),
) -> DossierRecord:
    """Applies `action` or raises InvalidTransition (409 with the allowed actions)."""
    dossier_id, actor, now = target.dossier_id, target.actor, target.now
    before = await dossier_repo.get_dossier(session, target.scope, target.tenant_id, dossier_id)
    check_side(target.tenant_id, before.tenant_id, before.resolving_tenant_id, action.value)
    status = next_status(before.status, action, before.guards)
    values = {**changes(before), "status": status.value, "version": before.version + 1}
    values["updated_at"] = now
    await dossier_repo.update_dossier(session, dossier_id, before.version, values)
    after = replace(before, **{k: v for k, v in values.items() if k in _RECORD_FIELDS})
    after = replace(after, status=status)
    await history_repo.add_step(
        session,
        dossier_id=dossier_id,
        tenant_id=before.tenant_id,
        step=StepRow(
            seq=after.version,
            at=now,
            action=action.value,
            status_after=status.value,
            sender=hop.sender or actor.subject,
            receiver=hop.receiver,
            step_key=hop.step_key,
            note=hop.note,
            timeliness=_timeliness(now, before.due_at),
        ),
    )
    await history_repo.add_audit(
        session,
        dossier_id=dossier_id,
        tenant_id=before.tenant_id,
        rows=audit_rows(before, values, actor=actor.subject, action=action.value, at=now),
    )
    await stage_event(
        session,
        tenant_id=before.tenant_id,
        dossier_id=dossier_id,
        aggregate_version=after.version,
        occurred_at=now,
        payload=event(after),
    )
    return after


def audit_rows(
    before: DossierRecord, values: dict[str, Any], *, actor: str, action: str, at: datetime
) -> list[AuditRow]:
    rows = []
    for key, new in values.items():
        if key in _NOT_AUDITED:
            continue
        old = getattr(before, key, None)
        if _text(old) != _text(new):
            rows.append(AuditRow(at, actor, action, key, _text(old), _text(new)))
    return rows


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value.value if hasattr(value, "value") else value)


_RECORD_FIELDS = frozenset(DossierRecord.__dataclass_fields__) - {"status"}
