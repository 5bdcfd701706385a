"""Every subscription of notify, in one place."""

from __future__ import annotations

from motcua_contracts.codec import decode_typed
from motcua_contracts.events.dossiers_v1 import DossierReceived
from motcua_contracts.topics import Topics
from motcua_platform.messaging.types import InboundMessage
from motcua_platform.runtime import Subscription
from sqlalchemy.ext.asyncio import AsyncSession

from notify.application.plan_receipt import plan_receipt_confirmation


async def _on_dossier_received(session: AsyncSession, message: InboundMessage) -> None:
    envelope, event = decode_typed(message.value, DossierReceived)
    await plan_receipt_confirmation(session, envelope, event)


def subscriptions() -> list[Subscription]:
    return [
        Subscription(topics=[Topics.DOSSIERS], handlers={"DossierReceived": _on_dossier_received})
    ]
