"""Every 4xx carries a stable machine code and a Vietnamese message, per field."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from intake.domain.errors import DomainError

_VALIDATION_VI = {
    "missing": "Thiếu trường bắt buộc.",
    "extra_forbidden": "Trường không được phép.",
    "string_too_short": "Giá trị quá ngắn.",
    "string_too_long": "Giá trị quá dài.",
    "enum": "Giá trị không thuộc danh sách cho phép.",
    "value_error": "Giá trị không hợp lệ.",
    "json_invalid": "Nội dung JSON không hợp lệ.",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            {"code": exc.code, "message": exc.message_vi, "field": exc.field, "errors": []},
            status_code=exc.status,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None,
                "code": f"validation.{e.get('type', 'invalid')}",
                "message": _VALIDATION_VI.get(e.get("type", ""), "Giá trị không hợp lệ."),
            }
            for e in exc.errors()
        ]
        return JSONResponse(
            {
                "code": "request.invalid",
                "message": "Dữ liệu gửi lên không hợp lệ.",
                "field": None,
                "errors": errors,
            },
            status_code=422,
        )
