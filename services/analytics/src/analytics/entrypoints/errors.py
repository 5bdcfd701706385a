"""Every 4xx: a stable code and a Vietnamese message (same shape as the platform's auth errors)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from motcua_platform.auth.fastapi import install_auth_errors
from motcua_platform.inputs import INPUT_MESSAGES_VI

from analytics.domain.access import AccessDenied
from analytics.entrypoints.deps import BadQuery

_VALIDATION_VI = {
    "date_from_datetime_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_type": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "literal_error": "Giá trị không thuộc danh sách cho phép.",
    "missing": "Thiếu tham số bắt buộc.",
    **INPUT_MESSAGES_VI,
}


def _body(code: str, message: str, field: str | None = None, errors: list | None = None) -> dict:
    return {"code": code, "message": message, "field": field, "errors": errors or []}


def install_error_handlers(app: FastAPI) -> None:
    install_auth_errors(app)

    @app.exception_handler(AccessDenied)
    async def _denied(_: Request, exc: AccessDenied) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message_vi), status_code=403)

    @app.exception_handler(BadQuery)
    async def _bad(_: Request, exc: BadQuery) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message_vi, exc.field), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": str(e.get("loc", ["", ""])[-1]),
                "code": f"query.{e.get('type', 'invalid')}",
                "message": _VALIDATION_VI.get(str(e.get("type")), "Giá trị không hợp lệ."),
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "Yêu cầu không hợp lệ."}
        return JSONResponse(
            _body("query.invalid", str(first["message"]), first["field"], errors),
            status_code=422,
        )
