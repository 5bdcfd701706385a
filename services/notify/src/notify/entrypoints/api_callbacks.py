"""Delivery receipts from providers: 'delivered' moves a sent message to delivered."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Header
from motcua_platform.inputs import Text
from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from notify.adapters import store
from notify.adapters.tables import deliveries
from notify.application.ports import SendError
from notify.domain.errors import Forbidden, NotFound
from notify.domain.kinds import Channel, DeliveryStatus, NotificationStatus
from notify.entrypoints.deps import Deps
from notify.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/provider-callbacks", tags=["nhà cung cấp"], responses=ERROR_RESPONSES
)


class ReceiptIn(BaseModel):
    reference: Text = Field(max_length=120, description="Our delivery id, or the provider's id")
    status: Literal["delivered"]


@router.post("/{tenant_id}/{channel}", status_code=204, summary="Báo nhận từ nhà cung cấp")
async def delivery_receipt(
    tenant_id: str,
    channel: Channel,
    body: ReceiptIn,
    deps: Deps,
    x_callback_token: Annotated[str | None, Header()] = None,
) -> None:
    async with deps.sessions() as session, session.begin():
        tenant = await store.load_tenant(session, tenant_id)
        ref = tenant.settings.callback_token_ref
        try:
            expected = deps.secrets.resolve(ref) if ref else None
        except SendError:
            expected = None
        if not expected or not hmac.compare_digest(expected, x_callback_token or ""):
            raise Forbidden("callback.forbidden", "Mã xác thực báo nhận không đúng.")
        d = deliveries
        row = (
            await session.execute(
                select(d.c.delivery_id, d.c.notification_id, d.c.status).where(
                    d.c.tenant_id == tenant_id,
                    d.c.channel == channel.value,
                    or_(
                        d.c.delivery_id == body.reference, d.c.provider_message_id == body.reference
                    ),
                )
            )
        ).first()
        if row is None:
            raise NotFound("delivery.not_found", "Không tìm thấy tin đã gửi.")
        if row.status == DeliveryStatus.SENT.value:
            now = deps.clock.now()
            await store.update_delivery(
                session, row.delivery_id, status=DeliveryStatus.DELIVERED.value, updated_at=now
            )
            await store.update_notification(
                session,
                row.notification_id,
                status=NotificationStatus.DELIVERED.value,
                updated_at=now,
            )
