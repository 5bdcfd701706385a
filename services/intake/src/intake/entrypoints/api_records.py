"""The dossier's papers: control sheet, audit trail, receipt (HTML and PDF), kiosk rating."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from intake.adapters import dossier_repo, history_repo
from intake.adapters.receipt_pdf import cached_pdf, render_form
from intake.application.commands import RateSatisfaction
from intake.application.forms import build_form
from intake.application.rate_satisfaction import rate_satisfaction
from intake.application.receipt import Receipt, build_receipt
from intake.domain.access import Need, Principal, authorise
from intake.entrypoints import presenters
from intake.entrypoints.deps import CurrentPrincipal, Deps, IntakeDeps
from intake.entrypoints.errors import ERROR_RESPONSES
from intake.entrypoints.schemas_in import RatingIn
from intake.entrypoints.schemas_out import AuditOut, StepOut
from intake.entrypoints.views import receipt_page

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}/dossiers/{dossier_id}",
    tags=["hồ sơ"],
    responses=ERROR_RESPONSES,
)


@router.get(
    "/history", response_model=list[StepOut], summary="Phiếu kiểm soát quá trình giải quyết"
)
async def history(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> list[StepOut]:
    scope = authorise(principal, tenant_id, Need.READ)
    async with deps.sessions() as session:
        d = await dossier_repo.get_dossier(session, scope, tenant_id, dossier_id)
        rows = await history_repo.steps_of(session, d.tenant_id, d.dossier_id)
    return [presenters.step(r) for r in rows]


@router.get(
    "/audit", response_model=list[AuditOut], summary="Nhật ký thay đổi (ai, khi nào, cũ, mới)"
)
async def audit(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> list[AuditOut]:
    scope = authorise(principal, tenant_id, Need.READ)
    async with deps.sessions() as session:
        d = await dossier_repo.get_dossier(session, scope, tenant_id, dossier_id)
        rows = await history_repo.audit_of(session, d.tenant_id, d.dossier_id)
    return [presenters.audit(r) for r in rows]


async def _receipt(
    deps: IntakeDeps, principal: Principal, tenant_id: str, dossier_id: str
) -> Receipt:
    # The receipt carries the applicant's details: staff of the commune only.
    scope = authorise(principal, tenant_id, Need.WRITE)
    async with deps.sessions() as session:
        return await build_receipt(
            session,
            scope=scope,
            tenant_id=tenant_id,
            dossier_id=dossier_id,
            clock=deps.statutory,
            tokens=deps.tokens,
            public_url=deps.public_url("{token}"),
        )


_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "Trang in khổ A4"}
}
_PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "Tệp PDF khổ A4"}
}


@router.get(
    "/receipt",
    response_class=HTMLResponse,
    responses=_HTML,
    summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (trang in A4)",
)
async def receipt_html(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> HTMLResponse:
    receipt = await _receipt(deps, principal, tenant_id, dossier_id)
    return HTMLResponse(receipt_page.render(receipt), headers={"Cache-Control": "no-store"})


@router.get(
    "/receipt.pdf",
    response_class=Response,
    responses=_PDF,
    summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)",
)
async def receipt_pdf(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> Response:
    receipt = await _receipt(deps, principal, tenant_id, dossier_id)
    body = await asyncio.to_thread(cached_pdf, receipt)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="phieu-hen-{receipt.code}.pdf"',
            "Cache-Control": "no-store",
        },
    )


async def _form_pdf(
    deps: IntakeDeps, principal: Principal, tenant_id: str, dossier_id: str, form: str
) -> Response:
    # The forms carry the applicant's name and address: staff of the commune only.
    scope = authorise(principal, tenant_id, Need.WRITE)
    async with deps.sessions() as session:  # a short read, closed before rendering
        found = await build_form(
            session,
            scope=scope,
            tenant_id=tenant_id,
            dossier_id=dossier_id,
            form=form,
            clock=deps.statutory,
        )
    body = await asyncio.to_thread(render_form, found)
    name = {"02": "phieu-bo-sung", "03": "phieu-tu-choi"}[form]
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}-{found.code}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/supplement-request.pdf",
    response_class=Response,
    responses=_PDF,
    summary="Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02, PDF)",
)
async def supplement_request_pdf(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> Response:
    return await _form_pdf(deps, principal, tenant_id, dossier_id, "02")


@router.get(
    "/refusal.pdf",
    response_class=Response,
    responses=_PDF,
    summary="Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03, PDF)",
)
async def refusal_pdf(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> Response:
    return await _form_pdf(deps, principal, tenant_id, dossier_id, "03")


@router.post(
    "/satisfaction",
    status_code=204,
    response_class=Response,
    summary="Đánh giá mức độ hài lòng tại ki-ốt của Bộ phận một cửa",
)
async def kiosk_rating(
    tenant_id: str, dossier_id: str, body: RatingIn, deps: Deps, principal: CurrentPrincipal
) -> Response:
    scope = authorise(principal, tenant_id, Need.WRITE)
    cmd = RateSatisfaction(body.level, "kiosk", dict(body.criteria), body.comment)
    async with deps.sessions() as session, session.begin():
        d = await dossier_repo.get_dossier(session, scope, tenant_id, dossier_id)
        await rate_satisfaction(session, d, cmd, actor=principal.subject, now=deps.clock.now())
    deps.after_commit()
    return Response(status_code=204)
