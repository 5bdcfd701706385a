"""Form 02 (supplement request) and Form 03 (refusal): what is printed, gathered in one place.

Like the receipt (Form 01), each is composed when the desk prints it, from the dossier as it
stands; the moment printed on it is the moment the desk took the decision (its step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.adapters import dossier_repo, tenant_repo
from intake.adapters.dossier_store import SqlDossiers
from intake.adapters.transaction import Transaction
from intake.application.ports import StatutoryClock
from intake.domain.access import TenantScope
from intake.domain.errors import Conflict
from intake.domain.lifecycle import Action, Status


@dataclass(frozen=True)
class DeskForm:
    form: str  # "02" | "03"
    agency_name: str
    code: str
    applicant_name: str
    applicant_address: str
    procedure_name: str
    received_at: datetime
    issued_at: datetime
    items: tuple[str, ...]  # Form 02: everything missing; Form 03: the reasons


async def build_form(
    session: Transaction,
    *,
    scope: TenantScope,
    tenant_id: str,
    dossier_id: str,
    form: str,
    clock: StatutoryClock,
) -> DeskForm:
    d = await dossier_repo.get_dossier(session, scope, tenant_id, dossier_id)
    if form == "02":
        if d.supplements_requested == 0 or not d.missing_items:
            raise Conflict(
                "form.no_supplement_request",
                "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nên chưa có phiếu Mẫu 02.",
            )
        items = tuple(d.missing_items)
        action = Action.REQUEST_SUPPLEMENT
    else:
        if d.status is not Status.REFUSED:
            raise Conflict(
                "form.not_refused",
                "Hồ sơ không bị từ chối tiếp nhận nên không có phiếu Mẫu 03.",
            )
        items = tuple(x for x in (d.reason_text or "").split("\n") if x.strip())
        action = Action.REFUSE
    issued = (
        await SqlDossiers(session).last_step_at(d.dossier_id, action.value)
        or d.completed_at
        or d.received_at
    )
    tenant = await tenant_repo.get_tenant(session, d.tenant_id, cached=True)
    procedure = clock.procedure(d.procedure_code, d.procedure_version)
    return DeskForm(
        form=form,
        agency_name=tenant.name_vi if tenant else d.tenant_id,
        code=d.code,
        applicant_name=d.applicant_name,
        applicant_address=d.applicant_address or "",
        procedure_name=procedure.name_vi,
        received_at=d.received_at,
        issued_at=issued,
        items=items,
    )
