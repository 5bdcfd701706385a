"""Message templates: the packaged defaults, a commune's versions, checks and previews."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any, Literal

import jinja2
from fastapi import APIRouter, Query, Response
from motcua_platform.inputs import MultilineText, Text
from motcua_platform.vntime import VnDateTime
from pydantic import BaseModel, Field

from notify.adapters import store
from notify.adapters import templates_db as template_store
from notify.application.letters import compose_letter
from notify.application.ports import Contact
from notify.application.templating import (
    TEXT_CHANNELS,
    Template,
    default_template,
    default_templates,
)
from notify.domain.access import Need, authorise
from notify.domain.errors import Invalid, NotFound
from notify.domain.kinds import Channel, Kind, Recipient
from notify.domain.variables import allowed, sample
from notify.domain.vocabulary import local
from notify.entrypoints.deps import CurrentPrincipal, Deps
from notify.entrypoints.errors import ERROR_RESPONSES

router = APIRouter(
    prefix="/api/v1/communes/{tenant_id}/templates",
    tags=["mẫu thông báo"],
    responses=ERROR_RESPONSES,
)
Edition = Annotated[str, Query(max_length=20, pattern=r"^[a-z0-9_]*$", description="tt01_2018…")]


class TemplateOut(BaseModel):
    kind: Kind
    channel: Channel
    edition: str
    version: int = Field(description="0: mẫu mặc định của hệ thống")
    subject: str | None
    body: str
    variables: list[str]
    created_at: VnDateTime | None = None
    created_by: str | None = None


class TemplateIn(BaseModel):
    subject: Text | None = Field(default=None, max_length=300)
    body: MultilineText = Field(min_length=1, max_length=20_000)


class PreviewIn(BaseModel):
    subject: Text | None = Field(default=None, max_length=300)
    body: MultilineText | None = Field(
        default=None, max_length=20_000, description="Bản nháp; trống: mẫu đang dùng"
    )
    data: dict[str, Any] = Field(default_factory=dict, description="Giá trị thay cho dữ liệu mẫu")


class PreviewOut(BaseModel):
    subject: str | None
    body: str


def _out(t: Template, created_at: datetime | None = None, by: str | None = None) -> TemplateOut:
    return TemplateOut(
        kind=t.kind,
        channel=t.channel,
        edition=t.edition,
        version=t.version,
        subject=t.subject,
        body=t.body,
        variables=sorted(allowed(t.kind)),
        created_at=created_at,
        created_by=by,
    )


def _text_channel(channel: Channel) -> None:
    if channel not in TEXT_CHANNELS:
        raise Invalid(
            "template.channel", "Kênh Zalo dùng mẫu ZNS đã được Zalo duyệt, cấu hình theo mã mẫu."
        )


@router.get("", response_model=list[TemplateOut], summary="Mẫu đang dùng của đơn vị")
async def list_templates(
    tenant_id: str, deps: Deps, principal: CurrentPrincipal
) -> list[TemplateOut]:
    authorise(principal, tenant_id, Need.READ)
    out = []
    async with deps.read_sessions() as session:
        for kind, channel, edition in sorted(default_templates()):
            found = await template_store.latest(session, tenant_id, kind, channel, edition)
            out.append(
                _out(
                    found
                    if found and found.edition == edition
                    else default_templates()[(kind, channel, edition)]
                )
            )
    return out


@router.get(
    "/{kind}/{channel}", response_model=list[TemplateOut], summary="Các phiên bản của một mẫu"
)
async def template_versions(
    tenant_id: str,
    kind: Kind,
    channel: Channel,
    deps: Deps,
    principal: CurrentPrincipal,
    edition: Edition = "",
) -> list[TemplateOut]:
    authorise(principal, tenant_id, Need.READ)
    async with deps.read_sessions() as session:
        saved = await template_store.versions(session, tenant_id, kind, channel, edition)
    out = [_out(t, at, by) for t, at, by in saved]
    default = default_template(kind, channel, edition)
    if default is not None:
        out.append(_out(default))
    if not out:
        raise NotFound("template.not_found", "Không có mẫu cho loại thông báo và kênh này.")
    return out


@router.put("/{kind}/{channel}", response_model=TemplateOut, summary="Lưu phiên bản mới của mẫu")
async def save_template(
    tenant_id: str,
    kind: Kind,
    channel: Channel,
    body: TemplateIn,
    deps: Deps,
    principal: CurrentPrincipal,
    edition: Edition = "",
) -> TemplateOut:
    authorise(principal, tenant_id, Need.MANAGE)
    _text_channel(channel)
    draft = Template(kind, channel, edition, body.subject, body.body)
    await deps.engine.check(draft)  # a missing variable is refused here, never blank in a letter
    now = deps.clock.now()
    async with deps.sessions() as session, session.begin():
        version = await template_store.save(
            session, tenant_id, draft, by=principal.subject, now=now
        )
    deps.templates.forget(tenant_id)
    return _out(
        Template(kind, channel, edition, body.subject, body.body, version), now, principal.subject
    )


@router.post(
    "/{kind}/{channel}/preview",
    response_model=PreviewOut,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="Xem trước mẫu với dữ liệu mẫu hoặc dữ liệu cho trước",
)
async def preview(
    tenant_id: str,
    kind: Kind,
    channel: Channel,
    body: PreviewIn,
    deps: Deps,
    principal: CurrentPrincipal,
    edition: Edition = "",
    format: Annotated[Literal["text", "pdf"], Query()] = "text",
) -> Any:
    authorise(principal, tenant_id, Need.READ)
    _text_channel(channel)
    unknown = sorted(set(body.data) - allowed(kind))
    if unknown:
        raise Invalid(
            "template.unknown_variable",
            "Biến không có cho loại thông báo này: " + ", ".join(unknown),
        )
    if body.body is not None:
        template = Template(kind, channel, edition, body.subject, body.body)
        await deps.engine.check(template)
    else:
        found = await deps.templates.active(tenant_id, kind, channel, edition)
        if found is None:
            raise NotFound("template.not_found", "Không có mẫu cho loại thông báo và kênh này.")
        template = found
    try:
        rendered = await deps.engine.render(template, {**sample(kind), **body.data})
    except (jinja2.TemplateError, TypeError, ValueError) as exc:  # values given in `data`
        raise Invalid(
            "template.render_error", f"Không hiển thị được mẫu với dữ liệu đã cho: {exc}"
        ) from exc
    if format == "pdf" and channel is Channel.LETTER:
        async with deps.read_sessions() as session:
            tenant = await store.load_tenant(session, tenant_id)
        letter = compose_letter(
            tenant,
            rendered,
            Contact(full_name="Lò Thị Hoa", address="Bản Hìn, xã Chiềng Khương"),
            number="01/MẪU",
            day=local(deps.clock.now()).date(),
            recipient=Recipient.APPLICANT,
        )
        pdf = await asyncio.to_thread(deps.letters.render, letter)  # CPU: off the event loop
        return Response(pdf, media_type="application/pdf")
    return PreviewOut(subject=rendered.subject, body=rendered.body)
