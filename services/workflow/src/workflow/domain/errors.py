"""Rule violations with a stable machine code and a Vietnamese message for the official
(the platform's errors: every service answers in the same shape)."""

from __future__ import annotations

from motcua_platform.domain_errors import Conflict, DomainError, Forbidden, NotFound

__all__ = ["Conflict", "DomainError", "Forbidden", "NotFound", "dossier_not_found"]


def dossier_not_found() -> NotFound:
    return NotFound("dossier.not_found", "Không tìm thấy hồ sơ.")
