"""Who may do what in which commune. Pure: the routes and the repository both apply it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from motcua_platform.auth import STAFF, Principal, Role

from intake.domain.errors import Forbidden

__all__ = ["STAFF", "Need", "Principal", "Role", "TenantScope", "authorise", "check_side"]


class Need(StrEnum):
    READ = "read"  # dossiers, history, receipts
    WRITE = "write"  # lifecycle commands at the desk
    DECIDE = "decide"  # the decision is the leader's
    MANAGE_TENANTS = "manage_tenants"
    CONTACT = "contact"  # notify fetching contact data at send time
    MANAGE_ROSTER = "manage_roster"  # the leaders' duty roster: the commune's leader


@dataclass(frozen=True)
class TenantScope:
    """The communes a query may touch; `None` means every commune (read-only roles)."""

    tenant_ids: frozenset[str] | None

    def allows(self, tenant_id: str) -> bool:
        return self.tenant_ids is None or tenant_id in self.tenant_ids


def _denied(message: str = "Bạn không có quyền thực hiện thao tác này.") -> Forbidden:
    return Forbidden("auth.forbidden", message)


def _other_commune() -> Forbidden:
    return Forbidden("auth.other_commune", "Bạn chỉ được làm việc với hồ sơ của đơn vị mình.")


def authorise(principal: Principal, tenant_id: str | None, need: Need) -> TenantScope:
    """The scope to query with, or Forbidden. `tenant_id` is the commune the path names."""
    own = principal.tenant_id
    if need is Need.MANAGE_TENANTS:
        if principal.has(Role.OPERATOR):
            return TenantScope(None)
        raise _denied("Chỉ quản trị viên hệ thống được cấu hình đơn vị.")
    if need is Need.MANAGE_ROSTER:
        # Operators seed the roster with the unit's configuration (PUT /api/v1/tenants/...).
        if not principal.has(Role.LEADER):
            raise _denied("Chỉ lãnh đạo đơn vị được phân công lịch lãnh đạo trực.")
        if own is None or tenant_id != own:
            raise _other_commune()
        return TenantScope(frozenset({own}))
    if need is Need.CONTACT:
        # Bound to the event's commune (issue 17): the request names it and the notify
        # token is minted for it, so one commune's token never reads another's contacts.
        if not principal.has(Role.NOTIFY):
            raise _denied()
        if own is None or tenant_id != own:
            raise _other_commune()
        return TenantScope(frozenset({own}))
    if need is Need.READ:
        if principal.has(Role.PROVINCE_MONITOR):
            return TenantScope(None if tenant_id is None else frozenset({tenant_id}))
        if principal.has(*STAFF):
            if own is None or (tenant_id is not None and tenant_id != own):
                raise _other_commune()
            return TenantScope(frozenset({own}))
        raise _denied()
    wanted = {Role.LEADER} if need is Need.DECIDE else set(STAFF)
    if not principal.has(*wanted):
        if need is Need.DECIDE and principal.has(Role.CLERK):
            raise _denied("Chỉ lãnh đạo đơn vị được ra quyết định giải quyết hồ sơ.")
        raise _denied()
    if own is None or tenant_id != own:
        raise _other_commune()
    return TenantScope(frozenset({own}))


def check_personal_search(principal: Principal, *, by_personal_data: bool) -> None:
    """A province monitor reads dossiers to supervise the desks, not to find a person: no
    search by name (nor any other personal data) for that role."""
    if by_personal_data and principal.has(Role.PROVINCE_MONITOR):
        raise Forbidden(
            "search.personal_data_forbidden",
            "Tài khoản giám sát không được tìm hồ sơ theo thông tin cá nhân (họ tên, số định "
            "danh, số điện thoại).",
            field="q",
        )


class Side(StrEnum):
    """Which of a dossier's two units acts. Since 2025 they may be different communes."""

    RECEIVING = "receiving"  # the desk that registered it: completeness, receipt, return
    RESOLVING = "resolving"  # the unit competent to decide: hand-overs, decision, result


# Who does what when the receiving and the resolving unit differ (both read the dossier).
SIDE_OF_ACTION: dict[str, Side] = {
    "accept": Side.RECEIVING,
    "request_supplement": Side.RECEIVING,
    "receive_supplement": Side.RECEIVING,
    "refuse": Side.RECEIVING,
    "withdraw": Side.RECEIVING,
    "return_result": Side.RECEIVING,
    "transfer": Side.RESOLVING,
    "decide": Side.RESOLVING,
    "mark_result_ready": Side.RESOLVING,
}


def check_side(acting_tenant: str, receiving: str, resolving: str, action: str) -> None:
    """Forbidden when the acting commune is not the one this step belongs to."""
    side = SIDE_OF_ACTION.get(action)
    holder = resolving if side is Side.RESOLVING else receiving
    if side is not None and acting_tenant != holder:
        who = "đơn vị giải quyết" if side is Side.RESOLVING else "bộ phận tiếp nhận"
        raise Forbidden(
            "dossier.other_unit_step",
            f"Bước này do {who} của hồ sơ thực hiện ({holder}), không phải đơn vị của bạn.",
        )
