"""One endpoint per desk command; an invalid transition answers 409 with the allowed ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from intake.application import commands as c
from intake.application.accept_dossier import accept_dossier
from intake.application.decide_dossier import decide_dossier
from intake.application.mark_result_ready import mark_result_ready
from intake.application.receive_supplement import receive_supplement
from intake.application.refuse_dossier import refuse_dossier
from intake.application.request_supplement import request_supplement
from intake.application.return_result import return_result
from intake.application.transfer_dossier import transfer_dossier
from intake.application.transition import Target
from intake.application.withdraw_dossier import withdraw_dossier
from intake.domain.access import Need, Principal, authorise
from intake.domain.dossier import Dossier
from intake.domain.lifecycle import Action as A
from intake.entrypoints import presenters
from intake.entrypoints.actions import path_of
from intake.entrypoints.deps import CurrentPrincipal, Deps, IntakeDeps
from intake.entrypoints.errors import ERROR_RESPONSES
from intake.entrypoints.schemas_in import (
    DecideIn,
    RefuseIn,
    RequestSupplementIn,
    ReturnResultIn,
    TransferIn,
    WithdrawIn,
)
from intake.entrypoints.schemas_out import DossierOut

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}/dossiers/{dossier_id}",
    tags=["quy trình hồ sơ"],
    responses=ERROR_RESPONSES,
)


def _path(action: A) -> str:
    return "/" + path_of(action)


UseCase = Callable[[AsyncSession, Target], Awaitable[Dossier]]


async def _run(
    deps: IntakeDeps,
    principal: Principal,
    tenant_id: str,
    dossier_id: str,
    use_case: UseCase,
    need: Need = Need.WRITE,
) -> DossierOut:
    scope = authorise(principal, tenant_id, need)
    target = Target(scope, tenant_id, dossier_id, principal, deps.clock.now())
    async with deps.sessions() as session, session.begin():
        record = await use_case(session, target)
    deps.after_commit()
    return presenters.detail(record, principal, deps)


@router.post(
    _path(A.ACCEPT), response_model=DossierOut, summary="Nhận đủ hồ sơ, cấp giấy hẹn (Mẫu 01)"
)
async def accept(tenant_id: str, dossier_id: str, deps: Deps, p: CurrentPrincipal) -> DossierOut:
    return await _run(deps, p, tenant_id, dossier_id, accept_dossier)


@router.post(
    _path(A.REQUEST_SUPPLEMENT),
    response_model=DossierOut,
    summary="Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02, chỉ một lần)",
)
async def supplement_request(
    tenant_id: str, dossier_id: str, body: RequestSupplementIn, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    cmd = c.RequestSupplement(tuple(body.missing_items), body.note)
    return await _run(deps, p, tenant_id, dossier_id, lambda s, t: request_supplement(s, t, cmd))


@router.post(
    _path(A.RECEIVE_SUPPLEMENT), response_model=DossierOut, summary="Đã nhận hồ sơ bổ sung"
)
async def supplement_received(
    tenant_id: str, dossier_id: str, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    return await _run(
        deps,
        p,
        tenant_id,
        dossier_id,
        lambda s, t: receive_supplement(s, t, clock=deps.statutory),
    )


@router.post(_path(A.REFUSE), response_model=DossierOut, summary="Từ chối tiếp nhận (Mẫu 03)")
async def refuse(
    tenant_id: str, dossier_id: str, body: RefuseIn, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    cmd = c.RefuseDossier(tuple(body.reason_codes), body.reason_text)
    return await _run(deps, p, tenant_id, dossier_id, lambda s, t: refuse_dossier(s, t, cmd))


@router.post(_path(A.TRANSFER), response_model=DossierOut, summary="Chuyển hồ sơ (phiếu kiểm soát)")
async def transfer(
    tenant_id: str, dossier_id: str, body: TransferIn, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    cmd = c.TransferDossier(body.to_unit_id, body.to_official_id, body.step_key, body.note)
    return await _run(deps, p, tenant_id, dossier_id, lambda s, t: transfer_dossier(s, t, cmd))


@router.post(_path(A.DECIDE), response_model=DossierOut, summary="Quyết định giải quyết (lãnh đạo)")
async def decision(
    tenant_id: str, dossier_id: str, body: DecideIn, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    cmd = c.DecideDossier(body.outcome == "approved", tuple(body.reason_codes), body.reason_text)
    return await _run(
        deps, p, tenant_id, dossier_id, lambda s, t: decide_dossier(s, t, cmd), Need.DECIDE
    )


@router.post(_path(A.MARK_RESULT_READY), response_model=DossierOut, summary="Đã có kết quả")
async def result_ready(
    tenant_id: str, dossier_id: str, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    return await _run(
        deps, p, tenant_id, dossier_id, lambda s, t: mark_result_ready(s, t, clock=deps.statutory)
    )


@router.post(_path(A.RETURN_RESULT), response_model=DossierOut, summary="Đã trả kết quả")
async def result_returned(
    tenant_id: str, dossier_id: str, body: ReturnResultIn, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    cmd = c.ReturnResult(body.method.value, body.to_applicant, body.recipient_name)
    return await _run(deps, p, tenant_id, dossier_id, lambda s, t: return_result(s, t, cmd))


@router.post(
    _path(A.WITHDRAW), response_model=DossierOut, summary="Rút hồ sơ theo đề nghị của công dân"
)
async def withdraw(
    tenant_id: str, dossier_id: str, body: WithdrawIn, deps: Deps, p: CurrentPrincipal
) -> DossierOut:
    return await _run(
        deps, p, tenant_id, dossier_id, lambda s, t: withdraw_dossier(s, t, note=body.note)
    )
