"""Every 4xx carries a stable machine code and a Vietnamese message, per field: the
platform's handlers, with what intake adds (allowed transitions, tenant problems, Retry-After)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from motcua_platform import errors as platform_errors

from intake.domain.errors import DomainError, InvalidTransition, TooManyRequests
from intake.domain.tenants import InvalidTenant, TenantInvalidTransition
from intake.entrypoints.actions import paths
from intake.entrypoints.schemas_out import ErrorOut


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
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return extra, headers


def install_error_handlers(app: FastAPI) -> None:
    platform_errors.install_error_handlers(app, enrich=_enrich, model=ErrorOut)


ERROR_RESPONSES = platform_errors.error_responses(
    ErrorOut,
    s409="Xung đột trạng thái (kèm allowed_transitions)",
    s422="Dữ liệu không hợp lệ (mã lỗi và thông báo theo từng trường)",
    s429="Đơn vị gửi quá nhiều yêu cầu (kèm Retry-After)",
)
