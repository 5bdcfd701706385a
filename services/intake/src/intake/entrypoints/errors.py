"""Every 4xx carries a stable machine code and a Vietnamese message, per field: the
platform's handlers, with what intake adds (allowed transitions, tenant problems, Retry-After)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from motcua_platform import errors as platform_errors

from intake.domain.errors import DomainError, InvalidTransition, RateLimited, wait_vi
from intake.domain.tenants import InvalidTenant, TenantInvalidTransition
from intake.entrypoints.actions import paths
from intake.entrypoints.schemas_out import ErrorOut
from intake.entrypoints.views import public_page


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return platform_errors.error_body(code, message, model=ErrorOut, **extra)


def _enrich(exc: DomainError) -> tuple[dict[str, Any], dict[str, str]]:
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidTransition):
        extra["allowed_transitions"] = paths(exc.allowed)
    if isinstance(exc, TenantInvalidTransition):
        extra["allowed_transitions"] = exc.allowed
    if isinstance(exc, InvalidTenant):
        extra["errors"] = [
            {"field": p.field, "code": p.code, "message": p.message} for p in exc.problems
        ]
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return extra, headers


def _wants_html(request: Request) -> bool:
    """A browser (the citizen's look-up) rather than an API client: HTML listed before JSON."""
    accept = request.headers.get("accept", "").lower()
    if "text/html" not in accept:
        return False
    json_at = accept.find("application/json")
    return json_at < 0 or accept.find("text/html") < json_at


def install_error_handlers(app: FastAPI) -> None:
    platform_errors.install_error_handlers(app, enrich=_enrich, model=ErrorOut)

    @app.exception_handler(RateLimited)
    async def _too_many(request: Request, exc: RateLimited) -> Response:
        headers = {"Retry-After": str(exc.retry_after_seconds), "Cache-Control": "no-store"}
        if _wants_html(request):
            wait = wait_vi(exc.retry_after_seconds)
            locked = exc.code == "lookup.locked"
            page = (public_page.code_locked if locked else public_page.too_many_requests)(wait)
            return HTMLResponse(page, status_code=429, headers=headers)
        return JSONResponse(error_body(exc.code, exc.message_vi), status_code=429, headers=headers)


ERROR_RESPONSES = platform_errors.error_responses(
    ErrorOut,
    s409="Xung đột trạng thái (kèm allowed_transitions)",
    s422="Dữ liệu không hợp lệ (mã lỗi và thông báo theo từng trường)",
    s429="Đơn vị gửi quá nhiều yêu cầu (kèm Retry-After)",
)
