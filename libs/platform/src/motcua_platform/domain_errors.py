"""Rule violations a person reads: a stable machine code, a Vietnamese message, the field.

Pure on purpose: every service's domain raises these, and a domain imports nothing of the
web, the database or the broker (`tests/test_pure_domains.py` checks it). The HTTP status
is a class attribute the web layer (`motcua_platform.errors`) reads; it does not make the
domain depend on HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence


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


class InvalidFields(DomainError):
    """Every field problem found at once (one 422 listing them all, not one per request)."""

    def __init__(self, problems: Sequence[DomainError]) -> None:
        first = problems[0]
        super().__init__(first.code, first.message_vi, field=first.field)
        self.problems = list(problems)


def wait_vi(seconds: int) -> str:
    """The wait a person is told, the same as Retry-After: "5 giây", "2 phút", "1 phút 30 giây"."""
    seconds = max(1, seconds)
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút" + (f" {rest} giây" if rest else "")


class RateLimited(DomainError):
    """429 with `Retry-After` (the platform's error handler adds the header)."""

    status = 429

    def __init__(
        self,
        retry_after_seconds: int,
        code: str = "rate_limited",
        message_vi: str = "Bạn gửi quá nhiều yêu cầu.",
    ) -> None:
        wait = max(1, int(retry_after_seconds))
        super().__init__(code, f"{message_vi} Vui lòng thử lại sau {wait_vi(wait)}.")
        self.retry_after_seconds = wait


def principal_rate_limited(retry_after_seconds: int) -> RateLimited:
    return RateLimited(retry_after_seconds, "rate_limited", "Bạn gửi quá nhiều yêu cầu.")


def commune_rate_limited(retry_after_seconds: int) -> RateLimited:
    return RateLimited(
        retry_after_seconds,
        "tenant.rate_limited",
        "Đơn vị của bạn đang gửi quá nhiều yêu cầu cùng lúc.",
    )
