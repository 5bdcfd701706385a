"""Verify RS256 bearer tokens against a JWKS (https in production, a file in development)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jwt

from motcua_platform.auth.dev_tokens import DEV_AUDIENCE, DEV_ISSUER, JWKS, ensure_keys
from motcua_platform.auth.principal import Principal, invalid_token


class JwksVerifier:
    """Keys by `kid`, cached; an unknown kid triggers one (rate-limited) refresh."""

    def __init__(
        self,
        jwks_url: str,
        *,
        issuers: tuple[str, ...] | None,
        audience: str,
        tenant_claim: str = "tenant_id",
        roles_claim: str = "roles",
    ) -> None:
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
                options={"require": ["exp", "sub"], "verify_iss": False},
            )
        except jwt.PyJWTError as exc:
            raise invalid_token() from exc
        if self._issuers is not None and claims.get("iss") not in self._issuers:
            raise invalid_token()
        raw = claims.get(self._roles_claim)
        if raw is None:  # Keycloak puts realm roles here
            raw = (claims.get("realm_access") or {}).get("roles", [])
        roles = frozenset({raw} if isinstance(raw, str) else set(raw or ()))
        tenant = claims.get(self._tenant_claim)
        return Principal(str(claims["sub"]), roles, str(tenant) if tenant else None)


def verifier_for(
    *,
    environment: str,
    jwks_url: str | None,
    issuer: str | None = None,
    audience: str = DEV_AUDIENCE,
    dev_keys_dir: str | None = None,
) -> JwksVerifier:
    """Production must name its identity provider; elsewhere the local dev key is trusted."""
    issuers: tuple[str, ...] | None = (issuer,) if issuer else None
    if jwks_url is None:
        if environment == "production":
            raise ValueError("production needs a JWKS URL")
        jwks_url = (ensure_keys(dev_keys_dir).resolve() / JWKS).as_uri()
        issuers = (*(issuers or ()), DEV_ISSUER)
    return JwksVerifier(jwks_url, issuers=issuers, audience=audience)
