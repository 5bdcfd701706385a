"""The token settings every service shares, and the one check that production is safe.

A service's settings class derives from `AuthSettings` (itself a `ServiceSettings`), so the
variables are `MOTCUA_<SVC>_JWKS_URL`, `..._JWT_ISSUER`, `..._JWT_AUDIENCE`, ...
Production (the default environment) must name its identity provider: an https JWKS, the
issuer and the audience; it never trusts the local development key.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from motcua_platform.auth.dev_tokens import DEV_AUDIENCE, DEV_ISSUER
from motcua_platform.rate_limit import RateLimitSettings


class AuthSettings(RateLimitSettings):
    """Also the limits of the authenticated API (per principal, per commune)."""

    # OpenID Connect: keys from the identity provider's JWKS (Keycloak: .../certs).
    jwks_url: str | None = Field(default=None, description="https://... or file://...")
    jwt_issuer: str | None = None
    jwt_audience: str | None = Field(
        default=None, description="required in production; elsewhere the development audience"
    )
    jwt_tenant_claim: str = "tenant_id"
    jwt_roles_claim: str = "roles"
    dev_keys_dir: str | None = Field(default=None, description="Default: .run/dev-keys")
    # Verified tokens are reused until they expire, at most this long (a key withdrawn from the
    # JWKS stops working within it); 0 disables the cache.
    token_cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    token_cache_size: int = Field(default=10_000, ge=1)

    @model_validator(mode="after")
    def _refuse_unsafe_auth(self) -> AuthSettings:
        prefix = str(self.model_config.get("env_prefix") or "MOTCUA_")
        if self.environment == "production":
            if not (self.jwks_url or "").startswith("https://"):
                raise ValueError(f"production needs an https:// JWKS URL ({prefix}JWKS_URL)")
            if not self.jwt_issuer or self.jwt_issuer == DEV_ISSUER:
                raise ValueError(f"production needs the token issuer ({prefix}JWT_ISSUER)")
            if not self.jwt_audience:
                raise ValueError(f"production needs the token audience ({prefix}JWT_AUDIENCE)")
            if self.dev_keys_dir:
                raise ValueError(f"production never trusts development keys ({prefix}DEV_KEYS_DIR)")
        elif self.jwks_url and not self.jwks_url.startswith(("https://", "file://")):
            raise ValueError("the JWKS URL must be https:// or file://")
        return self

    @property
    def audience(self) -> str:
        return self.jwt_audience or DEV_AUDIENCE
