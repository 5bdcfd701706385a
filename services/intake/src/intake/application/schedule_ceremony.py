"""Use case: the desk proposes (or moves) the date, time and place of the hand-over ceremony
of a birth or marriage certificate; one CeremonyScheduled tells notify to invite the family.

The same schedule twice changes nothing (no revision, no event, no second invitation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from motcua_contracts.events.dossiers_v1 import CeremonyOccasion, CeremonyScheduled

from intake.adapters import ceremony_repo, dossier_repo, history_repo, tenant_repo
from intake.adapters.ceremony_repo import CeremonyRow
from intake.adapters.events import stage_event
from intake.adapters.history_repo import AuditRow
from intake.adapters.transaction import Transaction
from intake.application.ports import StatutoryClock
from intake.application.transition import Target
from intake.domain.access import check_side
from intake.domain.ceremony import SCHEDULABLE, check_schedule, occasion_of
from intake.domain.errors import Conflict, NotFound
from intake.domain.lifecycle import Status

ACTION = "schedule_ceremony"


@dataclass(frozen=True)
class Ceremony:
    dossier_id: str
    dossier_code: str
    occasion: str
    ceremony_at: datetime
    place_vi: str
    revision: int
    change: str | None = None  # created | changed | unchanged, in the PUT's answer


async def get_ceremony(session: Transaction, target: Target, *, clock: StatutoryClock) -> Ceremony:
    d = await dossier_repo.get_dossier(session, target.scope, target.tenant_id, target.dossier_id)
    row = await ceremony_repo.find(session, d.dossier_id)
    if row is None:
        raise NotFound("ceremony.not_scheduled", "Hồ sơ này chưa được hẹn lịch tổ chức lễ trao.")
    occasion = occasion_of(clock.procedure(d.procedure_code, d.procedure_version).practices)
    return Ceremony(
        d.dossier_id, d.code, occasion or "", row.ceremony_at, row.place_vi, row.revision
    )


async def schedule_ceremony(
    session: Transaction,
    target: Target,
    *,
    ceremony_at: datetime,
    place_vi: str,
    clock: StatutoryClock,
) -> Ceremony:
    d = await dossier_repo.get_dossier(session, target.scope, target.tenant_id, target.dossier_id)
    # The desk that received the dossier returns the result, and hands it over.
    check_side(target.tenant_id, d.tenant_id, d.resolving_tenant_id, "return_result")
    occasion = occasion_of(clock.procedure(d.procedure_code, d.procedure_version).practices)
    if occasion is None:
        raise Conflict(
            "ceremony.not_applicable",
            "Thủ tục của hồ sơ này không tổ chức lễ trao giấy chứng nhận (chỉ khai sinh, kết hôn).",
        )
    if d.status not in SCHEDULABLE or d.decision not in (None, "approved"):
        raise Conflict(
            "ceremony.not_ready",
            "Chỉ hẹn lễ trao khi hồ sơ đã được giải quyết (chấp thuận) và chưa trả kết quả.",
        )
    tenant = await tenant_repo.get_tenant(session, d.tenant_id, cached=True)
    calendar = tenant.calendar if tenant is not None else {}
    working, within = clock.office_open(ceremony_at, calendar)
    schedule = check_schedule(
        ceremony_at, place_vi, now=target.now, working_day=working, office_hours=within
    )
    current = await ceremony_repo.find(session, d.dossier_id, for_update=True)
    if (
        current is not None
        and current.ceremony_at == schedule.ceremony_at
        and current.place_vi == schedule.place_vi
    ):
        return Ceremony(
            d.dossier_id,
            d.code,
            occasion,
            current.ceremony_at,
            current.place_vi,
            current.revision,
            "unchanged",
        )
    revision = 1 if current is None else current.revision + 1
    await ceremony_repo.store(
        session,
        d.dossier_id,
        tenant_id=d.tenant_id,
        ceremony=CeremonyRow(schedule.ceremony_at, schedule.place_vi, revision),
        at=target.now,
        by=target.actor.subject,
        exists=current is not None,
    )
    await history_repo.add_audit(
        session,
        dossier_id=d.dossier_id,
        tenant_id=d.tenant_id,
        rows=[
            AuditRow(
                target.now,
                target.actor.subject,
                ACTION,
                "ceremony_at",
                current.ceremony_at.isoformat() if current else None,
                schedule.ceremony_at.isoformat(),
            ),
            AuditRow(
                target.now,
                target.actor.subject,
                ACTION,
                "ceremony_place",
                current.place_vi if current else None,
                schedule.place_vi,
            ),
        ],
    )
    await stage_event(
        session,
        tenant_id=d.tenant_id,
        dossier_id=d.dossier_id,
        aggregate_version=d.version,
        occurred_at=target.now,
        payload=CeremonyScheduled(
            dossier_code=d.code,
            occasion=CeremonyOccasion(occasion),
            ceremony_at=schedule.ceremony_at,
            place_vi=schedule.place_vi,
            schedule_revision=revision,
            scheduled_at=target.now,
            ready_at=d.completed_at if d.status is Status.RESULT_READY else None,
        ),
    )
    return Ceremony(
        d.dossier_id,
        d.code,
        occasion,
        schedule.ceremony_at,
        schedule.place_vi,
        revision,
        "created" if current is None else "changed",
    )
