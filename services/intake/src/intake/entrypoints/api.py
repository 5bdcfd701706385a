"""Thin HTTP routes: parse, call one use case, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request

from intake.adapters import repository as repo
from intake.application.commands import RegisterDossier
from intake.application.register_dossier import register_dossier
from intake.domain.dossier import Applicant, Registration
from intake.entrypoints.schemas import DossierOut, ErrorOut, RegisterDossierIn

router = APIRouter(prefix="/api/v1/communes/{tenant_id}", tags=["hồ sơ"])
_ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


def _out(reg: Registration) -> DossierOut:
    return DossierOut(
        dossier_id=reg.dossier_id,
        tenant_id=reg.tenant_id,
        code=reg.code,
        procedure_code=reg.procedure_code,
        procedure_version=reg.procedure_version,
        field_code=reg.field_code,
        channel=reg.channel,
        received_at=reg.received_at,
        due_at=reg.due_at,
    )


@router.post(
    "/dossiers",
    status_code=201,
    response_model=DossierOut,
    responses=_ERRORS,
    summary="Tiếp nhận hồ sơ",
)
async def post_dossier(
    tenant_id: str,
    body: RegisterDossierIn,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> DossierOut:
    deps = request.app.state.deps
    cmd = RegisterDossier(
        tenant_id=tenant_id,
        procedure_code=body.procedure_code,
        channel=body.channel,
        applicant=Applicant(
            full_name=body.applicant.full_name,
            id_number=body.applicant.id_number,
            phone=body.applicant.phone,
            email=body.applicant.email,
        ),
        verification_required=body.verification_required,
        idempotency_key=idempotency_key,
    )
    async with deps.sessions() as session, session.begin():
        reg = await register_dossier(session, cmd, now=deps.clock.now(), clock=deps.statutory)
    deps.after_commit()
    return _out(reg)


@router.get(
    "/dossiers/{dossier_id}", response_model=DossierOut, responses=_ERRORS, summary="Xem hồ sơ"
)
async def get_dossier(tenant_id: str, dossier_id: str, request: Request) -> DossierOut:
    async with request.app.state.deps.sessions() as session:
        return _out(await repo.get_registration(session, tenant_id, dossier_id))
