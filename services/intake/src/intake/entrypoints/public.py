"""Public pages (no login): the QR link, look-up by code + phone, the rating form. Rate-limited."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from motcua_platform.inputs import clean_text

from intake.application.commands import RateSatisfaction
from intake.application.public_lookup import find_by_code_and_phone, find_by_token, public_view
from intake.application.rate_satisfaction import rate_satisfaction
from intake.domain.errors import DomainError
from intake.domain.satisfaction import SatisfactionLevel
from intake.entrypoints.deps import Deps, rate_limited
from intake.entrypoints.schemas_out import ErrorOut
from intake.entrypoints.views import public_page

router = APIRouter(tags=["tra cứu công khai"], dependencies=[Depends(rate_limited)])
_HTML: dict[str, object] = {"content": {"text/html": {}}}
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {**_HTML, "description": "Trang HTML"},
    404: {**_HTML, "description": "Không tìm thấy hồ sơ"},
    422: {
        "model": ErrorOut,
        **{"content": {"text/html": {}, "application/json": {}}},
        "description": "Tham số không hợp lệ: JSON (tham số của đường dẫn), trang HTML (biểu mẫu)",
    },
    429: {
        "model": ErrorOut,
        **{"content": {"text/html": {}, "application/json": {}}},
        "description": "Tra cứu quá nhiều lần: trang HTML cho trình duyệt, JSON cho ứng dụng "
        "(kèm Retry-After)",
    },
}
_NOT_FOUND = ("Không tìm thấy hồ sơ", "Đường dẫn không đúng hoặc hồ sơ không còn tra cứu được.")
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=_HEADERS)


@router.get(
    "/tra-cuu/{token}",
    response_class=HTMLResponse,
    responses=_RESPONSES,
    summary="Trang tra cứu qua mã QR trên giấy hẹn",
)
async def by_token(token: str, deps: Deps) -> HTMLResponse:
    async with deps.sessions() as session:
        record = await find_by_token(session, deps.tokens, token)
        if record is None:
            return _html(public_page.message(*_NOT_FOUND), 404)
        view = await public_view(
            session, record, tokens=deps.tokens, clock=deps.statutory, now=deps.clock.now()
        )
    return _html(public_page.dossier(view))


@router.get(
    "/tra-cuu",
    response_class=HTMLResponse,
    responses=_RESPONSES,
    summary="Tra cứu bằng mã hồ sơ và 4 số cuối điện thoại",
)
async def by_code(
    deps: Deps,
    ma: Annotated[str | None, Query(max_length=80, description="Mã hồ sơ")] = None,
    sdt4: Annotated[
        str | None, Query(pattern=r"^\d{4}$", description="4 số cuối điện thoại")
    ] = None,
) -> HTMLResponse:
    if not ma or not sdt4:
        return _html(public_page.search_form())
    async with deps.sessions() as session:
        async with session.begin():  # the attempt is counted even when the digits are wrong
            record = await find_by_code_and_phone(
                session, ma, sdt4, guard=deps.lookup_guard, now=deps.clock.now()
            )
        if record is None:
            return _html(
                public_page.search_form("Không tìm thấy hồ sơ khớp mã và số điện thoại."), 404
            )
        view = await public_view(
            session, record, tokens=deps.tokens, clock=deps.statutory, now=deps.clock.now()
        )
    return _html(public_page.dossier(view))


_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["level"],
                    "properties": {
                        "level": {"type": "string", "enum": [lv.value for lv in SatisfactionLevel]},
                        "comment": {"type": "string", "maxLength": 1000},
                        **{
                            f"c_{k}": {"type": "string", "enum": ["", "0", "1", "2"]}
                            for k in ("total_time", "attitude")
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/tra-cuu/{token}/danh-gia",
    response_class=HTMLResponse,
    responses={**_RESPONSES, 409: {**_HTML, "description": "Chưa thể hoặc đã đánh giá"}},
    openapi_extra=_FORM_BODY,
    summary="Công dân đánh giá mức độ hài lòng",
)
async def rate(token: str, request: Request, deps: Deps) -> HTMLResponse:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    try:
        level = SatisfactionLevel(form.get("level", ""))
        criteria = {k[2:]: int(v) for k, v in form.items() if k.startswith("c_") and v != ""}
        comment = clean_text((form.get("comment") or "")[:1000], multiline=True)
    except ValueError:  # also control characters in the comment
        return _html(
            public_page.message("Chưa gửi được đánh giá", "Vui lòng chọn mức độ hài lòng."), 422
        )
    cmd = RateSatisfaction(level, "link", criteria, comment)
    now = deps.clock.now()
    async with deps.sessions() as session:
        async with session.begin():
            record = await find_by_token(session, deps.tokens, token)
            if record is None:
                return _html(public_page.message(*_NOT_FOUND), 404)
            try:
                await rate_satisfaction(session, record, cmd, actor="citizen", now=now)
            except DomainError as exc:
                return _html(
                    public_page.message("Chưa gửi được đánh giá", exc.message_vi),
                    409 if exc.status == 409 else 422,
                )
        deps.after_commit()
        record = await find_by_token(session, deps.tokens, token)
        assert record is not None
        view = await public_view(session, record, tokens=deps.tokens, clock=deps.statutory, now=now)
    return _html(public_page.dossier(view, notice="Cảm ơn bạn đã đánh giá."))
