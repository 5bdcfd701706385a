"""Use case: register a dossier, with its event, in one transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict
from datetime import datetime

from motcua_contracts.events.dossiers_v1 import DossierReceived
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import dossier_repo, tenant_repo
from intake.adapters.events import event_row
from intake.adapters.history_repo import StepRow
from intake.adapters.records import DossierRecord
from intake.adapters.registration_store import insert_registration
from intake.adapters.tenant_repo import TenantRow
from intake.application.commands import RegisterDossier
from intake.application.lookup_tokens import LookupTokens
from intake.application.ports import StatutoryClock
from intake.domain.access import Principal, TenantScope
from intake.domain.applicant import fold
from intake.domain.dossier import format_dossier_code
from intake.domain.errors import Conflict, DomainError, NotFound
from intake.domain.lifecycle import Status
from intake.domain.tenants import RECEIVING, TenantStatus, refuse_new_dossiers
from intake.domain.time import VN


async def register_dossier(
    session: AsyncSession,
    cmd: RegisterDossier,
    *,
    actor: Principal,
    scope: TenantScope,
    now: datetime,
    clock: StatutoryClock,
    tokens: LookupTokens,
) -> DossierRecord:
    """Validates, numbers and stores the dossier and stages `DossierReceived`."""
    applicant = cmd.applicant.checked(now.astimezone(VN).date())
    if not cmd.documents:
        raise DomainError(
            "documents.required", "Cần kê khai ít nhất một thành phần hồ sơ.", field="documents"
        )
    request_hash = _hash(cmd) if cmd.idempotency_key else ""
    if cmd.idempotency_key:
        earlier = await dossier_repo.find_idempotent(session, cmd.tenant_id, cmd.idempotency_key)
        if earlier is not None:
            if earlier[0] != request_hash:
                raise Conflict(
                    "idempotency_key.reused",
                    "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác.",
                )
            return await dossier_repo.get_dossier(session, scope, cmd.tenant_id, earlier[1])
    tenant = await tenant_repo.get_tenant(session, cmd.tenant_id, cached=True)
    if tenant is None:
        raise NotFound("tenant.unknown", "Không tìm thấy đơn vị hành chính cấp xã này.")
    refusal = refuse_new_dossiers(TenantStatus(tenant.status), tenant.merged_into)
    if refusal is not None:
        raise refusal
    resolving = await _resolving_unit(session, tenant, cmd.resolving_tenant_id)
    # The statutory time runs at the resolving unit: its office hours, closures and its own
    # shorter promise for the procedure count (fixed for the dossier at receipt).
    promised = resolving.promise_for(cmd.procedure_code)
    terms = clock.terms_for(
        procedure_code=cmd.procedure_code,
        received_at=now,
        tenant_config=resolving.calendar,
        verification=cmd.verification_required,
        promised_working_days=promised,
    )
    local_day = now.astimezone(VN).date()
    sequence = await tenant_repo.next_sequence(session, cmd.tenant_id, local_day)
    dossier_id = str(uuid.uuid4())
    code = format_dossier_code(tenant.agency_code, local_day, sequence)
    nonce = tokens.new_nonce()
    values = {
        "dossier_id": dossier_id,
        "tenant_id": cmd.tenant_id,
        "resolving_tenant_id": resolving.tenant_id,
        "code": code,
        "procedure_code": terms.procedure_code,
        "procedure_version": terms.procedure_version,
        "field_code": terms.field_code,
        "channel": cmd.channel.value,
        "status": Status.RECEIVED.value,
        "version": 1,
        "received_at": now,
        "due_at": terms.due_at,
        "verification_required": cmd.verification_required,
        "promised_working_days": promised,
        "documents": [
            {"name": d.name, "form": d.form.value, "copies": d.copies} for d in cmd.documents
        ],
        "applicant_name": applicant.full_name,
        "applicant_name_folded": fold(applicant.full_name),
        "applicant_id_number": applicant.id_number,
        "applicant_dob": applicant.date_of_birth,
        "applicant_phone": applicant.phone,
        "applicant_email": applicant.email,
        "applicant_address": applicant.address,
        "lookup_nonce": nonce,
        "lookup_hash": tokens.hash(tokens.token(nonce)),
        "updated_at": now,
    }
    step = StepRow(
        1, now, "register", Status.RECEIVED.value, None, actor.subject, None, None, "on_time"
    )
    event = event_row(
        tenant_id=cmd.tenant_id,
        dossier_id=dossier_id,
        aggregate_version=1,
        occurred_at=now,
        payload=DossierReceived(
            dossier_code=code,
            procedure_code=terms.procedure_code,
            procedure_version=terms.procedure_version,
            field_code=terms.field_code,
            channel=cmd.channel.value,  # type: ignore[arg-type]
            received_at=now,
            due_at=terms.due_at,
            receiving_tenant_id=cmd.tenant_id,
            resolving_tenant_id=resolving.tenant_id,
            verification_required=cmd.verification_required,
        ),
    )
    idempotency = (
        {
            "tenant_id": cmd.tenant_id,
            "key": cmd.idempotency_key,
            "request_hash": request_hash,
            "dossier_id": dossier_id,
            "created_at": now,
        }
        if cmd.idempotency_key
        else None
    )
    await insert_registration(
        session,
        dossier=dossier_repo.encode(values),
        step={"dossier_id": dossier_id, "tenant_id": cmd.tenant_id, **vars(step)},
        outbox_row=event,
        idempotency=idempotency,
    )
    return DossierRecord.from_values(values)


async def _resolving_unit(
    session: AsyncSession, receiving: TenantRow, resolving_id: str | None
) -> TenantRow:
    """Any commune of the same province that currently receives dossiers (default: this one)."""
    if resolving_id is None or resolving_id == receiving.tenant_id:
        return receiving
    unit = await tenant_repo.get_tenant(session, resolving_id, cached=True)
    if unit is None:
        raise DomainError(
            "resolving_tenant.unknown",
            "Không tìm thấy đơn vị giải quyết hồ sơ.",
            field="resolving_tenant_id",
        )
    if unit.province_code != receiving.province_code:
        raise DomainError(
            "resolving_tenant.other_province",
            "Đơn vị giải quyết phải thuộc cùng tỉnh với bộ phận tiếp nhận.",
            field="resolving_tenant_id",
        )
    if TenantStatus(unit.status) not in RECEIVING:
        raise DomainError(
            "resolving_tenant.not_receiving",
            "Đơn vị giải quyết đang tạm ngừng hoặc đã sáp nhập; hãy chọn đơn vị khác.",
            field="resolving_tenant_id",
        )
    return unit


def _hash(cmd: RegisterDossier) -> str:
    body = asdict(cmd)
    body.pop("idempotency_key", None)
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
