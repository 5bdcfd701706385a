"""The tenant registry for operators: onboarding, lifecycle, listing, mergers. Thin."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.exc import IntegrityError

from intake.adapters import tenant_repo
from intake.adapters.catalogue_limits import statutory_working_days
from intake.application.commands import ConfigureTenant, MergeTenants
from intake.application.configure_tenant import Outcome, configure_tenant
from intake.application.merge_tenants import merge_tenants
from intake.domain.access import Need, Role, authorise
from intake.domain.errors import Forbidden, NotFound
from intake.entrypoints import presenters
from intake.entrypoints.deps import CurrentPrincipal, Deps
from intake.entrypoints.errors import ERROR_RESPONSES
from intake.entrypoints.schemas_in import MergeIn, TenantIn
from intake.entrypoints.schemas_out import MergeOut, TenantListOut, TenantOut

router = APIRouter(prefix="/api/v1/tenants", tags=["đơn vị"], responses=ERROR_RESPONSES)


def command(tenant_id: str, body: TenantIn) -> ConfigureTenant:
    return ConfigureTenant(
        tenant_id=tenant_id,
        name_vi=body.name_vi,
        unit_type=body.unit_type,
        province_code=body.province_code,
        agency_code=body.agency_code,
        unit_code=body.unit_code,
        status=body.status,
        config=body.document(),
    )


@router.get("", response_model=TenantListOut, summary="Danh sách đơn vị cấp xã")
async def list_tenants(deps: Deps, principal: CurrentPrincipal) -> TenantListOut:
    if not principal.has(Role.OPERATOR, Role.PROVINCE_MONITOR):
        raise Forbidden(
            "auth.forbidden", "Chỉ quản trị viên và giám sát tỉnh xem danh sách đơn vị."
        )
    async with deps.sessions() as session:
        rows = await tenant_repo.list_tenants(session)
    return TenantListOut(items=[presenters.tenant(r) for r in rows])


@router.post("/merge", response_model=MergeOut, summary="Sáp nhập đơn vị: A và B thành C")
async def merge(body: MergeIn, deps: Deps, principal: CurrentPrincipal) -> MergeOut:
    authorise(principal, None, Need.MANAGE_TENANTS)
    target_config = None
    if body.target_config is not None:
        target_config = command(body.target_config.tenant_id, body.target_config)
    report = await merge_tenants(
        deps.sessions,
        MergeTenants(tuple(body.sources), body.target, body.effective_at, target_config),
        now=deps.clock.now(),
        actor=principal.subject,
        statutory_days=statutory_working_days,
        after_commit=deps.after_commit,
    )
    async with deps.sessions() as session:
        target = await tenant_repo.get_tenant(session, report.target)
        sources = [await tenant_repo.get_tenant(session, s) for s in report.sources]
    assert target is not None or report.scheduled
    return MergeOut(
        target=presenters.tenant(target) if target is not None else None,
        sources=[presenters.tenant(s) for s in sources if s is not None],
        moved_dossiers=report.moved,
        closed_dossiers_kept=report.closed_kept,
        scheduled=report.scheduled,
        effective_at=body.effective_at,
    )


@router.put(
    "/{tenant_id}",
    response_model=TenantOut,
    summary="Tạo hoặc cấu hình lại đơn vị cấp xã (gửi lại cùng nội dung: không thay đổi gì)",
)
async def put_tenant(
    tenant_id: str, body: TenantIn, deps: Deps, principal: CurrentPrincipal
) -> Response:
    """`change` in the answer says created, changed or unchanged (then no new revision)."""
    authorise(principal, None, Need.MANAGE_TENANTS)
    cmd = command(tenant_id, body)
    for attempt in (1, 2):
        try:
            async with deps.tenant_changes, deps.sessions() as session, session.begin():
                row, outcome = await configure_tenant(
                    session, cmd, now=deps.clock.now(), statutory_days=statutory_working_days
                )
            break
        except IntegrityError:
            # The same new unit onboarded twice at once: the second sees the first's row.
            tenant_repo.forget(tenant_id)
            if attempt == 2:
                raise
    if outcome is not Outcome.UNCHANGED:
        deps.after_commit()
    # Serialised once here; returned as a model, FastAPI would validate it again first.
    content = presenters.tenant(row, outcome.value).model_dump_json()
    return Response(content, media_type="application/json")


@router.get("/{tenant_id}", response_model=TenantOut, summary="Thông tin đơn vị cấp xã")
async def get_tenant(tenant_id: str, deps: Deps, principal: CurrentPrincipal) -> TenantOut:
    if not principal.has(Role.OPERATOR):
        authorise(principal, tenant_id, Need.READ)
    async with deps.sessions() as session:
        row = await tenant_repo.get_tenant(session, tenant_id)
    if row is None:
        raise NotFound("tenant.unknown", "Không tìm thấy đơn vị hành chính cấp xã này.")
    return presenters.tenant(row)
