"""Typed settings shared by every service; unsafe combinations are refused at start-up."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Read from MOTCUA_* environment variables; each service may subclass it."""

    model_config = SettingsConfigDict(env_prefix="MOTCUA_", extra="ignore")

    service_name: str = "motcua"
    # No default trusts development keys: a deployment that forgets to say is production.
    # Standalone, tests and demos set "development" or "test" explicitly.
    environment: Literal["development", "test", "production"] = "production"
    transport: Literal["kafka", "local"] = "kafka"
    database_url: str = "sqlite+aiosqlite:///:memory:"
    kafka_bootstrap: str = "127.0.0.1:39092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_username: str | None = None
    kafka_sasl_password_file: str | None = Field(
        default=None, description="Path of a mounted secret; never the password itself"
    )
    kafka_ssl_cafile: str | None = Field(
        default=None,
        description="PEM bundle of the CA(s) that signed the brokers' certificates (SSL and "
        "SASL_SSL); unset: the system trust store",
    )
    local_bus_path: str = ".run/standalone/bus.db"
    consumer_group: str | None = None
    log_level: str = "INFO"
    log_json: bool = True
    otlp_endpoint: str | None = None
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_seconds: float = Field(default=0.05, gt=0)
    consumer_max_attempts: int = Field(
        default=5, ge=1, description="attempts for an unknown (non-transient) handler failure"
    )
    consumer_backoff_base_seconds: float = Field(default=0.1, gt=0)
    consumer_backoff_cap_seconds: float = Field(default=30.0, gt=0)
    consumer_stall_unready_seconds: float = Field(
        default=60.0,
        gt=0,
        description="a consumer stalled on a transient failure this long makes /health/ready 503",
    )
    dev_clock: bool = Field(
        default=False,
        description="development and tests only: a clock an operator moves at run time "
        "(POST /internal/dev/clock); refused in production",
    )
    hsts_seconds: int | None = Field(
        default=None,
        ge=0,
        description="Strict-Transport-Security max-age; unset: one year in production, else none",
    )

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> ServiceSettings:
        if self.kafka_ssl_cafile and self.kafka_security_protocol == "PLAINTEXT":
            raise ValueError("kafka_ssl_cafile needs kafka_security_protocol SSL or SASL_SSL")
        if self.kafka_security_protocol == "SASL_SSL" and not (
            self.kafka_sasl_username and self.kafka_sasl_password_file
        ):
            raise ValueError("SASL_SSL needs kafka_sasl_username and kafka_sasl_password_file")
        if self.environment == "production":
            if self.database_url.startswith("sqlite"):
                raise ValueError("production needs PostgreSQL, not SQLite")
            if self.transport != "kafka":
                raise ValueError("production needs the Kafka transport")
            if self.dev_clock:
                raise ValueError("production runs on the real clock: dev_clock is refused")
        return self

    @property
    def group_id(self) -> str:
        return self.consumer_group or self.service_name
