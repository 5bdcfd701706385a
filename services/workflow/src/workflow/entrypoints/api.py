"""Workflow's read API: where a dossier's clock stands."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import select

from workflow.adapters.tables import dossier_clocks

router = APIRouter(prefix="/api/v1/communes/{tenant_id}", tags=["thời hạn"])


class ClockOut(BaseModel):
    dossier_id: str
    dossier_code: str
    procedure_code: str
    state: str
    received_at: datetime
    due_at: datetime


@router.get("/dossiers/{dossier_id}/clock", response_model=ClockOut, summary="Thời hạn hồ sơ")
async def get_clock(tenant_id: str, dossier_id: str, request: Request) -> ClockOut:
    async with request.app.state.sessions() as session:
        row = (
            await session.execute(
                select(dossier_clocks).where(
                    dossier_clocks.c.tenant_id == tenant_id,
                    dossier_clocks.c.dossier_id == dossier_id,
                )
            )
        ).first()
    if row is None:
        raise HTTPException(
            404, detail={"code": "dossier.not_found", "message": "Không tìm thấy hồ sơ."}
        )
    return ClockOut(**{k: getattr(row, k) for k in ClockOut.model_fields})
