"""A commune's notify settings (operator) and the rules in force (everyone who may read)."""

from __future__ import annotations

from fastapi import APIRouter
from motcua_platform.errors import InvalidFields
from pydantic import BaseModel

from notify.adapters import store
from notify.domain.access import Need, authorise
from notify.domain.rules import DEFAULT_RULES, apply_overrides
from notify.domain.tenant_settings import TenantSettings
from notify.entrypoints.deps import CurrentPrincipal, Deps
from notify.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}", tags=["cấu hình thông báo"], responses=ERROR_RESPONSES
)


@router.get(
    "/notify-settings", response_model=TenantSettings, summary="Cấu hình gửi tin của đơn vị"
)
async def get_settings(tenant_id: str, deps: Deps, principal: CurrentPrincipal) -> TenantSettings:
    authorise(principal, tenant_id, Need.MANAGE)
    async with deps.sessions() as session:
        return (await store.load_tenant(session, tenant_id)).settings


@router.put(
    "/notify-settings",
    response_model=TenantSettings,
    summary="Lưu cấu hình gửi tin (khóa bí mật chỉ ở dạng tham chiếu env:/file:)",
)
async def put_settings(
    tenant_id: str, body: TenantSettings, deps: Deps, principal: CurrentPrincipal
) -> TenantSettings:
    authorise(principal, tenant_id, Need.MANAGE)
    # Only what the deployment declares: secrets in its folder or by its names, gateway hosts
    # on its list; every refusal at once, the values never echoed.
    refused = deps.policy.refusals(body, deps.secrets.allows)
    if refused:
        raise InvalidFields(refused)
    async with deps.sessions() as session, session.begin():
        await store.save_settings(
            session, tenant_id, body, by=principal.subject, now=deps.clock.now()
        )
    return body


class RuleOut(BaseModel):
    event_type: str
    kind: str
    recipient: str
    chain: list[str]
    online_chain: list[str] | None
    best_effort: bool
    once_per_dossier: bool


@router.get("/notify-rules", response_model=list[RuleOut], summary="Quy tắc gửi tin đang áp dụng")
async def rules(tenant_id: str, deps: Deps, principal: CurrentPrincipal) -> list[RuleOut]:
    authorise(principal, tenant_id, Need.READ)
    async with deps.sessions() as session:
        tenant = await store.load_tenant(session, tenant_id)
    return [
        RuleOut(
            event_type=r.event_type,
            kind=r.kind,
            recipient=r.recipient,
            chain=list(r.chain),
            online_chain=list(r.online_chain) if r.online_chain else None,
            best_effort=r.best_effort,
            once_per_dossier=r.once_per_dossier,
        )
        for r in apply_overrides(DEFAULT_RULES, tenant.settings.overrides())
    ]
