"""Worklists: my dossiers, due today, at risk, late; province monitors see any commune."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from motcua_platform.auth import Principal
from motcua_platform.auth.roles import Role

from workflow.adapters import worklist_repo
from workflow.application.context import Context
from workflow.domain.access import Need, Scope, authorise
from workflow.domain.errors import DomainError, Forbidden
from workflow.domain.worklist import View, urgency
from workflow.entrypoints.deps import Ctx, CurrentPrincipal
from workflow.entrypoints.errors import ERROR_RESPONSES
from workflow.entrypoints.schemas import WorklistItem, WorklistPage

router = APIRouter(prefix="/api/v1", tags=["danh sách công việc"], responses=ERROR_RESPONSES)

ViewQ = Annotated[View, Query(description="due_today, at_risk, late hoặc mine")]
LimitQ = Annotated[int, Query(ge=1, le=200)]
CursorQ = Annotated[str | None, Query(max_length=200)]


def _cursor(raw: str | None) -> tuple[datetime, str] | None:
    if not raw:
        return None
    try:
        due, _, dossier_id = base64.urlsafe_b64decode(raw.encode()).decode().partition("|")
        return datetime.fromisoformat(due), dossier_id
    except ValueError as exc:
        raise DomainError(
            "cursor.invalid", "Con trỏ phân trang không hợp lệ.", field="cursor"
        ) from exc


def _next(rows: Any, limit: int) -> str | None:
    if len(rows) < limit:
        return None
    last = rows[-1]
    return base64.urlsafe_b64encode(
        f"{last.due_at.isoformat()}|{last.dossier_id}".encode()
    ).decode()


async def _page(
    ctx: Context, principal: Principal, scope: Scope, view: View, limit: int, cursor: str | None
) -> WorklistPage:
    now = ctx.clock.now()
    async with ctx.sessions() as session:
        rows = await worklist_repo.page(
            session,
            view=view,
            now=now,
            tenant_ids=scope.tenant_ids,
            holder_id=principal.subject,
            after=_cursor(cursor),
            limit=limit,
        )
    items = [
        WorklistItem(
            dossier_id=r.dossier_id,
            tenant_id=r.tenant_id,
            dossier_code=r.dossier_code,
            procedure_code=r.procedure_code,
            state=r.state,
            urgency=urgency(r.due_at, r.at_risk_at, r.state, now),
            received_at=r.received_at,
            due_at=r.due_at,
            at_risk_at=r.at_risk_at,
            holder_id=r.holder_id,
            step_key=r.step_key,
            step_due_at=r.step_due_at,
            rescheduled=r.original_due_at is not None and r.due_at != r.original_due_at,
        )
        for r in rows
    ]
    return WorklistPage(view=view.value, items=items, next_cursor=_next(rows, limit))


@router.get(
    "/communes/{tenant_id}/worklist",
    response_model=WorklistPage,
    summary="Danh sách hồ sơ của đơn vị: đến hạn hôm nay, có nguy cơ trễ, đã trễ, của tôi",
)
async def commune_worklist(
    tenant_id: str,
    ctx: Ctx,
    principal: CurrentPrincipal,
    view: ViewQ = View.DUE_TODAY,
    limit: LimitQ = 50,
    cursor: CursorQ = None,
) -> WorklistPage:
    scope = authorise(principal, tenant_id, Need.READ)
    return await _page(ctx, principal, scope, view, limit, cursor)


@router.get(
    "/worklist",
    response_model=WorklistPage,
    summary="Danh sách hồ sơ mọi đơn vị (giám sát cấp tỉnh)",
)
async def province_worklist(
    ctx: Ctx,
    principal: CurrentPrincipal,
    view: ViewQ = View.LATE,
    tenant_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: LimitQ = 50,
    cursor: CursorQ = None,
) -> WorklistPage:
    if not principal.has(Role.PROVINCE_MONITOR):
        raise Forbidden(
            "auth.forbidden", "Chỉ cán bộ giám sát cấp tỉnh được xem danh sách của mọi đơn vị."
        )
    scope = authorise(principal, tenant_id, Need.READ)
    return await _page(ctx, principal, scope, view, limit, cursor)
