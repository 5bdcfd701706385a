"""Verify RS256 bearer tokens against a JWKS (https in production, a file in development)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

import jwt

from motcua_platform.auth.dev_tokens import DEV_ISSUER, JWKS, ensure_keys
from motcua_platform.auth.principal import Principal, invalid_token
from motcua_platform.auth.roles import Role

if TYPE_CHECKING:
    from motcua_platform.auth.settings import AuthSettings


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal: ...


class JwksVerifier:
    """Keys by `kid`, cached; an unknown kid triggers one (rate-limited) refresh.

    Roles the platform does not know are dropped: a token grants only what a service checks.
    """

    def __init__(
        self,
        jwks_url: str,
        *,
        issuers: tuple[str, ...],
        audience: str,
        tenant_claim: str = "tenant_id",
        roles_claim: str = "roles",
    ) -> None:
        if not issuers:
            raise ValueError("a verifier needs at least one trusted issuer")
        self._url = jwks_url
        self._issuers = issuers
        self._audience = audience
        self._tenant_claim = tenant_claim
        self._roles_claim = roles_claim
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0

    def _fetch(self) -> dict[str, Any]:
        if self._url.startswith("file://"):
            text = Path(urlparse(self._url).path).read_text(encoding="utf-8")
        else:
            import urllib.request

            with urllib.request.urlopen(self._url, timeout=5) as response:
                text = response.read().decode()
        return {str(k.key_id): k for k in jwt.PyJWKSet.from_dict(json.loads(text)).keys}

    async def _key(self, kid: str | None) -> Any:
        if kid in self._keys:
            return self._keys[kid]
        if time.monotonic() - self._fetched_at > 1.0 or not self._keys:
            self._fetched_at = time.monotonic()
            try:
                self._keys = await asyncio.to_thread(self._fetch)
            except (OSError, ValueError, jwt.PyJWTError) as exc:
                raise invalid_token() from exc
        if kid not in self._keys:
            raise invalid_token()
        return self._keys[kid]

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            key = await self._key(header.get("kid"))
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self._audience,
                options={"require": ["exp", "sub", "iss"], "verify_iss": False},
            )
        except jwt.PyJWTError as exc:
            raise invalid_token() from exc
        if claims.get("iss") not in self._issuers:
            raise invalid_token()
        raw = claims.get(self._roles_claim)
        if raw is None:  # Keycloak puts realm roles here
            raw = (claims.get("realm_access") or {}).get("roles", [])
        names = {raw} if isinstance(raw, str) else set(raw or ())
        roles = frozenset(Role(r) for r in names if r in Role._value2member_map_)
        tenant = claims.get(self._tenant_claim)
        return Principal(str(claims["sub"]), roles, str(tenant) if tenant else None)


class CachingVerifier:
    """Verified tokens kept by their exact text until they expire, at most `cache_seconds`.

    A clerk sends the same access token with every request; checking its RS256 signature each
    time costs more than the rest of a small request. A key withdrawn from the JWKS stops
    working within `cache_seconds`; at most `cache_size` tokens are kept (least recently used
    go first).
    """

    def __init__(
        self,
        inner: TokenVerifier,
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
        principal = await self._inner.verify(token)
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


def verifier_from_settings(settings: AuthSettings) -> CachingVerifier:
    """Production names its identity provider (the settings refuse otherwise); elsewhere the
    local development key is trusted too, created on first use."""
    issuers: tuple[str, ...] = (settings.jwt_issuer,) if settings.jwt_issuer else ()
    jwks_url = settings.jwks_url
    if settings.environment == "production":
        if not (jwks_url or "").startswith("https://") or not issuers:
            raise ValueError("production needs an https:// JWKS URL and the token issuer")
    elif jwks_url is None:
        jwks_url = (ensure_keys(settings.dev_keys_dir).resolve() / JWKS).as_uri()
        issuers = (*issuers, DEV_ISSUER)
    elif not issuers:
        issuers = (DEV_ISSUER,)
    assert jwks_url is not None
    inner = JwksVerifier(
        jwks_url,
        issuers=issuers,
        audience=settings.audience,
        tenant_claim=settings.jwt_tenant_claim,
        roles_claim=settings.jwt_roles_claim,
    )
    return CachingVerifier(
        inner, cache_seconds=settings.token_cache_seconds, cache_size=settings.token_cache_size
    )
