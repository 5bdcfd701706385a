"""Analytics' settings: the platform defaults plus targets, auth and refresh periods."""

from __future__ import annotations

from motcua_platform.auth.settings import AuthSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from analytics.domain.indicators import Targets


class AnalyticsSettings(AuthSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_ANALYTICS_", extra="ignore")

    service_name: str = "analytics"
    # The projection consumer: batches, and how long to wait to fill one.
    batch_max_records: int = Field(default=10_000, ge=1, le=50_000)
    batch_wait_ms: int = Field(default=50, ge=1)
    # Dossiers due within this many working hours are "at risk" [W: one working day].
    at_risk_working_hours: float = Field(default=8.0, gt=0)
    dashboard_refresh_seconds: int = Field(default=30, ge=5)
    metrics_refresh_seconds: float = Field(default=30.0, gt=0)
    # Targets and maximum points [W]: corrected here without a release.
    group2_target: float = Field(default=1.0, gt=0, le=1)
    group2_max_points: float = 20.0
    s54_target: float = Field(default=0.9, gt=0, le=1)
    s54_max_points: float | None = None
    online_target: float = Field(default=0.5, gt=0, le=1)
    online_max_points: float | None = None
    e_result_target: float = Field(default=1.0, gt=0, le=1)
    e_result_max_points: float | None = None

    @property
    def targets(self) -> Targets:
        return Targets(
            group2_target=self.group2_target,
            group2_max_points=self.group2_max_points,
            s54_target=self.s54_target,
            s54_max_points=self.s54_max_points,
            online_target=self.online_target,
            online_max_points=self.online_max_points,
            e_result_target=self.e_result_target,
            e_result_max_points=self.e_result_max_points,
        )
