"""Who may read or act on which commune's clocks. Pure: routes apply it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from motcua_platform.auth import Principal, Role

from workflow.domain.errors import Forbidden

CLERK, LEADER, MONITOR, OPERATOR = Role.CLERK, Role.LEADER, Role.PROVINCE_MONITOR, Role.OPERATOR


class Need(StrEnum):
    READ = "read"
    APOLOGISE = "apologise"  # the resolving official or the leader
    ACKNOWLEDGE = "acknowledge"  # escalations go to leaders
    CHANGE_CALENDAR = "change_calendar"


@dataclass(frozen=True)
class Scope:
    """The communes a query may touch; None means all (read-only roles)."""

    tenant_ids: frozenset[str] | None


def _denied(message: str = "Bạn không có quyền thực hiện thao tác này.") -> Forbidden:
    return Forbidden("auth.forbidden", message)


def _other_commune() -> Forbidden:
    return Forbidden("auth.other_commune", "Bạn chỉ được làm việc với hồ sơ của đơn vị mình.")


def authorise(principal: Principal, tenant_id: str | None, need: Need) -> Scope:
    """The scope to query with, or Forbidden. `tenant_id` is the commune the path names."""
    if need is Need.CHANGE_CALENDAR:
        if principal.has(OPERATOR):
            return Scope(None)
        raise _denied("Chỉ quản trị viên hệ thống được thay đổi lịch làm việc.")
    if need is Need.READ and principal.has(MONITOR):
        return Scope(None if tenant_id is None else frozenset({tenant_id}))
    wanted = {LEADER} if need is Need.ACKNOWLEDGE else {CLERK, LEADER}
    if not principal.has(*wanted):
        if need is Need.ACKNOWLEDGE and principal.has(CLERK):
            raise _denied("Chỉ lãnh đạo đơn vị được xác nhận cảnh báo.")
        raise _denied()
    own = principal.tenant_id
    if own is None or (tenant_id is not None and tenant_id != own):
        raise _other_commune()
    return Scope(frozenset({own}))


def may_apologise(principal: Principal, holder_id: str | None) -> None:
    """The leader, or the official who holds the dossier now (the resolving official)."""
    if principal.has(LEADER):
        return
    if holder_id is not None and principal.subject == holder_id:
        return
    raise Forbidden(
        "apology.not_resolving_official",
        "Chỉ công chức đang giải quyết hồ sơ hoặc lãnh đạo đơn vị được gửi phiếu xin lỗi.",
    )
