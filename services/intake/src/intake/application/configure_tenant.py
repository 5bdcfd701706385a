"""Use case: onboard or reconfigure one commune-level unit, and publish it on the tenants topic.

The same configuration twice changes nothing (no revision, no event). Every real change
raises the revision by one and stages one TenantConfigured in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from motcua_contracts.events.tenants_v1 import LeaderOnDuty, OfficeHoursV1, ProcedurePromise
from motcua_contracts.events.tenants_v2 import DutyRoster, TenantConfigured

from intake.adapters import tenant_repo
from intake.adapters.events import event_row
from intake.adapters.tenant_repo import TenantRow
from intake.adapters.transaction import Transaction
from intake.application.commands import ConfigureTenant
from intake.domain.errors import Conflict, NotFound
from intake.domain.tenants import (
    Configuration,
    FieldProblem,
    InvalidTenant,
    Promise,
    TenantStatus,
    check_transition,
    problems_of,
)

StatutoryDaysOn = Callable[[str, date], float | None]


class Outcome(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


async def configure_tenant(
    session: Transaction,
    cmd: ConfigureTenant,
    *,
    now: datetime,
    statutory_days: StatutoryDaysOn,
    allow_merged: bool = False,
) -> tuple[TenantRow, Outcome]:
    """Validates, stores and (if anything changed) publishes the configuration."""
    current, owner = await tenant_repo.get_for_change(session, cmd.tenant_id, cmd.agency_code)
    wanted = TenantStatus(cmd.status) if cmd.status else None
    if current is not None and current.status == TenantStatus.MERGED and not allow_merged:
        raise Conflict(
            "tenant.merged_final",
            f"Đơn vị đã được sáp nhập vào “{current.merged_into}”; không thể cấu hình lại.",
            field="status",
        )
    if wanted is TenantStatus.MERGED and not allow_merged:
        raise Conflict(
            "tenant.merge_by_operation",
            "Sáp nhập đơn vị dùng chức năng sáp nhập (POST /api/v1/tenants/merge), "
            "để các hồ sơ đang giải quyết được chuyển sang đơn vị mới.",
            field="status",
        )
    # A new unit is in service unless the operator says it is a pilot (status "pilot").
    status = wanted or (TenantStatus(current.status) if current else TenantStatus.ACTIVE)
    if not allow_merged:
        check_transition(TenantStatus(current.status) if current else None, status)
    today = now.date()
    problems = problems_of(_configuration(cmd), lambda code: statutory_days(code, today))
    if owner is not None:
        problems.append(
            FieldProblem(
                "agency_code",
                "tenant.agency_code_taken",
                f"Mã định danh cơ quan đã được đơn vị “{owner}” sử dụng.",
            )
        )
    if problems:
        raise InvalidTenant(problems)
    row = TenantRow(
        tenant_id=cmd.tenant_id,
        name_vi=cmd.name_vi,
        unit_type=cmd.unit_type,
        agency_code=cmd.agency_code,
        status=status.value,
        config=with_duty(cmd.config, cmd.tenant_id, current.config if current else None),
        province_code=cmd.province_code,
        unit_code=cmd.unit_code,
        revision=current.revision if current else 0,
        merged_into=current.merged_into if current else None,
    )
    if current is not None and current.same_configuration(row):
        return current, Outcome.UNCHANGED
    return await publish(session, row, now=now, new=current is None), (
        Outcome.CREATED if current is None else Outcome.CHANGED
    )


def default_leader(tenant_id: str) -> dict[str, str]:
    """The commune's duty account: escalations always name a recipient, even before the
    commune's leader has set the roster (notify finds its contact in the staff settings)."""
    return {"official_id": f"truc.{tenant_id}", "title_vi": "Lãnh đạo UBND trực"}


def with_duty(
    config: dict[str, Any], tenant_id: str, before: dict[str, Any] | None
) -> dict[str, Any]:
    """The duty roster is the commune leader's to set: a reconfiguration that does not send
    one keeps the current roster; a unit without a leader on duty gets its duty account."""
    out = dict(config)
    if out.get("duty_roster") is None:
        out["duty_roster"] = (before or {}).get("duty_roster") or {"weekdays": [], "dates": []}
    if not out.get("leader_on_duty"):
        out["leader_on_duty"] = (before or {}).get("leader_on_duty") or default_leader(tenant_id)
    return out


