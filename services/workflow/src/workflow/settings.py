"""Workflow's settings: the platform defaults plus the clock's and the timers' knobs."""

from __future__ import annotations

from motcua_platform.auth.settings import AuthSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict


class WorkflowSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_WORKFLOW_", extra="ignore")

    service_name: str = "workflow"
    # Timers: how many due rows one transaction claims, and the idle poll.
    timer_batch_size: int = Field(default=500, ge=1, le=5_000)
    timer_poll_seconds: float = Field(default=0.1, gt=0, le=10)
    recompute_batch_size: int = Field(default=500, ge=1, le=10_000)
    # Tests and demos shift "now" for this process (never in production).
    clock_offset_seconds: float = 0.0
    # Fault-injection tests hold each firing transaction open this long (never production).
    timer_test_delay_seconds: float = Field(default=0.0, ge=0, le=30)

    @model_validator(mode="after")
    def _refuse_unsafe_workflow(self) -> WorkflowSettings:
        test_time = self.clock_offset_seconds or self.timer_test_delay_seconds
        if self.environment == "production" and test_time:
            raise ValueError("production runs on the real clock, without test delays")
        return self
