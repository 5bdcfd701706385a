"""Errors a person may read: a stable machine code and a Vietnamese message."""

from __future__ import annotations


class NotifyError(Exception):
    status = 400

    def __init__(self, code: str, message_vi: str, *, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message_vi = message_vi
        self.field = field


class NotFound(NotifyError):
    status = 404


class Forbidden(NotifyError):
    status = 403


class Invalid(NotifyError):
    status = 422


class Conflict(NotifyError):
    status = 409
