"""Notify's settings."""

from motcua_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_NOTIFY_", extra="ignore")

    service_name: str = "notify"
