"""Use case: units A and B become C. Open dossiers move to C with code, history and deadlines.

1. One transaction: C is created or checked, A and B become `merged` (merged_into = C), one
   TenantConfigured each. From then on A's and B's desks refuse new dossiers.
2. Then one transaction per batch of open dossiers: receiving and/or resolving unit A/B
   becomes C, the control sheet gets a "reassign" row, history rows follow the dossier, and
   one DossierReassigned is staged per dossier. Closed dossiers stay with A and B as they were.

Running the same merger again is harmless: it publishes nothing new and moves only dossiers
that were still left (e.g. registered on another replica before it saw the merger).

A merger whose `effective_at` is still ahead is checked and recorded, nothing else: A and B
keep receiving, nothing moves and nothing is published until that moment, when the `timers`
role applies it (`apply_due_mergers`) exactly as above (issue 17).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from motcua_contracts.events.dossiers_v1 import DossierReassigned

from intake.adapters import merger_repo, tenant_repo
from intake.adapters.events import stage_event
from intake.adapters.history_repo import AuditRow, StepRow, add_audit, add_step
from intake.adapters.transaction import Transaction, Transactions
from intake.application.commands import ConfigureTenant, MergeTenants
from intake.application.configure_tenant import StatutoryDaysOn, configure_tenant, publish
from intake.domain.errors import Conflict, DomainError, NotFound
from intake.domain.lifecycle import CLOSED
from intake.domain.tenants import RECEIVING, TenantStatus

# Closed dossiers (lifecycle.CLOSED) are history: they stay with the unit that handled them.
BATCH = 200
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MergeReport:
    target: str
    sources: tuple[str, ...]
    moved: int
    closed_kept: int
    scheduled: bool = False  # recorded for a future effective date; nothing moved yet


def _to_json(cmd: MergeTenants) -> str:
    return json.dumps(
        {
            "sources": list(cmd.sources),
            "target": cmd.target,
            "effective_at": cmd.effective_at.isoformat(),
            "target_config": asdict(cmd.target_config) if cmd.target_config else None,
        },
        ensure_ascii=False,
    )


def _from_json(raw: str) -> MergeTenants:
    data = json.loads(raw)
    config = data.get("target_config")
    return MergeTenants(
        tuple(data["sources"]),
        data["target"],
        datetime.fromisoformat(data["effective_at"]),
        ConfigureTenant(**config) if config else None,
    )


async def _check_sources(
    session: Transaction, sources: tuple[str, ...], cmd: MergeTenants, province: str
) -> None:
    for tenant_id in sources:
        source = await tenant_repo.get_tenant(session, tenant_id)
        if source is None:
            raise NotFound(
                "tenant.unknown", f"Không tìm thấy đơn vị “{tenant_id}”.", field="sources"
            )
        if source.province_code != province:
            raise DomainError(
                "merge.other_province",
                "Chỉ sáp nhập các đơn vị trong cùng một tỉnh.",
                field="sources",
            )
        if source.status == TenantStatus.MERGED and source.merged_into != cmd.target:
            raise Conflict(
                "merge.already_merged",
                f"Đơn vị “{tenant_id}” đã được sáp nhập vào “{source.merged_into}”.",
                field="sources",
            )


async def schedule_merger(
    sessions: Transactions,
    cmd: MergeTenants,
    *,
    now: datetime,
    actor: str,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> MergeReport:
    """A merger effective later: checked now (the operator hears of a mistake at once),
    recorded, applied by `apply_due_mergers` when its moment comes."""
    sources = _sources(cmd)
    async with sessions() as session, session.begin():
        target = await tenant_repo.get_tenant(session, cmd.target)
        if cmd.target_config is not None:
            if cmd.target_config.tenant_id != cmd.target:
                raise DomainError(
                    "merge.target_mismatch",
                    "Cấu hình đơn vị mới không khớp mã đơn vị.",
                    field="target",
                )
            province = cmd.target_config.province_code
        elif target is None:
            raise NotFound(
                "tenant.unknown",
                "Không tìm thấy đơn vị nhận sáp nhập; gửi kèm cấu hình (target_config) để tạo mới.",
                field="target",
            )
        else:
            if target.status not in RECEIVING:
                raise Conflict(
                    "merge.target_not_receiving",
                    "Đơn vị nhận sáp nhập phải đang hoạt động hoặc thí điểm.",
                    field="target",
                )
            province = target.province_code
        await _check_sources(session, sources, cmd, province)
        pending = await merger_repo.pending_commands(session, cmd.target)
        if not any(_from_json(raw) == cmd for raw in pending):  # the same request again
            await merger_repo.record(
                session,
                merger_id=new_id(),
                target=cmd.target,
                command=_to_json(cmd),
                effective_at=cmd.effective_at,
                recorded_at=now,
                recorded_by=actor[:200],
            )
    return MergeReport(cmd.target, sources, 0, 0, scheduled=True)


async def apply_due_mergers(
    sessions: Transactions,
    *,
    now: datetime,
    statutory_days: StatutoryDaysOn,
    after_commit: Callable[[], None] = lambda: None,
) -> list[MergeReport]:
    """The mergers whose effective moment has come, applied in the order of their dates."""
    async with sessions() as session:
        due = await merger_repo.due(session, now)
    reports = []
    for merger_id, raw in due:
        cmd = _from_json(raw)
        try:
            report = await merge_tenants(
                sessions,
                cmd,
                now=now,
                actor="merger-schedule",
                statutory_days=statutory_days,
                after_commit=after_commit,
            )
        except DomainError as exc:
            # Changed since it was recorded (a source merged elsewhere): the operator decides.
            log.warning("scheduled merger %s not applied: %s", merger_id, exc.code)
            continue
        # Applying twice is harmless (see above): a crash here only repeats the merger.
        async with sessions() as session, session.begin():
            await merger_repo.mark_applied(session, merger_id, now)
        reports.append(report)
    return reports


def _sources(cmd: MergeTenants) -> tuple[str, ...]:
    sources = tuple(dict.fromkeys(cmd.sources))
    if len(sources) < 1 or cmd.target in sources:
        raise DomainError(
            "merge.sources_invalid",
            "Cần ít nhất một đơn vị bị sáp nhập, khác với đơn vị nhận sáp nhập.",
            field="sources",
        )
    return sources


async def merge_tenants(
    sessions: Transactions,
    cmd: MergeTenants,
    *,
    now: datetime,
    actor: str,
    statutory_days: StatutoryDaysOn,
    batch: int = BATCH,
    after_commit: Callable[[], None] = lambda: None,
) -> MergeReport:
    """Marks the sources merged, then moves their open dossiers to the target in batches;
    a merger effective later is only recorded (`schedule_merger`)."""
    if cmd.effective_at > now:
        return await schedule_merger(sessions, cmd, now=now, actor=actor)
    sources = _sources(cmd)
    async with sessions() as session, session.begin():
        target = await _target(session, cmd, now=now, statutory_days=statutory_days)
        for tenant_id in sources:
            source = await tenant_repo.get_tenant(session, tenant_id, for_update=True)
            if source is None:
                raise NotFound(
                    "tenant.unknown", f"Không tìm thấy đơn vị “{tenant_id}”.", field="sources"
                )
            if source.province_code != target.province_code:
                raise DomainError(
                    "merge.other_province",
                    "Chỉ sáp nhập các đơn vị trong cùng một tỉnh.",
                    field="sources",
                )
            if source.status == TenantStatus.MERGED:
                if source.merged_into != cmd.target:
                    raise Conflict(
                        "merge.already_merged",
                        f"Đơn vị “{tenant_id}” đã được sáp nhập vào “{source.merged_into}”.",
                        field="sources",
                    )
                continue  # the same merger again
            merged = replace(source, status=TenantStatus.MERGED.value, merged_into=cmd.target)
            await publish(session, merged, now=now, new=False)
    after_commit()
    moved = 0
    while True:
        async with sessions() as session, session.begin():
            count = await _move_batch(session, sources, cmd, now=now, actor=actor, limit=batch)
        after_commit()
        moved += count
        if count < batch:
            break
    async with sessions() as session:
        kept = await merger_repo.count_of(session, sources)
    return MergeReport(cmd.target, sources, moved, kept)


async def _target(
    session: Transaction, cmd: MergeTenants, *, now: datetime, statutory_days: StatutoryDaysOn
) -> tenant_repo.TenantRow:
    if cmd.target_config is not None:
        if cmd.target_config.tenant_id != cmd.target:
            raise DomainError(
                "merge.target_mismatch", "Cấu hình đơn vị mới không khớp mã đơn vị.", field="target"
            )
        configured, _ = await configure_tenant(
            session, cmd.target_config, now=now, statutory_days=statutory_days
        )
        return configured
    row = await tenant_repo.get_tenant(session, cmd.target, for_update=True)
    if row is None:
        raise NotFound(
            "tenant.unknown",
            "Không tìm thấy đơn vị nhận sáp nhập; gửi kèm cấu hình (target_config) để tạo mới.",
            field="target",
        )
    if row.status not in RECEIVING:
        raise Conflict(
            "merge.target_not_receiving",
            "Đơn vị nhận sáp nhập phải đang hoạt động hoặc thí điểm.",
            field="target",
        )
    return row


async def _move_batch(
    session: Transaction,
    sources: tuple[str, ...],
    cmd: MergeTenants,
    *,
    now: datetime,
    actor: str,
    limit: int,
) -> int:
    rows = await merger_repo.open_batch(
        session, sources, closed=[s.value for s in CLOSED], limit=limit
    )
    for d in rows:
        receiving = cmd.target if d.tenant_id in sources else d.tenant_id
        resolving = (
            cmd.target
            if (d.resolving_tenant_id or d.tenant_id) in sources
            else (d.resolving_tenant_id or d.tenant_id)
        )
        version = d.version + 1
        # The history follows the dossier, so C's staff read it whole.
        await merger_repo.reassign(
            session, d.dossier_id, receiving=receiving, resolving=resolving, version=version, at=now
        )
        await add_step(
            session,
            dossier_id=d.dossier_id,
            tenant_id=receiving,
            step=StepRow(
                version,
                now,
                "reassign",
                d.status,
                d.tenant_id,
                cmd.target,
                None,
                "Sáp nhập đơn vị hành chính",
                None,
            ),
        )
        changes: list[tuple[str, str | None, str]] = [("tenant_id", d.tenant_id, receiving)]
        changes.append(("resolving_tenant_id", d.resolving_tenant_id, resolving))
        await add_audit(
            session,
            dossier_id=d.dossier_id,
            tenant_id=receiving,
            rows=[
                AuditRow(now, actor, "reassign", f, old, new)
                for f, old, new in changes
                if old != new
            ],
        )
        from_tenant = d.tenant_id if d.tenant_id in sources else (d.resolving_tenant_id or "")
        await stage_event(
            session,
            tenant_id=receiving,
            dossier_id=d.dossier_id,
            aggregate_version=version,
            occurred_at=now,
            payload=DossierReassigned(
                dossier_code=d.code,
                from_tenant_id=from_tenant,
                to_tenant_id=cmd.target,
                reassigned_at=now,
                effective_at=cmd.effective_at,
                receiving_tenant_id=receiving,
                resolving_tenant_id=resolving,
            ),
        )
    return len(rows)
