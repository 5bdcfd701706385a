"""The SQL repository of the Dossier aggregate (`application.ports.Dossiers`).

Saving a `Change` writes, in the caller's transaction: the dossier row (optimistic on its
version), its control-sheet row, its audit rows and its event in the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import dossier_repo, history_repo, records
from intake.adapters.events import event_row, stage_event
from intake.adapters.history_repo import AuditRow, StepRow
from intake.adapters.registration_store import insert_registration
from intake.adapters.tables import dossier_steps
from intake.domain.access import TenantScope
from intake.domain.dossier import Change, Dossier

# Never copied into the audit trail: who collected a result is personal data.
_NOT_AUDITED = frozenset({"returned_to", "updated_at", "version", "apology_clock_version"})


class SqlDossiers:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, scope: TenantScope, tenant_id: str, dossier_id: str) -> Dossier:
        return await dossier_repo.get_dossier(self.session, scope, tenant_id, dossier_id)

    async def find_unscoped(self, dossier_id: str) -> Dossier | None:
        return await dossier_repo.find_by_id_unscoped(self.session, dossier_id)

    async def find_idempotent(self, tenant_id: str, key: str) -> tuple[str, str] | None:
        return await dossier_repo.find_idempotent(self.session, tenant_id, key)

    async def last_step_at(self, dossier_id: str, action: str) -> datetime | None:
        s = dossier_steps
        return await self.session.scalar(
            select(s.c.at)
            .where(s.c.dossier_id == dossier_id, s.c.action == action)
            .order_by(s.c.seq.desc())
            .limit(1)
        )

    async def add(
        self, change: Change, *, lookup_hash: str, idempotency: dict[str, Any] | None
    ) -> None:
        """A dossier just registered: its row, first sheet row, outbox row (and the key)."""
        d = change.after
        await insert_registration(
            self.session,
            dossier=records.new_row(d, lookup_hash=lookup_hash),
            step={"dossier_id": d.dossier_id, "tenant_id": d.tenant_id, **vars(_sheet(change))},
            outbox_row=event_row(
                tenant_id=d.tenant_id,
                dossier_id=d.dossier_id,
                aggregate_version=d.version,
                occurred_at=change.at,
                payload=change.event,  # type: ignore[arg-type]
            ),
            idempotency=idempotency,
        )

    async def save(self, change: Change, *, rating: dict[str, Any] | None = None) -> None:
        before, after = change.before, change.after
        assert before is not None, "a registration is added, not saved"
        values = {**change.values, "updated_at": change.at}
        await dossier_repo.update_dossier(
            self.session, after.dossier_id, before.version, records.encode(values)
        )
        if change.hop is not None:
            await history_repo.add_step(
                self.session,
                dossier_id=after.dossier_id,
                tenant_id=before.tenant_id,
                step=_sheet(change),
            )
        if rating is not None:
            await history_repo.insert_rating(
                self.session,
                {"dossier_id": after.dossier_id, "tenant_id": after.tenant_id, **rating},
            )
        await self._audit(change)
        if change.event is not None:
            await stage_event(
                self.session,
                tenant_id=before.tenant_id,
                dossier_id=after.dossier_id,
                aggregate_version=after.version,
                occurred_at=change.at,
                payload=change.event,
            )

    async def save_apology(self, change: Change) -> bool:
        """False when a newer apology was stored meanwhile (the update is conditional)."""
        a = change.after
        assert a.apology_new_due_at is not None and a.apology_clock_version is not None
        stored = await dossier_repo.apply_apology(
            self.session,
            a.dossier_id,
            clock_version=a.apology_clock_version,
            new_due_at=a.apology_new_due_at,
            reason_vi=change.values.get("apology_reason_vi"),
        )
        if stored:
            await self._audit(change, only=("apology_new_due_at",))
        return stored

    async def _audit(self, change: Change, only: tuple[str, ...] | None = None) -> None:
        await history_repo.add_audit(
            self.session,
            dossier_id=change.after.dossier_id,
            tenant_id=(change.before or change.after).tenant_id,
            rows=audit_rows(change, only),
        )


def _sheet(change: Change) -> StepRow:
    hop = change.hop
    assert hop is not None
    return StepRow(
        seq=change.after.version,
        at=change.at,
        action=change.action,
        status_after=change.after.status.value,
        sender=hop.sender if change.before is None else (hop.sender or change.actor),
        receiver=hop.receiver,
        step_key=hop.step_key,
        note=hop.note,
        timeliness=change.timeliness,
    )


def audit_rows(change: Change, only: tuple[str, ...] | None = None) -> list[AuditRow]:
    rows = []
    for key, new in change.values.items():
        if key in _NOT_AUDITED or (only is not None and key not in only):
            continue
        old = getattr(change.before, key, None)
        if _text(old) != _text(new):
            rows.append(
                AuditRow(change.at, change.actor, change.action, key, _text(old), _text(new))
            )
    return rows


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value.value if hasattr(value, "value") else value)
