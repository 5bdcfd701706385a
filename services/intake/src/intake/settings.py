"""Intake's settings: the platform defaults plus what only the desk needs."""

from motcua_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_INTAKE_", extra="ignore")

    service_name: str = "intake"
    public_base_url: str = "http://127.0.0.1:8001"
    tenants_seed_file: str | None = None
