"""Who may see which communes: the province sees all, a commune sees only itself."""

from __future__ import annotations

from dataclasses import dataclass

from motcua_platform.auth import STAFF, Role
from motcua_platform.domain_errors import Forbidden

PROVINCE_ROLES = frozenset({Role.PROVINCE_MONITOR, Role.OPERATOR})
COMMUNE_ROLES = STAFF


@dataclass(frozen=True)
class Scope:
    """`tenants is None` means every commune."""

    tenants: frozenset[str] | None

    def narrow(self, asked: list[str] | None) -> list[str] | None:
        """The communes a query may read; asking for another commune is refused, not hidden."""
        if self.tenants is None:
            return list(asked) if asked else None
        if not asked:
            return sorted(self.tenants)
        foreign = set(asked) - self.tenants
        if foreign:
            raise Forbidden(
                "analytics.forbidden_commune",
                "Tài khoản của xã chỉ được xem số liệu của chính xã mình.",
            )
        return list(asked)

    def allows(self, tenant_id: str) -> bool:
        return self.tenants is None or tenant_id in self.tenants


def scope_for(roles: frozenset[str], tenant_id: str | None) -> Scope:
    if roles & PROVINCE_ROLES:
        return Scope(None)
    if roles & COMMUNE_ROLES and tenant_id:
        return Scope(frozenset({tenant_id}))
    raise Forbidden(
        "analytics.forbidden_role",
        "Tài khoản không có quyền xem số liệu giám sát.",
    )
