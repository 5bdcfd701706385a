"""Errors a person may read: a stable machine code and a Vietnamese message (the platform's
errors; notify's own base answers 400 unless a subclass says otherwise)."""

from __future__ import annotations

from motcua_platform.domain_errors import Conflict, DomainError, Forbidden, NotFound

__all__ = ["Conflict", "Forbidden", "Invalid", "NotFound", "NotifyError"]


class NotifyError(DomainError):
    status = 400


class Invalid(NotifyError):
    status = 422
