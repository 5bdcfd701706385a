"""Every 4xx carries a stable machine code and a Vietnamese message, per field."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from intake.domain.errors import DomainError, InvalidTransition, TooManyRequests
from intake.domain.tenants import InvalidTenant, TenantInvalidTransition
from intake.entrypoints.schemas_out import ErrorOut

_VALIDATION_VI = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường không được phép.",
    "string_too_short": "Giá trị quá ngắn.",
    "string_too_long": "Giá trị quá dài.",
    "string_pattern_mismatch": "Giá trị không đúng định dạng.",
    "string_type": "Giá trị phải là chuỗi ký tự.",
    "enum": "Giá trị không thuộc danh sách cho phép.",
    "literal_error": "Giá trị không thuộc danh sách cho phép.",
    "value_error": "Giá trị không hợp lệ.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "date_from_datetime_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_type": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "datetime_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "int_parsing": "Giá trị phải là số nguyên.",
    "int_type": "Giá trị phải là số nguyên.",
    "bool_parsing": "Giá trị phải là true hoặc false.",
    "bool_type": "Giá trị phải là true hoặc false.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "too_short": "Danh sách không được để trống.",
    "too_long": "Danh sách có quá nhiều phần tử.",
    "list_type": "Giá trị phải là một danh sách.",
    "dict_type": "Giá trị phải là một đối tượng.",
    "model_attributes_type": "Giá trị phải là một đối tượng.",
}
_HTTP_VI = {
    404: ("route.not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method.not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này."),
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return ErrorOut(code=code, message=message, **extra).model_dump()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        extra: dict[str, Any] = {"field": exc.field}
        headers: dict[str, str] = {}
        if isinstance(exc, InvalidTransition | TenantInvalidTransition):
            extra["allowed_transitions"] = exc.allowed
        if isinstance(exc, InvalidTenant):
            extra["errors"] = [
                {"field": p.field, "code": p.code, "message": p.message} for p in exc.problems
            ]
        if isinstance(exc, TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(
            error_body(exc.code, exc.message_vi, **extra), status_code=exc.status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for e in exc.errors():
            loc = [str(p) for p in e.get("loc", ())]
            kind = e.get("type", "invalid")
            errors.append(
                {
                    "field": ".".join(loc[1:]) or (loc[0] if loc else None),
                    "code": f"validation.{kind}",
                    "message": _VALIDATION_VI.get(kind, "Giá trị không hợp lệ."),
                }
            )
        first = errors[0]["field"] if errors else None
        return JSONResponse(
            error_body(
                "request.invalid", "Dữ liệu gửi lên không hợp lệ.", field=first, errors=errors
            ),
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code, message = _HTTP_VI.get(exc.status_code, ("request.error", "Yêu cầu không hợp lệ."))
        return JSONResponse(
            error_body(code, message), status_code=exc.status_code, headers=exc.headers
        )


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in {
        401: "Chưa đăng nhập hoặc phiên không hợp lệ",
        403: "Không có quyền (vai trò hoặc đơn vị khác)",
        404: "Không tìm thấy",
        409: "Xung đột trạng thái (kèm allowed_transitions)",
        422: "Dữ liệu không hợp lệ (mã lỗi và thông báo theo từng trường)",
        429: "Đơn vị gửi quá nhiều yêu cầu (kèm Retry-After)",
    }.items()
}
