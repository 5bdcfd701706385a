"""Every 4xx carries a stable code and a Vietnamese message: the platform's handlers and
body, with notify's word on fields that must never hold a secret."""

from __future__ import annotations

from fastapi import FastAPI
from motcua_platform import errors
from motcua_platform.errors import ErrorOut, FieldError, error_responses

__all__ = ["ERROR_RESPONSES", "ErrorOut", "FieldError", "install_error_handlers"]

_MESSAGES = {
    "extra_forbidden": "Trường không được phép (mật khẩu, khóa bí mật chỉ nhập dạng tham chiếu).",
}

ERROR_RESPONSES = error_responses(s422="Dữ liệu không hợp lệ (mã lỗi và thông báo tiếng Việt)")


def install_error_handlers(app: FastAPI) -> None:
    errors.install_error_handlers(app, messages=_MESSAGES)
