"""Rule violations with a stable machine code and a Vietnamese message for the clerk."""

from __future__ import annotations

from collections.abc import Sequence

from motcua_platform.domain_errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidFields,
    NotFound,
    RateLimited,
    commune_rate_limited,
    wait_vi,
)

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidFields",
    "InvalidTransition",
    "NotFound",
    "RateLimited",
    "TooManyRequests",
    "commune_rate_limited",
    "dossier_not_found",
    "wait_vi",
]


class TooManyRequests(RateLimited):
    """The public look-up's 429 (a page for a browser, JSON for an API client)."""

    def __init__(
        self,
        retry_after_seconds: int,
        code: str = "rate_limited",
        message_vi: str = "Bạn tra cứu quá nhiều lần.",
    ) -> None:
        super().__init__(retry_after_seconds, code, message_vi)


class InvalidTransition(Conflict):
    """The action is not allowed from the dossier's current state; lists what is."""

    def __init__(self, status: str, action: str, allowed: Sequence[str]) -> None:
        super().__init__(
            "dossier.invalid_transition",
            f"Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “{status}”.",
        )
        self.current_status = status
        self.action = action
        self.allowed = list(allowed)


def dossier_not_found() -> NotFound:
    return NotFound("dossier.not_found", "Không tìm thấy hồ sơ.")
