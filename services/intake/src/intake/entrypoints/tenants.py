"""A minimal tenant registry: the operator creates and configures commune-level units."""

from __future__ import annotations

from fastapi import APIRouter

from intake.adapters import tenant_repo
from intake.domain.access import Need, Role, authorise
from intake.domain.errors import DomainError, NotFound
from intake.entrypoints import presenters
from intake.entrypoints.deps import CurrentPrincipal, Deps
from intake.entrypoints.errors import ERROR_RESPONSES
from intake.entrypoints.schemas_in import TenantIn
from intake.entrypoints.schemas_out import TenantOut

router = APIRouter(prefix="/api/v1/tenants", tags=["đơn vị"], responses=ERROR_RESPONSES)


def _check_config(config: dict[str, object]) -> None:
    import motcua_clock as mc

    try:
        mc.TenantConfig.from_dict(config)
    except mc.CalendarError as exc:
        raise DomainError("tenant.config_invalid", exc.message_vi, field="config") from exc


@router.put("/{tenant_id}", response_model=TenantOut, summary="Tạo hoặc cập nhật đơn vị cấp xã")
async def put_tenant(
    tenant_id: str, body: TenantIn, deps: Deps, principal: CurrentPrincipal
) -> TenantOut:
    authorise(principal, None, Need.MANAGE_TENANTS)
    _check_config(body.config)
    values = {"tenant_id": tenant_id, **body.model_dump()}
    async with deps.sessions() as session, session.begin():
        await tenant_repo.upsert_tenant(session, values, deps.clock.now())
        row = await tenant_repo.get_tenant(session, tenant_id)
    assert row is not None
    return presenters.tenant(row)


@router.get("/{tenant_id}", response_model=TenantOut, summary="Thông tin đơn vị cấp xã")
async def get_tenant(tenant_id: str, deps: Deps, principal: CurrentPrincipal) -> TenantOut:
    if not principal.has(Role.OPERATOR):
        authorise(principal, tenant_id, Need.READ)
    async with deps.sessions() as session:
        row = await tenant_repo.get_tenant(session, tenant_id)
    if row is None:
        raise NotFound("tenant.unknown", "Không tìm thấy đơn vị hành chính cấp xã này.")
    return presenters.tenant(row)
