"""Analytics' settings."""

from motcua_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class AnalyticsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_ANALYTICS_", extra="ignore")

    service_name: str = "analytics"
