"""Notify's API: the status of each message about a dossier, for the clerk."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import select

from notify.adapters.tables import notifications

router = APIRouter(prefix="/api/v1/communes/{tenant_id}", tags=["thông báo"])


class NotificationOut(BaseModel):
    notification_id: str
    kind: str
    recipient: str
    status: str
    created_at: datetime


@router.get(
    "/dossiers/{dossier_id}/notifications",
    response_model=list[NotificationOut],
    summary="Các thông báo của một hồ sơ",
)
async def list_notifications(
    tenant_id: str, dossier_id: str, request: Request
) -> list[NotificationOut]:
    n = notifications
    async with request.app.state.sessions() as session:
        rows = (
            await session.execute(
                select(n)
                .where(n.c.tenant_id == tenant_id, n.c.dossier_id == dossier_id)
                .order_by(n.c.created_at, n.c.notification_id)
            )
        ).all()
    return [
        NotificationOut(**{k: getattr(r, k) for k in NotificationOut.model_fields}) for r in rows
    ]
