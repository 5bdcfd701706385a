"""Rule violations with a stable machine code and a Vietnamese message for the clerk."""

from __future__ import annotations

from collections.abc import Sequence

from motcua_platform.errors import Conflict, DomainError, Forbidden, InvalidFields, NotFound

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidFields",
    "InvalidTransition",
    "NotFound",
    "TooManyRequests",
    "commune_rate_limited",
    "dossier_not_found",
]


def wait_vi(seconds: int) -> str:
    """The wait a person is told, the same as Retry-After: "5 giây", "2 phút", "1 phút 30 giây"."""
    seconds = max(1, seconds)
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút" + (f" {rest} giây" if rest else "")


class TooManyRequests(DomainError):
    status = 429

    def __init__(
        self,
        retry_after_seconds: int,
        code: str = "rate_limited",
        message_vi: str = "Bạn tra cứu quá nhiều lần.",
    ) -> None:
        wait = max(1, retry_after_seconds)
        super().__init__(code, f"{message_vi} Vui lòng thử lại sau {wait_vi(wait)}.")
        self.retry_after_seconds = wait


def commune_rate_limited(retry_after_seconds: int) -> TooManyRequests:
    return TooManyRequests(
        retry_after_seconds,
        "tenant.rate_limited",
        "Đơn vị của bạn đang gửi quá nhiều yêu cầu cùng lúc.",
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
