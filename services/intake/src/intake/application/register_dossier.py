"""Use case: register a dossier, with its event, in one transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict
from datetime import datetime

from intake.adapters import tenant_repo
from intake.adapters.tenant_repo import TenantRow
from intake.adapters.transaction import Transaction
from intake.application.commands import RegisterDossier
from intake.application.lookup_tokens import LookupTokens
from intake.application.ports import StatutoryClock
from intake.application.transition import dossiers_of
from intake.domain.access import Principal, TenantScope
from intake.domain.dossier import Dossier, check_documents, format_dossier_code
from intake.domain.errors import Conflict, DomainError, NotFound
from intake.domain.tenants import RECEIVING, TenantStatus, refuse_new_dossiers
from intake.domain.time import VN


async def register_dossier(
    session: Transaction,
    cmd: RegisterDossier,
    *,
    actor: Principal,
    scope: TenantScope,
    now: datetime,
    clock: StatutoryClock,
    tokens: LookupTokens,
) -> Dossier:
    """Validates, numbers and stores the dossier and stages `DossierReceived`."""
    applicant = cmd.applicant.checked(now.astimezone(VN).date())
    check_documents(cmd.documents)
    dossiers = dossiers_of(session)
    request_hash = _hash(cmd) if cmd.idempotency_key else ""
    if cmd.idempotency_key:
        earlier = await dossiers.find_idempotent(cmd.tenant_id, cmd.idempotency_key)
        if earlier is not None:
            if earlier[0] != request_hash:
                raise Conflict(
                    "idempotency_key.reused",
                    "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác.",
                )
            return await dossiers.get(scope, cmd.tenant_id, earlier[1])
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
    nonce = tokens.new_nonce()
    change = Dossier.register(
        dossier_id=dossier_id,
        tenant_id=cmd.tenant_id,
        resolving_tenant_id=resolving.tenant_id,
        code=format_dossier_code(tenant.agency_code, local_day, sequence),
        procedure_code=terms.procedure_code,
        procedure_version=terms.procedure_version,
        field_code=terms.field_code,
        channel=cmd.channel,
        at=now,
        due_at=terms.due_at,
        verification_required=cmd.verification_required,
        promised_working_days=promised,
        applicant=applicant,
        documents=cmd.documents,
        lookup_nonce=nonce,
        actor=actor.subject,
    )
    idempotency: dict[str, object] | None = (
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
    await dossiers.add(
        change, lookup_hash=tokens.hash(tokens.token(nonce)), idempotency=idempotency
    )
    return change.after


async def _resolving_unit(
    session: Transaction, receiving: TenantRow, resolving_id: str | None
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
