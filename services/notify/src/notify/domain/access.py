"""Who may do what in which commune (roles are the identity provider's strings)."""

from __future__ import annotations

from enum import StrEnum

from motcua_platform.auth import Principal, Role

from notify.domain.errors import Forbidden

CLERK, LEADER, MONITOR, OPERATOR = Role.CLERK, Role.LEADER, Role.PROVINCE_MONITOR, Role.OPERATOR


class Need(StrEnum):
    READ = "read"  # statuses, templates, print queue list
    DESK = "desk"  # print letters, mark printed, record a preference: personal data inside
    MANAGE = "manage"  # templates, rules, providers


def authorise(principal: Principal, tenant_id: str, need: Need) -> None:
    if need is Need.MANAGE:
        if principal.has(OPERATOR):
            return
        raise Forbidden(
            "auth.forbidden", "Chỉ quản trị viên được thay đổi mẫu và cấu hình gửi tin."
        )
    if need is Need.READ and principal.has(MONITOR, OPERATOR):
        return
    if principal.has(CLERK, LEADER):
        if principal.tenant_id != tenant_id:
            raise Forbidden("auth.other_commune", "Bạn chỉ được làm việc với đơn vị của mình.")
        return
    raise Forbidden("auth.forbidden", "Bạn không có quyền thực hiện thao tác này.")
