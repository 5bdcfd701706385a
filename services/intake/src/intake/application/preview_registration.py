"""Use case: what the desk shows before saving — the version in force and the appointment.

Nothing is written: the same terms `register_dossier` would fix for the dossier now (the
resolving unit's calendar and its own promise), so the clerk reads the date to the citizen
before pressing "Tiếp nhận".
"""

from __future__ import annotations

from datetime import datetime

from intake.adapters import tenant_repo
from intake.adapters.transaction import Transaction
from intake.application.ports import ProcedureInfo, ProcedureTerms, StatutoryClock
from intake.domain.errors import NotFound


async def preview_terms(
    session: Transaction,
    *,
    tenant_id: str,
    procedure_code: str,
    verification: bool,
    now: datetime,
    clock: StatutoryClock,
) -> ProcedureTerms:
    tenant = await tenant_repo.get_tenant(session, tenant_id, cached=True)
    if tenant is None:
        raise NotFound("tenant.unknown", "Không tìm thấy đơn vị hành chính cấp xã này.")
    return clock.terms_for(
        procedure_code=procedure_code,
        received_at=now,
        tenant_config=tenant.calendar,
        verification=verification,
        promised_working_days=tenant.promise_for(procedure_code),
    )


def catalogue_in_force(clock: StatutoryClock, now: datetime) -> list[ProcedureInfo]:
    """The procedures a desk can register today, by field then name (the clerk's order)."""
    return sorted(clock.in_force(now), key=lambda p: (p.field_vi, p.name_vi))
