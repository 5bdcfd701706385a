"""Use case: register a dossier, with its event, in one transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from motcua_contracts.events.dossiers_v1 import DossierReceived
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import repository as repo
from intake.adapters.events import stage_event
from intake.application.commands import RegisterDossier
from intake.application.ports import StatutoryClock
from intake.domain.dossier import Registration, format_dossier_code
from intake.domain.errors import Conflict, NotFound

VN = ZoneInfo("Asia/Ho_Chi_Minh")


async def register_dossier(
    session: AsyncSession, cmd: RegisterDossier, *, now: datetime, clock: StatutoryClock
) -> Registration:
    """Validates, numbers and stores the dossier and stages `DossierReceived`."""
    cmd.applicant.validate()
    request_hash = _hash(cmd)
    if cmd.idempotency_key:
        earlier = await repo.find_idempotent(session, cmd.tenant_id, cmd.idempotency_key)
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise Conflict(
                    "idempotency_key.reused",
                    "Khóa Idempotency-Key đã được dùng cho một yêu cầu khác.",
                )
            return await repo.get_registration(session, cmd.tenant_id, earlier.dossier_id)
    tenant = await repo.get_tenant(session, cmd.tenant_id)
    if tenant is None:
        raise NotFound("tenant.unknown", "Không tìm thấy đơn vị hành chính cấp xã này.")
    terms = clock.terms_for(
        procedure_code=cmd.procedure_code,
        received_at=now,
        tenant_config=tenant.config,
        verification=cmd.verification_required,
    )
    local_day = now.astimezone(VN).date()
    sequence = await repo.next_sequence(session, cmd.tenant_id, local_day)
    registration = Registration(
        dossier_id=str(uuid.uuid4()),
        tenant_id=cmd.tenant_id,
        code=format_dossier_code(tenant.agency_code, local_day, sequence),
        procedure_code=terms.procedure_code,
        procedure_version=terms.procedure_version,
        field_code=terms.field_code,
        channel=cmd.channel,
        received_at=now,
        due_at=terms.due_at,
    )
    await repo.insert_dossier(session, registration, cmd.applicant)
    if cmd.idempotency_key:
        await repo.remember_idempotent(
            session, cmd.tenant_id, cmd.idempotency_key, request_hash, registration.dossier_id, now
        )
    await stage_event(
        session,
        tenant_id=cmd.tenant_id,
        dossier_id=registration.dossier_id,
        aggregate_version=1,
        occurred_at=now,
        payload=DossierReceived(
            dossier_code=registration.code,
            procedure_code=registration.procedure_code,
            procedure_version=registration.procedure_version,
            field_code=registration.field_code,
            channel=registration.channel.value,  # type: ignore[arg-type]
            received_at=registration.received_at,
            due_at=registration.due_at,
            receiving_tenant_id=cmd.tenant_id,
            resolving_tenant_id=cmd.tenant_id,
            verification_required=cmd.verification_required,
        ),
    )
    return registration


def _hash(cmd: RegisterDossier) -> str:
    body = asdict(cmd)
    body.pop("idempotency_key", None)
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
