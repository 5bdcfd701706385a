"""Rule violations with a stable machine code and a Vietnamese message for the official."""

from __future__ import annotations


class DomainError(Exception):
    status = 422

    def __init__(self, code: str, message_vi: str, *, field: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message_vi = message_vi
        self.field = field


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


def dossier_not_found() -> NotFound:
    return NotFound("dossier.not_found", "Không tìm thấy hồ sơ.")
