"""Operators record calendar changes; affected open deadlines are recomputed."""

from __future__ import annotations

from fastapi import APIRouter

from workflow.application.change_calendar import change_calendar
from workflow.domain.access import Need, authorise
from workflow.entrypoints.deps import Ctx, CurrentPrincipal
from workflow.entrypoints.errors import ERROR_RESPONSES
from workflow.entrypoints.schemas import CalendarChangeIn, CalendarChangeOut

router = APIRouter(prefix="/api/v1/calendar", tags=["lịch làm việc"], responses=ERROR_RESPONSES)


@router.post(
    "/changes",
    response_model=CalendarChangeOut,
    status_code=202,
    summary="Ghi nhận thay đổi lịch làm việc (ngày nghỉ, ngày làm bù); tính lại các hạn",
)
async def post_change(
    body: CalendarChangeIn, ctx: Ctx, principal: CurrentPrincipal
) -> CalendarChangeOut:
    authorise(principal, None, Need.CHANGE_CALENDAR)
    async with ctx.sessions() as session, session.begin():
        result = await change_calendar(
            session,
            ctx,
            kind=body.kind,
            day=body.day,
            day_kind=body.day_kind,
            name_vi=body.name_vi,
            source=body.source,
        )
    ctx.after_commit()
    return CalendarChangeOut(change_id=result.change_id, changed_days=result.changed_days)
