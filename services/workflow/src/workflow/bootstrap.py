"""Composition root of workflow."""

from __future__ import annotations

from pathlib import Path

from motcua_platform.runtime import ServiceRuntime, build_service

from workflow.adapters.tables import inbox, outbox
from workflow.entrypoints.api import router
from workflow.entrypoints.subscriptions import subscriptions
from workflow.settings import WorkflowSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def build_runtime(settings: WorkflowSettings | None = None) -> ServiceRuntime:
    runtime = build_service(
        settings or WorkflowSettings(),
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=outbox,
        title="motcua — Theo dõi thời hạn (workflow)",
        description="Đồng hồ pháp định của từng hồ sơ: hạn, cảnh báo, xin lỗi, báo cáo lãnh đạo.",
    )
    assert runtime.app is not None
    runtime.app.include_router(router)
    runtime.subscriptions = subscriptions()
    return runtime
