"""Rule violations with a stable machine code and a Vietnamese message for the clerk."""

from __future__ import annotations

from collections.abc import Sequence

from motcua_platform.errors import Conflict, DomainError, Forbidden, NotFound

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidTransition",
    "NotFound",
    "TooManyRequests",
    "commune_rate_limited",
    "dossier_not_found",
]


class TooManyRequests(DomainError):
    status = 429

    def __init__(
        self,
        retry_after_seconds: int,
        code: str = "rate_limited",
        message_vi: str = "Bạn tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.",
    ) -> None:
        super().__init__(code, message_vi)
        self.retry_after_seconds = retry_after_seconds


def commune_rate_limited(retry_after_seconds: int) -> TooManyRequests:
    return TooManyRequests(
        retry_after_seconds,
        "tenant.rate_limited",
        "Đơn vị của bạn đang gửi quá nhiều yêu cầu cùng lúc. Vui lòng thử lại sau ít giây.",
    )


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
