"""Every subscription of intake, in one place.

Topics.CLOCK: workflow's apology (Form 04) gives the dossier its new return date and the
leader's reason, shown to the citizen. Other clock events are not intake's business.
"""

from __future__ import annotations

from motcua_contracts.codec import UnknownVersion, decode_versioned
from motcua_contracts.events import clock_v1, clock_v2
from motcua_contracts.topics import Topics
from motcua_platform.messaging.inbox import PermanentError
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import Subscription
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from intake.application.record_apology import ApologyFact, record_apology

APOLOGY_VERSIONS: dict[int, type[BaseModel]] = {
    1: clock_v1.ApologyIssued,
    2: clock_v2.ApologyIssued,
}


def subscriptions() -> list[Subscription]:
    async def on_apology(session: AsyncSession, message: InboundMessage) -> None:
        try:
            envelope, event = decode_versioned(message.value, APOLOGY_VERSIONS)
        except (ValidationError, UnknownVersion) as exc:
            raise PermanentError(f"contract violation: {exc}") from exc
        assert isinstance(event, clock_v1.ApologyIssued | clock_v2.ApologyIssued)
        if not envelope.dossier_id or envelope.aggregate_version is None:
            raise PermanentError("ApologyIssued without dossier id or aggregate version")
        await record_apology(
            session,
            ApologyFact(
                dossier_id=envelope.dossier_id,
                clock_version=envelope.aggregate_version,
                issued_at=event.issued_at,
                new_due_at=event.new_due_at,
                reason_vi=getattr(event, "reason_vi", None),
            ),
        )

    return [Subscription(topics=[Topics.CLOCK], handlers={"ApologyIssued": on_apology})]
