"""Service-to-service endpoints. Notify gets contact data here at send time, never via events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from intake.application.disclose_contact import (
    ContactChannel,
    disclose_contact,
    disclose_missing_items,
)
from intake.domain.access import Need, authorise
from intake.entrypoints.deps import CurrentPrincipal, Deps
from intake.entrypoints.errors import ERROR_RESPONSES
from intake.entrypoints.schemas_out import ContactOut, MissingItemsOut

router = APIRouter(prefix="/internal/v1", tags=["nội bộ"], responses=ERROR_RESPONSES)


@router.get(
    "/communes/{tenant_id}/dossiers/{dossier_id}/contact",
    response_model=ContactOut,
    summary="Địa chỉ liên lạc cho một lần gửi thông báo (chỉ dịch vụ notify, token của đơn vị)",
)
async def contact(
    tenant_id: str,
    dossier_id: str,
    deps: Deps,
    principal: CurrentPrincipal,
    channel: ContactChannel,
    purpose: Annotated[str, Query(min_length=1, max_length=60, examples=["receipt_confirmation"])],
) -> ContactOut:
    authorise(principal, tenant_id, Need.CONTACT)
    async with deps.sessions() as session, session.begin():
        values = await disclose_contact(
            session,
            tenant_id=tenant_id,
            dossier_id=dossier_id,
            channel=channel,
            actor=principal.subject,
            purpose=purpose,
            now=deps.clock.now(),
        )
    return ContactOut(dossier_id=dossier_id, channel=channel.value, **values)


@router.get(
    "/communes/{tenant_id}/dossiers/{dossier_id}/missing-items",
    response_model=MissingItemsOut,
    summary="Danh sách giấy tờ cần bổ sung cho thư/tin Mẫu 02 (chỉ dịch vụ notify)",
)
async def missing_items(
    tenant_id: str, dossier_id: str, deps: Deps, principal: CurrentPrincipal
) -> MissingItemsOut:
    authorise(principal, tenant_id, Need.CONTACT)
    async with deps.sessions() as session, session.begin():
        items = await disclose_missing_items(
            session,
            tenant_id=tenant_id,
            dossier_id=dossier_id,
            actor=principal.subject,
            now=deps.clock.now(),
        )
    return MissingItemsOut(dossier_id=dossier_id, missing_items=items)
