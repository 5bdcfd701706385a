"""Intake's settings: the platform defaults plus what only the desk needs."""

from __future__ import annotations

from motcua_platform.auth.settings import AuthSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict


class IntakeSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_INTAKE_", extra="ignore")

    service_name: str = "intake"
    public_base_url: str = "http://127.0.0.1:8001"
    tenants_seed_file: str | None = None
    # The secret behind the citizens' look-up links: a mounted file in production.
    lookup_secret_file: str | None = None
    public_rate_per_minute: float = Field(default=30.0, gt=0)
    public_burst: int = Field(default=10, ge=1)
    # Guessing the look-up by code + last four phone digits: after this many wrong digits for
    # one code, that code's look-up is locked this long, whatever the client address (the
    # QR link of the printed receipt keeps working). Counted in the database: all replicas.
    lookup_max_failures: int = Field(default=5, ge=1)
    lookup_lock_seconds: int = Field(default=15 * 60, ge=1)
    # The `timers` role applies mergers recorded for a later date once it has come.
    merger_poll_seconds: float = Field(default=60.0, gt=0)
    # The desk web app (/ban-tiep-nhan/). Production signs in with OIDC (authorisation code +
    # PKCE) against jwt_issuer as this public client; elsewhere a button per pilot role gets a
    # development token. Workflow's and notify's base URLs as the browser reaches them (empty:
    # the page's own origin, behind one ingress); a different origin needs CORS there.
    desk_oidc_client_id: str = "motcua-desk"
    desk_workflow_url: str = ""
    desk_notify_url: str = ""

    @model_validator(mode="after")
    def _refuse_unsafe_intake(self) -> IntakeSettings:
        if self.environment == "production" and not self.lookup_secret_file:
            raise ValueError("production needs MOTCUA_INTAKE_LOOKUP_SECRET_FILE")
        return self
