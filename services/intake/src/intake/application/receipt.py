"""The receipt (Form 01 contents): what is printed, gathered in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intake.adapters import dossier_repo, tenant_repo
from intake.adapters.transaction import Transaction
from intake.application.lookup_tokens import LookupTokens
from intake.application.ports import StatutoryClock
from intake.domain.access import TenantScope
from intake.domain.dossier import CHANNEL_VI, DOCUMENT_FORM_VI, DocumentForm
from intake.domain.errors import Conflict


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    form_vi: str
    copies: int


@dataclass(frozen=True)
class Receipt:
    agency_name: str
    code: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    applicant_email: str
    procedure_name: str
    lines: tuple[ReceiptLine, ...]
    time_limit_vi: str
    received_at: datetime
    due_at: datetime
    channel_vi: str
    public_url: str
    token: str
    apology_new_due_at: datetime | None = None  # Form 04's new date, on a reprint
    apology_reason_vi: str | None = None


async def build_receipt(
    session: Transaction,
    *,
    scope: TenantScope,
    tenant_id: str,
    dossier_id: str,
    clock: StatutoryClock,
    tokens: LookupTokens,
    public_url: str,
) -> Receipt:
    d = await dossier_repo.get_dossier(session, scope, tenant_id, dossier_id)
    if d.accepted_at is None or d.lookup_nonce is None:
        raise Conflict(
            "receipt.not_issued",
            "Hồ sơ chưa được nhận đủ nên chưa có giấy tiếp nhận và hẹn trả kết quả.",
        )
    tenant = await tenant_repo.get_tenant(session, d.tenant_id, cached=True)
    procedure = clock.procedure(d.procedure_code, d.procedure_version)
    token = tokens.token(d.lookup_nonce)
    return Receipt(
        agency_name=tenant.name_vi if tenant else d.tenant_id,
        code=d.code,
        applicant_name=d.applicant_name,
        applicant_address=d.applicant_address or "",
        applicant_phone=d.applicant_phone,
        applicant_email=d.applicant_email or "",
        procedure_name=procedure.name_vi,
        lines=tuple(
            ReceiptLine(x["name"], DOCUMENT_FORM_VI[DocumentForm(x["form"])], int(x["copies"]))
            for x in d.documents
        ),
        time_limit_vi=procedure.time_limit_vi,
        received_at=d.received_at,
        due_at=d.due_at,
        channel_vi=CHANNEL_VI[d.channel],
        public_url=public_url.format(token=token),
        token=token,
        apology_new_due_at=d.apology_new_due_at,
        apology_reason_vi=d.apology_reason_vi,
    )
