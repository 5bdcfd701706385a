"""Every subscription of workflow, in one place."""

from __future__ import annotations

from motcua_contracts.codec import decode_typed
from motcua_contracts.events.dossiers_v1 import DossierReceived
from motcua_contracts.topics import Topics
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import Subscription
from sqlalchemy.ext.asyncio import AsyncSession

from workflow.application.track_dossier import track_received_dossier


async def _on_dossier_received(session: AsyncSession, message: InboundMessage) -> None:
    envelope, event = decode_typed(message.value, DossierReceived)
    await track_received_dossier(session, envelope, event)


def subscriptions() -> list[Subscription]:
    return [
        Subscription(topics=[Topics.DOSSIERS], handlers={"DossierReceived": _on_dossier_received})
    ]
