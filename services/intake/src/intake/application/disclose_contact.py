"""Notify asks, at send time, for the one address a message needs; every disclosure is audited."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from intake.adapters import dossier_repo, history_repo, tenant_repo
from intake.adapters.history_repo import AuditRow
from intake.adapters.transaction import Transaction
from intake.domain.dossier import Dossier
from intake.domain.errors import NotFound, dossier_not_found


async def _belongs(session: Transaction, d: Dossier, tenant_id: str) -> bool:
    """The commune receives or resolves the dossier, or absorbed (merged) the one that does
    while the dossier has not moved yet."""
    if tenant_id in (d.tenant_id, d.resolving_tenant_id):
        return True
    holder = await tenant_repo.get_tenant(session, d.tenant_id, cached=True)
    return holder is not None and holder.merged_into == tenant_id


class ContactChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"  # printed, handed over or posted: name and address


async def disclose_contact(
    session: Transaction,
    *,
    tenant_id: str,
    dossier_id: str,
    channel: ContactChannel,
    actor: str,
    purpose: str,
    now: datetime,
) -> dict[str, str | None]:
    d = await dossier_repo.find_by_id_unscoped(session, dossier_id)
    if d is None or not await _belongs(session, d, tenant_id):
        raise dossier_not_found()  # another commune's dossier: as if it did not exist
    if channel is ContactChannel.SMS:
        out: dict[str, str | None] = {"phone": d.applicant_phone}
    elif channel is ContactChannel.EMAIL:
        if not d.applicant_email:
            raise NotFound("contact.no_email", "Người nộp hồ sơ không đăng ký thư điện tử.")
        out = {"email": d.applicant_email}
    else:
        out = {"full_name": d.applicant_name, "address": d.applicant_address}
    await history_repo.add_audit(
        session,
        dossier_id=d.dossier_id,
        tenant_id=d.tenant_id,
        rows=[AuditRow(now, actor, "contact_disclosed", channel.value, None, purpose)],
    )
    return out


async def disclose_missing_items(
    session: Transaction, *, tenant_id: str, dossier_id: str, actor: str, now: datetime
) -> list[str]:
    """Form 02's list for notify's letter and message: free text typed by the clerk, so it
    never travels in events (SupplementRequested v2); read here, audited, at send time."""
    d = await dossier_repo.find_by_id_unscoped(session, dossier_id)
    if d is None or not await _belongs(session, d, tenant_id):
        raise dossier_not_found()
    if d.supplements_requested == 0 or not d.missing_items:
        raise NotFound("supplement.none", "Hồ sơ chưa có yêu cầu bổ sung.")
    await history_repo.add_audit(
        session,
        dossier_id=d.dossier_id,
        tenant_id=d.tenant_id,
        rows=[AuditRow(now, actor, "missing_items_disclosed", "missing_items", None, None)],
    )
    return list(d.missing_items)
