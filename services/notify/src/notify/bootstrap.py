"""Composition root of notify."""

from __future__ import annotations

from pathlib import Path

from motcua_platform.runtime import ServiceRuntime, build_service

from notify.adapters.tables import inbox, outbox
from notify.entrypoints.api import router
from notify.entrypoints.subscriptions import subscriptions
from notify.settings import NotifySettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: NotifySettings | None = None) -> ServiceRuntime:
    runtime = build_service(
        settings or NotifySettings(),
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=outbox,
        title="motcua — Thông báo (notify)",
        description="Tin nhắn, thư điện tử, Zalo và thư in gửi công dân và cán bộ.",
    )
    assert runtime.app is not None
    runtime.app.include_router(router)
    runtime.subscriptions = subscriptions()
    return runtime
