"""Registering and finding dossiers at the desk. Thin: parse, authorise, one use case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from motcua_platform.inputs import BoundedDate, Text
from sqlalchemy.exc import IntegrityError

from intake.adapters import dossier_repo, search_repo
from intake.application.commands import RegisterDossier
from intake.application.register_dossier import register_dossier
from intake.domain.access import Need, authorise, check_personal_search
from intake.domain.applicant import Applicant
from intake.domain.dossier import Document
from intake.domain.lifecycle import Status
from intake.domain.time import VN, local_day_bounds
from intake.entrypoints import presenters
from intake.entrypoints.deps import CurrentPrincipal, Deps, IntakeDeps
from intake.entrypoints.errors import ERROR_RESPONSES
from intake.entrypoints.schemas_in import RegisterDossierIn
from intake.entrypoints.schemas_out import DossierOut, DossierPageOut

router = APIRouter(prefix="/api/v1/communes/{tenant_id}", tags=["hồ sơ"], responses=ERROR_RESPONSES)


def _command(tenant_id: str, body: RegisterDossierIn, key: str | None) -> RegisterDossier:
    a = body.applicant
    return RegisterDossier(
        tenant_id=tenant_id,
        procedure_code=body.procedure_code,
        channel=body.channel,
        applicant=Applicant(
            full_name=a.full_name,
            id_number=a.id_number,
            date_of_birth=a.date_of_birth,
            phone=a.phone,
            address=a.address,
            email=str(a.email) if a.email else None,
        ),
        documents=tuple(Document(d.name, d.form, d.copies) for d in body.documents),
        verification_required=body.verification_required,
        idempotency_key=key,
        resolving_tenant_id=body.resolving_tenant_id,
    )


@router.post("/dossiers", status_code=201, response_model=DossierOut, summary="Tiếp nhận hồ sơ")
async def post_dossier(
    tenant_id: str,
    body: RegisterDossierIn,
    request: Request,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=200, description="Gửi lại cùng khóa: không tạo hồ sơ thứ hai"),
    ] = None,
) -> Response:
    scope = authorise(principal, tenant_id, Need.WRITE)
    deps: IntakeDeps = request.app.state.deps  # the busiest route: one dependency fewer
    cmd = _command(tenant_id, body, idempotency_key)
    for attempt in (1, 2):
        try:
            async with deps.sessions() as session, session.begin():
                record = await register_dossier(
                    session,
                    cmd,
                    actor=principal,
                    scope=scope,
                    now=deps.clock.now(),
                    clock=deps.statutory,
                    tokens=deps.tokens,
                )
            break
        except IntegrityError:
            # The same Idempotency-Key raced another request: answer with the winner's dossier.
            if attempt == 2 or not idempotency_key:
                raise
    deps.after_commit()
    # Serialised once here; returned as a model, FastAPI would validate it again first.
    content = presenters.detail(record, principal, deps).model_dump_json()
    return Response(content, status_code=201, media_type="application/json")


@router.get("/dossiers/{dossier_id}", response_model=DossierOut, summary="Xem hồ sơ")
async def get_dossier(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> DossierOut:
    scope = authorise(principal, tenant_id, Need.READ)
    async with deps.sessions() as session:
        record = await dossier_repo.get_dossier(session, scope, tenant_id, dossier_id)
    return presenters.detail(record, principal, deps)


@router.get("/dossiers", response_model=DossierPageOut, summary="Tìm kiếm, lọc hồ sơ")
async def list_dossiers(
    tenant_id: str,
    deps: Deps,
    principal: CurrentPrincipal,
    status: Status | None = None,
    procedure_code: Annotated[str | None, Query(max_length=20)] = None,
    field_code: Annotated[str | None, Query(max_length=40)] = None,
    received_from: Annotated[BoundedDate | None, Query(description="Từ ngày tiếp nhận")] = None,
    received_to: Annotated[
        BoundedDate | None, Query(description="Đến ngày tiếp nhận (kể cả)")
    ] = None,
    due_today: Annotated[bool, Query(description="Hồ sơ đến hạn hôm nay")] = False,
    late: Annotated[bool | None, Query(description="Hồ sơ trễ hạn")] = None,
    code: Annotated[str | None, Query(max_length=80, description="Mã hồ sơ")] = None,
    q: Annotated[Text | None, Query(max_length=100, description="Họ tên người nộp")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> DossierPageOut:
    scope = authorise(principal, tenant_id, Need.READ)
    name = q if q and q.strip() else None
    check_personal_search(principal, by_personal_data=name is not None)
    now = deps.clock.now()
    due_from = due_to = None
    if due_today:
        due_from, due_to = local_day_bounds(now.astimezone(VN).date())
    filters = search_repo.SearchFilters(
        status=status,
        procedure_code=procedure_code,
        field_code=field_code,
        received_from=local_day_bounds(received_from)[0] if received_from else None,
        received_to=local_day_bounds(received_to)[1] if received_to else None,
        due_from=due_from,
        due_to=due_to,
        late=late,
        code=code,
        applicant_name=name,
    )
    async with deps.sessions() as session:
        records, next_cursor = await search_repo.search(
            session, scope, tenant_id, filters, now=now, limit=limit, cursor=cursor
        )
    return DossierPageOut(
        items=[presenters.summary(r, principal, now) for r in records], next_cursor=next_cursor
    )
