"""Composition root of analytics."""

from __future__ import annotations

from pathlib import Path

from motcua_platform.runtime import ServiceRuntime, build_service

from analytics.adapters.tables import inbox
from analytics.entrypoints.api import router
from analytics.entrypoints.subscriptions import subscriptions
from analytics.settings import AnalyticsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: AnalyticsSettings | None = None) -> ServiceRuntime:
    runtime = build_service(
        settings or AnalyticsSettings(),
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=None,
        title="motcua — Giám sát của tỉnh (analytics)",
        description="Chỉ số đúng hạn, trễ hạn, xin lỗi, hài lòng theo từng xã, thủ tục, thời gian.",
    )
    assert runtime.app is not None
    runtime.app.include_router(router)
    runtime.subscriptions = subscriptions()
    return runtime
