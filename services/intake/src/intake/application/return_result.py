"""Use case: the result is handed to the applicant (or an authorised person), or sent."""

from __future__ import annotations

from motcua_contracts.events.dossiers_v1 import ResultReturned, ReturnMethod
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.records import DossierRecord
from intake.application.commands import ReturnResult
from intake.application.transition import Hop, Target, transition
from intake.domain.errors import DomainError
from intake.domain.lifecycle import Action


async def return_result(session: AsyncSession, target: Target, cmd: ReturnResult) -> DossierRecord:
    if not cmd.to_applicant and not (cmd.recipient_name or "").strip():
        raise DomainError(
            "return.recipient_required",
            "Phải ghi họ tên người được ủy quyền nhận kết quả.",
            field="recipient_name",
        )
    method = ReturnMethod(cmd.method)
    return await transition(
        session,
        target,
        Action.RETURN_RESULT,
        changes=lambda _: {
            "returned_at": target.now,
            "return_method": method.value,
            "returned_to": None if cmd.to_applicant else cmd.recipient_name,
        },
        event=lambda d: ResultReturned(
            dossier_code=d.code,
            returned_at=target.now,
            method=method,
            to_applicant=cmd.to_applicant,
        ),
        hop=Hop(receiver="applicant" if cmd.to_applicant else "authorised_person"),
    )
