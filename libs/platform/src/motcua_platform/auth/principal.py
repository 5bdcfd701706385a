"""Who is calling, as the identity provider says."""

from __future__ import annotations

from dataclasses import dataclass

from motcua_platform.auth.roles import Role


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    tenant_id: str | None

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


class AuthError(Exception):
    """401 or 403 with a stable machine code and a Vietnamese message."""

    def __init__(self, code: str, message_vi: str, *, status: int = 401) -> None:
        super().__init__(code)
        self.code = code
        self.message_vi = message_vi
        self.status = status


def invalid_token() -> AuthError:
    return AuthError("auth.invalid_token", "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")


def missing_token() -> AuthError:
    return AuthError("auth.missing_token", "Cần đăng nhập (thiếu mã truy cập Bearer).")
