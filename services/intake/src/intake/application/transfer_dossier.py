"""Use case: hand the dossier over; each hand-over is a control-sheet row."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import DossierTransferred
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.commands import TransferDossier
from intake.application.transition import Hop, Target, transition
from intake.domain.errors import DomainError
from intake.domain.lifecycle import Action


async def transfer_dossier(
    session: AsyncSession, target: Target, cmd: TransferDossier
) -> DossierRecord:
    if not (cmd.to_unit_id or cmd.to_official_id):
        raise DomainError(
            "transfer.receiver_required",
            "Phải chọn cán bộ hoặc đơn vị nhận hồ sơ.",
            field="to_official_id",
        )
    holder: dict[str, str | None] = {}

    def changes(d: DossierRecord) -> dict[str, object]:
        holder["unit"], holder["official"] = d.handler_unit_id, d.handler_official_id
        return {"handler_unit_id": cmd.to_unit_id, "handler_official_id": cmd.to_official_id}

    receiver = cmd.to_official_id or cmd.to_unit_id
    return await transition(
        session,
        target,
        Action.TRANSFER,
        changes=changes,
        event=lambda d: DossierTransferred(
            dossier_code=d.code,
            transferred_at=target.now,
            sheet_row=d.version,
            step_key=cmd.step_key,
            from_unit_id=holder["unit"],
            from_official_id=holder["official"] or target.actor.subject,
            to_unit_id=cmd.to_unit_id,
            to_official_id=cmd.to_official_id,
        ),
        hop=Hop(receiver=receiver, step_key=cmd.step_key, note=cmd.note),
    )
