"""Analytics' API: indicators per commune."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import func, select

from analytics.adapters.tables import daily_received

router = APIRouter(prefix="/api/v1/indicators", tags=["chỉ số"])


class ReceivedByCommune(BaseModel):
    tenant_id: str
    received: int


@router.get(
    "/received", response_model=list[ReceivedByCommune], summary="Số hồ sơ tiếp nhận theo xã"
)
async def received(
    request: Request,
    tenant_id: Annotated[list[str] | None, Query()] = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[ReceivedByCommune]:
    t = daily_received
    query = select(t.c.tenant_id, func.sum(t.c.received).label("received")).group_by(t.c.tenant_id)
    if tenant_id:
        query = query.where(t.c.tenant_id.in_(tenant_id))
    if date_from:
        query = query.where(t.c.day >= date_from)
    if date_to:
        query = query.where(t.c.day <= date_to)
    async with request.app.state.sessions() as session:
        rows = (await session.execute(query.order_by(t.c.tenant_id))).all()
    return [ReceivedByCommune(tenant_id=r.tenant_id, received=int(r.received)) for r in rows]
