"""The clerk's view of a dossier's messages, and the citizen's preferred channel."""

from __future__ import annotations

from fastapi import APIRouter
from motcua_platform.vntime import VnDateTime
from pydantic import BaseModel, Field
from sqlalchemy import select

from notify.adapters import store
from notify.adapters.tables import deliveries, notifications
from notify.domain.access import Need, authorise
from notify.domain.errors import NotFound
from notify.domain.kinds import Channel
from notify.entrypoints.deps import CurrentPrincipal, Deps
from notify.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}", tags=["thông báo"], responses=ERROR_RESPONSES
)


class DeliveryOut(BaseModel):
    delivery_id: str
    channel: str
    status: str = Field(
        description="queued, sending, sent, delivered, failed, print_queued, printed"
    )
    attempts: int
    last_error_code: str | None
    next_attempt_at: VnDateTime | None
    sent_at: VnDateTime | None
    letter_number: str | None


class NotificationOut(BaseModel):
    notification_id: str
    kind: str
    recipient: str
    status: str = Field(description="queued, sent, delivered, failed, printed")
    channel: str | None = Field(description="The channel in use, then the one that worked")
    chain: list[str]
    created_at: VnDateTime
    in_print_queue: bool
    deliveries: list[DeliveryOut]


@router.get(
    "/dossiers/{dossier_id}/notifications",
    response_model=list[NotificationOut],
    summary="Các thông báo của một hồ sơ và trạng thái gửi",
)
async def list_notifications(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> list[NotificationOut]:
    authorise(principal, tenant_id, Need.READ)
    n, d = notifications, deliveries
    async with deps.sessions() as session:
        rows = (
            await session.execute(
                select(n)
                .where(n.c.tenant_id == tenant_id, n.c.dossier_id == dossier_id)
                .order_by(n.c.created_at, n.c.kind)
            )
        ).all()
        tried = (
            await session.execute(
                select(d)
                .where(d.c.notification_id.in_([r.notification_id for r in rows]))
                .order_by(d.c.step, d.c.created_at)
            )
        ).all()
    by_notification: dict[str, list[DeliveryOut]] = {}
    for t in tried:
        by_notification.setdefault(t.notification_id, []).append(
            DeliveryOut(**{k: getattr(t, k) for k in DeliveryOut.model_fields})
        )
    return [
        NotificationOut(
            notification_id=r.notification_id,
            kind=r.kind,
            recipient=r.recipient,
            status=r.status,
            channel=r.channel,
            chain=list(r.chain),
            created_at=r.created_at,
            in_print_queue=any(
                x.status == "print_queued" for x in by_notification.get(r.notification_id, [])
            ),
            deliveries=by_notification.get(r.notification_id, []),
        )
        for r in rows
    ]


class PreferenceIn(BaseModel):
    preferred_channel: Channel | None = Field(
        description="letter: the citizen has no phone or e-mail; print everything"
    )


@router.put(
    "/dossiers/{dossier_id}/preference",
    response_model=PreferenceIn,
    summary="Kênh nhận thông báo người dân mong muốn",
)
async def set_preference(
    tenant_id: str, dossier_id: str, body: PreferenceIn, deps: Deps, principal: CurrentPrincipal
) -> PreferenceIn:
    authorise(principal, tenant_id, Need.DESK)
    async with deps.sessions() as session, session.begin():
        found = await store.set_preference(
            session, tenant_id, dossier_id, body.preferred_channel, deps.clock.now()
        )
    if not found:
        raise NotFound("dossier.not_found", "Không tìm thấy hồ sơ của đơn vị.")
    return body
