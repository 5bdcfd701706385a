"""Notify asks, at send time, for the one address a message needs; every disclosure is audited."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters import dossier_repo, history_repo
from intake.adapters.history_repo import AuditRow
from intake.domain.errors import NotFound, dossier_not_found


class ContactChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"  # printed, handed over or posted: name and address


async def disclose_contact(
    session: AsyncSession,
    *,
    dossier_id: str,
    channel: ContactChannel,
    actor: str,
    purpose: str,
    now: datetime,
) -> dict[str, str | None]:
    d = await dossier_repo.find_by_id_unscoped(session, dossier_id)
    if d is None:
        raise dossier_not_found()
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
