"""The platform's OIDC verification, translated into intake's roles and error codes."""

from __future__ import annotations

from typing import Protocol

from motcua_platform.auth import AuthError, JwksVerifier, verifier_for

from intake.domain.access import Principal, Role
from intake.domain.errors import Unauthenticated
from intake.settings import IntakeSettings


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


class IntakeVerifier:
    """Unknown roles are dropped: a token grants only what intake knows how to check."""

    def __init__(self, inner: JwksVerifier) -> None:
        self._inner = inner

    async def verify(self, token: str) -> Principal:
        try:
            p = await self._inner.verify(token)
        except AuthError as exc:
            raise Unauthenticated(exc.code, exc.message_vi) from exc
        roles = frozenset(Role(r) for r in p.roles if r in Role._value2member_map_)
        return Principal(subject=p.subject, roles=roles, tenant_id=p.tenant_id)


def verifier_from_settings(settings: IntakeSettings) -> IntakeVerifier:
    if settings.jwks_url:
        inner = JwksVerifier(
            settings.jwks_url,
            issuers=(settings.jwt_issuer,) if settings.jwt_issuer else None,
            audience=settings.jwt_audience,
            tenant_claim=settings.jwt_tenant_claim,
            roles_claim=settings.jwt_roles_claim,
        )
    else:  # development and tests trust the local dev key (created on first use)
        inner = verifier_for(
            environment=settings.environment,
            jwks_url=None,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            dev_keys_dir=settings.dev_keys_dir,
        )
    return IntakeVerifier(inner)
