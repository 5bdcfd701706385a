"""Errors a person reads, on the web: the JSON body every 4xx has and the FastAPI handlers
that produce it (domain errors, request validation, unknown routes, authentication), so
every service answers in the same shape. The exceptions themselves are in the pure
`motcua_platform.domain_errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from motcua_platform.auth.fastapi import install_auth_errors
from motcua_platform.domain_errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidFields,
    NotFound,
)
from motcua_platform.inputs import INPUT_MESSAGES_VI

# The domain's exceptions live in the pure module; named here for the web layer's callers.
__all__ = [
    "Conflict",
    "DomainError",
    "ErrorOut",
    "FieldError",
    "Forbidden",
    "InvalidFields",
    "NotFound",
    "error_body",
    "error_responses",
    "errors_as_json",
    "field_errors",
    "install_error_handlers",
]


class FieldError(BaseModel):
    field: str | None = Field(examples=["applicant.phone"])
    code: str = Field(examples=["validation.missing"])
    message: str = Field(examples=["Thiếu trường bắt buộc."])


class ErrorOut(BaseModel):
    code: str = Field(examples=["request.invalid"])
    message: str = Field(examples=["Dữ liệu gửi lên không hợp lệ."])
    field: str | None = None
    errors: list[FieldError] = []


VALIDATION_VI: dict[str, str] = {
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
    "date_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_from_datetime_parsing": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "date_type": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
    "datetime_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "timezone_aware": "Thời điểm phải kèm múi giờ (ví dụ +07:00).",
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
    **INPUT_MESSAGES_VI,
}
_HTTP_VI = {
    404: ("route.not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method.not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này."),
}

# What a service may add to a domain error's body and headers (e.g. allowed transitions).
Enrich = Callable[[DomainError], tuple[dict[str, Any], dict[str, str]]]


def error_body(
    code: str, message: str, *, model: type[ErrorOut] = ErrorOut, **extra: Any
) -> dict[str, Any]:
    return model(code=code, message=message, **extra).model_dump()


def field_errors(
    exc: RequestValidationError, messages: Mapping[str, str] = VALIDATION_VI
) -> list[dict[str, Any]]:
    """One entry per invalid field: dotted path without the location, code, Vietnamese text."""
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ())]
        kind = e.get("type", "invalid")
        # A rule's own code (PydanticCustomError("applicant.phone.invalid", "<Vietnamese>"))
        # is kept with its message; pydantic's built-in kinds get the texts above.
        own = "." in kind
        out.append(
            {
                "field": ".".join(loc[1:]) or (loc[0] if loc else None),
                "code": kind if own else f"validation.{kind}",
                "message": e.get("msg", "") if own else messages.get(kind, "Giá trị không hợp lệ."),
            }
        )
    return out


def install_error_handlers(
    app: FastAPI,
    *,
    domain_error: type[DomainError] = DomainError,
    messages: Mapping[str, str] | None = None,
    enrich: Enrich | None = None,
    model: type[ErrorOut] = ErrorOut,
) -> None:
    """`messages` adds or replaces validation texts; `enrich` adds body fields (declared by
    `model`, a subclass of ErrorOut) and headers."""
    texts = {**VALIDATION_VI, **(messages or {})}
    install_auth_errors(app)

    @app.exception_handler(domain_error)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        extra, headers = enrich(exc) if enrich is not None else ({}, {})
        if isinstance(exc, InvalidFields) and "errors" not in extra:
            extra["errors"] = [
                {"field": p.field, "code": p.code, "message": p.message_vi} for p in exc.problems
            ]
        body = error_body(exc.code, exc.message_vi, model=model, **({"field": exc.field} | extra))
        return JSONResponse(body, status_code=exc.status, headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc, texts)
        body = error_body(
            "request.invalid",
            "Dữ liệu gửi lên không hợp lệ.",
            model=model,
            field=errors[0]["field"] if errors else None,
            errors=errors,
        )
        return JSONResponse(body, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code, message = _HTTP_VI.get(exc.status_code, ("request.error", "Yêu cầu không hợp lệ."))
        return JSONResponse(
            error_body(code, message, model=model),
            status_code=exc.status_code,
            headers=exc.headers,
        )


def error_responses(
    model: type[BaseModel] = ErrorOut, **descriptions: str
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the usual 4xx; `descriptions` overrides texts by "s<status>"."""
    texts = {
        401: "Chưa đăng nhập hoặc phiên không hợp lệ",
        403: "Không có quyền (vai trò hoặc đơn vị khác)",
        404: "Không tìm thấy",
        409: "Xung đột trạng thái",
        422: "Dữ liệu không hợp lệ",
        429: "Gửi quá nhiều yêu cầu (kèm Retry-After)",
    }
    for key, text in descriptions.items():
        texts[int(key.removeprefix("s"))] = text
    return {status: {"model": model, "description": text} for status, text in texts.items()}


def errors_as_json(schema: dict[str, Any]) -> dict[str, Any]:
    """Every error answer is JSON (the handlers above), also on routes that answer HTML or PDF.

    FastAPI documents a route's extra responses in the route's own media type, so a receipt's
    404 was declared `text/html` while the server sends the JSON error body: a client (or
    schemathesis) reading the OpenAPI expected the wrong thing. Moved to `application/json`.
    Error pages a route declares itself (HTML for a citizen's browser, no model) stay.
    """
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if not str(status).startswith(("4", "5")) or not content:
                    continue
                if "application/json" in content:
                    continue  # declared on purpose (e.g. HTML for browsers, JSON for apps)
                modelled = [
                    media for media in content.values() if "$ref" in media.get("schema", {})
                ]
                if modelled:  # an error model FastAPI filed under the route's media type
                    response["content"] = {"application/json": modelled[0]}
    return schema
