"""The platform's OIDC verification, translated into intake's roles and error codes."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import jwt
from motcua_platform.auth import AuthError, JwksVerifier, verifier_for

from intake.domain.access import Principal, Role
from intake.domain.errors import Unauthenticated
from intake.settings import IntakeSettings


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


class IntakeVerifier:
    """Unknown roles are dropped: a token grants only what intake knows how to check.

    A clerk sends the same access token with every request; checking its RS256 signature each
    time costs more than the rest of a small request. Verified tokens are kept by their exact
    text until they expire, at most `cache_seconds` (so a key withdrawn from the JWKS stops
    working within that time), and at most `cache_size` of them (least recently used go first).
    """

    def __init__(
        self,
        inner: JwksVerifier,
        *,
        cache_seconds: float = 60.0,
        cache_size: int = 10_000,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._inner = inner
        self._cache_seconds = cache_seconds
        self._cache_size = cache_size
        self._now = wall_clock
        self._verified: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def verify(self, token: str) -> Principal:
        hit = self._verified.get(token)
        if hit is not None:
            if self._now() < hit[0]:
                self._verified.move_to_end(token)
                return hit[1]
            del self._verified[token]
        try:
            p = await self._inner.verify(token)
        except AuthError as exc:
            raise Unauthenticated(exc.code, exc.message_vi) from exc
        roles = frozenset(Role(r) for r in p.roles if r in Role._value2member_map_)
        principal = Principal(subject=p.subject, roles=roles, tenant_id=p.tenant_id)
        self._remember(token, principal)
        return principal

    def _remember(self, token: str, principal: Principal) -> None:
        if self._cache_seconds <= 0:
            return
        # The signature was just verified, so this token's own `exp` can be trusted.
        expires = jwt.decode(token, options={"verify_signature": False}).get("exp")
        if not isinstance(expires, int | float):
            return
        self._verified[token] = (min(float(expires), self._now() + self._cache_seconds), principal)
        while len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)


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
