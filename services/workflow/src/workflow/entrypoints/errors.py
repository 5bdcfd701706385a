"""Every error carries a stable machine code and a Vietnamese message."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from motcua_platform.auth.fastapi import install_auth_errors
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from workflow.domain.errors import DomainError


class ErrorOut(BaseModel):
    code: str
    message: str
    field: str | None = None
    errors: list[dict[str, Any]] = []


_VALIDATION_VI = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường không được phép.",
    "string_too_short": "Giá trị quá ngắn.",
    "string_too_long": "Giá trị quá dài.",
    "enum": "Giá trị không thuộc danh sách cho phép.",
    "literal_error": "Giá trị không thuộc danh sách cho phép.",
    "datetime_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "timezone_aware": "Thời điểm phải kèm múi giờ (ví dụ +07:00).",
    "date_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_from_datetime_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "int_parsing": "Giá trị phải là số nguyên.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
    "value_error": "Giá trị không hợp lệ.",
}
_HTTP_VI = {
    404: ("route.not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method.not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này."),
}


def install_error_handlers(app: FastAPI) -> None:
    install_auth_errors(app)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        body = ErrorOut(code=exc.code, message=exc.message_vi, field=exc.field)
        return JSONResponse(body.model_dump(), status_code=exc.status)

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
        body = ErrorOut(
            code="request.invalid",
            message="Dữ liệu gửi lên không hợp lệ.",
            field=errors[0]["field"] if errors else None,
            errors=errors,
        )
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code, message = _HTTP_VI.get(exc.status_code, ("request.error", "Yêu cầu không hợp lệ."))
        body = ErrorOut(code=code, message=message)
        return JSONResponse(body.model_dump(), status_code=exc.status_code, headers=exc.headers)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in {
        401: "Chưa đăng nhập hoặc phiên không hợp lệ",
        403: "Không có quyền (vai trò hoặc đơn vị khác)",
        404: "Không tìm thấy",
        409: "Xung đột trạng thái",
        422: "Dữ liệu không hợp lệ",
    }.items()
}
