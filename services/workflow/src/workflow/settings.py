"""Workflow's settings."""

from motcua_platform.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class WorkflowSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_WORKFLOW_", extra="ignore")

    service_name: str = "workflow"
