"""Every subscription of analytics, in one place."""

from __future__ import annotations

from motcua_contracts.codec import decode_typed
from motcua_contracts.events.dossiers_v1 import DossierReceived
from motcua_contracts.topics import Topics
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import Subscription
from sqlalchemy.ext.asyncio import AsyncSession

from analytics.application.count_received import count_received


async def _on_dossier_received(session: AsyncSession, message: InboundMessage) -> None:
    envelope, event = decode_typed(message.value, DossierReceived)
    await count_received(session, envelope, event)


def subscriptions() -> list[Subscription]:
    return [
        Subscription(topics=[Topics.DOSSIERS], handlers={"DossierReceived": _on_dossier_received})
    ]
