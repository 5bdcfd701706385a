"""Records to response bodies, deciding per role how much personal data to show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.adapters.history_repo import AuditRow, StepRow
from intake.adapters.tenant_repo import TenantRow
from intake.domain.access import STAFF, Principal
from intake.domain.applicant import mask_name
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import (
    STATUS_VI,
    TIMELINESS_VI,
    action_vi,
    allowed_actions,
    status_vi,
)
from intake.entrypoints.actions import paths
from intake.entrypoints.deps import IntakeDeps
from intake.entrypoints.schemas_out import (
    ApplicantOut,
    AuditOut,
    DocumentOut,
    DossierOut,
    DossierSummaryOut,
    StepOut,
    TenantOut,
)


def _sees_personal_data(principal: Principal) -> bool:
    return principal.has(*STAFF)


def _summary_fields(d: Dossier, principal: Principal, now: datetime) -> dict[str, Any]:
    name = d.applicant_name if _sees_personal_data(principal) else mask_name(d.applicant_name)
    return {
        "dossier_id": d.dossier_id,
        "tenant_id": d.tenant_id,
        "resolving_tenant_id": d.resolving_tenant_id,
        "code": d.code,
        "procedure_code": d.procedure_code,
        "field_code": d.field_code,
        "channel": d.channel,
        "status": d.status.value,
        "status_vi": STATUS_VI[d.status],
        "received_at": d.received_at,
        "due_at": d.due_at,
        "late": d.is_late(now),
        "applicant_name": name,
    }


def summary(d: Dossier, principal: Principal, now: datetime) -> DossierSummaryOut:
    return DossierSummaryOut(**_summary_fields(d, principal, now))


def detail(d: Dossier, principal: Principal, deps: IntakeDeps) -> DossierOut:
    staff = _sees_personal_data(principal)
    applicant = (
        ApplicantOut(
            full_name=d.applicant_name,
            id_number=d.applicant_id_number,
            date_of_birth=d.applicant_dob,
            phone=d.applicant_phone,
            email=d.applicant_email,
            address=d.applicant_address,
        )
        if staff
        else None
    )
    url = deps.public_url(deps.tokens.token(d.lookup_nonce)) if staff and d.lookup_nonce else None
    return DossierOut(
        **_summary_fields(d, principal, deps.clock.now()),
        procedure_version=d.procedure_version,
        version=d.version,
        verification_required=d.verification_required,
        accepted_at=d.accepted_at,
        supplements_requested=d.supplements_requested,
        missing_items=d.missing_items,
        reason_codes=d.reason_codes,
        reason_text=d.reason_text,
        decision=d.decision,
        handler_unit_id=d.handler_unit_id,
        handler_official_id=d.handler_official_id,
        completed_at=d.completed_at,
        returned_at=d.returned_at,
        return_method=d.return_method,
        apology_new_due_at=d.apology_new_due_at,
        apology_reason_vi=d.apology_reason_vi,
        rated=d.rated,
        documents=[DocumentOut(**doc) for doc in d.documents],
        applicant=applicant,
        allowed_transitions=paths(allowed_actions(d.status, d.guards)),
        public_url=url,
    )


def step(row: StepRow) -> StepOut:
    return StepOut(
        **vars(row),
        action_vi=action_vi(row.action),
        status_after_vi=status_vi(row.status_after),
        timeliness_vi=TIMELINESS_VI.get(row.timeliness, row.timeliness) if row.timeliness else None,
    )


def audit(row: AuditRow) -> AuditOut:
    return AuditOut(**vars(row), action_vi=action_vi(row.action))


def tenant(row: TenantRow, change: str | None = None) -> TenantOut:
    return TenantOut(**vars(row), change=change)  # type: ignore[arg-type]
