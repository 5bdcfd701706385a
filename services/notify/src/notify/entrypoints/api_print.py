"""The commune desk's print queue: letters to print, hand over or post."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field, field_validator

from notify.application import print_queue
from notify.application.context import MissingFacts
from notify.application.ports import ContactUnavailable
from notify.domain.access import Need, authorise
from notify.domain.errors import Conflict
from notify.domain.vocabulary import local
from notify.entrypoints.deps import CurrentPrincipal, Deps
from notify.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}/print-queue",
    tags=["hàng đợi in"],
    responses=ERROR_RESPONSES,
)


class PrintJobOut(BaseModel):
    delivery_id: str
    notification_id: str
    dossier_id: str | None
    kind: str
    recipient: str
    letter_number: str | None
    letter_date: date | None
    status: str
    queued_at: datetime = Field(description="Lúc thư vào hàng đợi in (ISO 8601, +07:00)")
    printed_at: datetime | None = Field(description="Lúc thư được in (ISO 8601, +07:00)")

    @field_validator("queued_at", "printed_at", mode="after")
    @classmethod
    def _vietnam_time(cls, value: datetime | None) -> datetime | None:
        """Moments as the desk reads them: Vietnam time, never UTC."""
        return local(value) if value is not None else None


@router.get("", response_model=list[PrintJobOut], summary="Thư chờ in (hoặc đã in)")
async def list_jobs(
    tenant_id: str,
    deps: Deps,
    principal: CurrentPrincipal,
    printed: Annotated[bool, Query(description="true: thư đã in")] = False,
    limit: Annotated[
        int, Query(ge=1, le=print_queue.MAX_PAGE, description="Số thư mỗi trang")
    ] = 200,
    offset: Annotated[int, Query(ge=0, description="Bỏ qua bao nhiêu thư đầu danh sách")] = 0,
) -> list[PrintJobOut]:
    authorise(principal, tenant_id, Need.READ)
    async with deps.read_sessions() as session:
        jobs = await print_queue.list_jobs(
            session, tenant_id, printed=printed, limit=limit, offset=offset
        )
    return [PrintJobOut(**vars(j)) for j in jobs]


@router.get(
    "/{delivery_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "Thư khổ A4"}},
    summary="Tải thư để in (PDF khổ A4)",
)
async def letter_pdf(
    tenant_id: str, delivery_id: str, deps: Deps, principal: CurrentPrincipal
) -> Response:
    authorise(principal, tenant_id, Need.DESK)
    try:
        number, pdf = await print_queue.letter_pdf(
            deps.read_sessions,
            tenant_id,
            delivery_id,
            composer=deps.composer,
            renderer=deps.letters,
        )
    except (ContactUnavailable, MissingFacts) as exc:
        raise Conflict(
            "letter.contact_unavailable",
            "Chưa lấy được thông tin người nhận từ Bộ phận tiếp nhận; xin thử lại sau ít phút.",
        ) from exc
    name = number.replace("/", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="thu-{name}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/{delivery_id}/printed", response_model=PrintJobOut, summary="Đánh dấu thư đã in")
async def mark_printed(
    tenant_id: str, delivery_id: str, deps: Deps, principal: CurrentPrincipal
) -> PrintJobOut:
    authorise(principal, tenant_id, Need.DESK)
    async with deps.sessions() as session, session.begin():
        job = await print_queue.mark_printed(
            session, tenant_id, delivery_id, by=principal.subject, now=deps.clock.now()
        )
    deps.after_commit()
    return PrintJobOut(**vars(job))