async def set_duty_roster(
    session: Transaction,
    tenant_id: str,
    roster: dict[str, Any],
    leader_on_duty: dict[str, Any] | None,
    *,
    now: datetime,
) -> tuple[TenantRow, Outcome]:
    """The commune's leader sets who is on duty: a new revision of the configuration."""
    current = await tenant_repo.get_tenant(session, tenant_id, for_update=True)
    if current is None:
        raise NotFound("tenant.unknown", "Không tìm thấy đơn vị hành chính cấp xã này.")
    if current.status == TenantStatus.MERGED:
        raise Conflict(
            "tenant.merged_final",
            f"Đơn vị đã được sáp nhập vào “{current.merged_into}”; không thể cấu hình lại.",
        )
    config = {**current.config, "duty_roster": roster}
    if leader_on_duty:
        config["leader_on_duty"] = leader_on_duty
    row = replace(current, config=config)
    if current.same_configuration(row):
        return current, Outcome.UNCHANGED
    return await publish(session, row, now=now, new=False), Outcome.CHANGED


async def publish(session: Transaction, row: TenantRow, *, now: datetime, new: bool) -> TenantRow:
    """Next revision: stored and staged as TenantConfigured (key = tenant id) together."""
    row = replace(row, revision=row.revision + 1, updated_at=now)
    event = event_row(
        tenant_id=row.tenant_id,
        dossier_id=None,
        aggregate_version=row.revision,
        occurred_at=now,
        payload=tenant_configured(row),
        schema_version=2,
    )
    await tenant_repo.save_tenant(session, row, now, new=new, outbox_row=event)
    return row


def tenant_configured(row: TenantRow) -> TenantConfigured:
    """The integration event: the whole truth about one unit; consumers replace, never merge."""
    c: dict[str, Any] = row.config
    hours = c.get("office_hours") or {}
    senders = dict(c.get("senders") or {})
    # Credentials are references (env:, file:, secret:); consumers resolve them themselves.
    senders |= {
        f"{channel}.credentials": ref for channel, ref in (c.get("credentials") or {}).items()
    }
    leader = c.get("leader_on_duty")
    return TenantConfigured(
        tenant_id=row.tenant_id,
        unit_code=row.unit_code or "",
        name_vi=row.name_vi,
        unit_type=row.unit_type,  # type: ignore[arg-type]
        province_code=row.province_code,
        agency_code=row.agency_code,
        status=row.status,  # type: ignore[arg-type]
        cohorts=list(c.get("cohorts") or []),
        office_hours=OfficeHoursV1(
            morning=tuple(hours.get("morning") or ("07:30", "11:30")),
            afternoon=(
                tuple(hours["afternoon"])
                if hours.get("afternoon") is not None
                else (None if "afternoon" in hours else ("13:30", "17:00"))
            ),
        ),
        closures=[date.fromisoformat(str(d)) for d in c.get("closures") or []],
        enabled_procedures=[
            ProcedurePromise.model_validate(p) for p in c.get("enabled_procedures") or []
        ],
        leader_on_duty=LeaderOnDuty.model_validate(leader) if leader else None,
        escalate_after_working_hours=float(c.get("escalate_after_working_hours", 4.0)),
        digest_time=str(c.get("digest_time", "07:30")),
        ceremony_slots=list(c.get("ceremony_slots") or []),
        duty_roster=DutyRoster.model_validate(c.get("duty_roster") or {}),
        senders=senders,
        merged_into=row.merged_into,
        revision=row.revision,
    )


def _configuration(cmd: ConfigureTenant) -> Configuration:
    c = cmd.config
    hours = c.get("office_hours") or {}
    morning = hours.get("morning") or ("07:30", "11:30")
    afternoon = hours.get("afternoon")
    return Configuration(
        tenant_id=cmd.tenant_id,
        agency_code=cmd.agency_code,
        office_morning=(str(morning[0]), str(morning[1])),
        office_afternoon=None if afternoon is None else (str(afternoon[0]), str(afternoon[1])),
        closures=tuple(date.fromisoformat(str(d)) for d in c.get("closures") or ()),
        promises=tuple(
            Promise(p["procedure_code"], p.get("promised_working_days"))
            for p in c.get("enabled_procedures") or ()
        ),
        cohorts=tuple(c.get("cohorts") or ()),
        senders=dict(c.get("senders") or {}),
        credentials=dict(c.get("credentials") or {}),
        templates=dict(c.get("templates") or {}),
    )
