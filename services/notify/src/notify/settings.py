"""Notify's settings: the platform defaults plus intake, tokens and the dispatcher."""

from __future__ import annotations

from motcua_platform.auth.settings import AuthSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from notify.domain.deployment_policy import DeploymentPolicy


class NotifySettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_NOTIFY_", extra="ignore")

    service_name: str = "notify"
    # Intake: contact data at send time, with a `service:notify` token.
    intake_url: str = "http://127.0.0.1:8001"
    intake_token_file: str | None = Field(
        default=None,
        description="Mounted, refreshed per-commune token files (path with {tenant_id}); "
        "required in production",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8001", description="Where citizens look up their dossier"
    )
    # The dispatcher (role `timers`).
    dispatch_batch_size: int = Field(default=64, ge=1, le=1000)
    dispatch_concurrency: int = Field(default=32, ge=1, le=500)
    dispatch_poll_seconds: float = Field(default=0.2, gt=0)
    lease_seconds: float = Field(default=120.0, gt=0)
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_cap_seconds: float = Field(default=3600.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=50)
    letter_max_attempts: int = Field(default=8, ge=1, le=100)
    morning_spread_seconds: float = Field(default=900.0, ge=0)
    # Template rendering (previews, saves, every message) runs in worker processes: past
    # the timeout the worker is killed and the template refused (template.too_expensive).
    template_render_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    template_memory_mb: int = Field(default=512, ge=64)
    template_workers: int = Field(default=1, ge=1, le=8)
    # What a commune's settings may name (issue 17): secret files only inside this folder,
    # environment secrets only by these names, gateways only on these hosts (comma-separated).
    # Empty: nothing is allowed (the standalone allows its loopback stand-ins).
    secrets_dir: str | None = Field(
        default=None, description="Mounted secrets folder: file:/… references must lie inside"
    )
    secret_env_names: str = Field(
        default="", description="Environment variables env:NAME may name (comma-separated)"
    )
    gateway_hosts: str = Field(
        default="", description="Hosts the SMS/Zalo gateway URLs may name (comma-separated)"
    )

    def deployment_policy(self) -> DeploymentPolicy:
        return DeploymentPolicy.of(
            secrets_dir=self.secrets_dir,
            env_names=self.secret_env_names,
            gateway_hosts=self.gateway_hosts,
            https_only=self.environment == "production",
        )

    @model_validator(mode="after")
    def _refuse_unsafe_notify(self) -> NotifySettings:
        if self.environment == "production" and not self.intake_token_file:
            raise ValueError("production needs MOTCUA_NOTIFY_INTAKE_TOKEN_FILE")
        if self.intake_token_file and "{tenant_id}" not in self.intake_token_file:
            raise ValueError(
                "MOTCUA_NOTIFY_INTAKE_TOKEN_FILE names the commune ({tenant_id}): intake "
                "gives contact data only to a token of the dossier's commune"
            )
        self.deployment_policy()  # a relative secrets folder or one with `..` is refused
        return self
