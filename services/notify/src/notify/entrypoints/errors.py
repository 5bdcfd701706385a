"""Every 4xx carries a stable code and a Vietnamese message, like the other services."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from motcua_platform.auth.fastapi import install_auth_errors
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from notify.domain.errors import NotifyError


class FieldError(BaseModel):
    field: str | None
    code: str
    message: str


class ErrorOut(BaseModel):
    code: str
    message: str
    field: str | None = None
    errors: list[FieldError] = []


_VALIDATION_VI = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường không được phép (mật khẩu, khóa bí mật chỉ nhập dạng tham chiếu).",
    "string_pattern_mismatch": "Giá trị không đúng định dạng.",
    "enum": "Giá trị không thuộc danh sách cho phép.",
    "literal_error": "Giá trị không thuộc danh sách cho phép.",
    "value_error": "Giá trị không hợp lệ.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
}
_HTTP_VI = {
    404: ("route.not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method.not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này."),
}


def _body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return ErrorOut(code=code, message=message, **extra).model_dump()


def install_error_handlers(app: FastAPI) -> None:
    install_auth_errors(app)

    @app.exception_handler(NotifyError)
    async def _domain(_: Request, exc: NotifyError) -> JSONResponse:
        return JSONResponse(
            _body(exc.code, exc.message_vi, field=exc.field), status_code=exc.status
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
        return JSONResponse(
            _body(
                "request.invalid",
                "Dữ liệu gửi lên không hợp lệ.",
                field=errors[0]["field"] if errors else None,
                errors=errors,
            ),
            status_code=422,
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code, message = _HTTP_VI.get(exc.status_code, ("request.error", "Yêu cầu không hợp lệ."))
        return JSONResponse(_body(code, message), status_code=exc.status_code, headers=exc.headers)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in {
        401: "Chưa đăng nhập hoặc phiên không hợp lệ",
        403: "Không có quyền (vai trò hoặc đơn vị khác)",
        404: "Không tìm thấy",
        409: "Xung đột trạng thái",
        422: "Dữ liệu không hợp lệ (mã lỗi và thông báo tiếng Việt)",
    }.items()
}
