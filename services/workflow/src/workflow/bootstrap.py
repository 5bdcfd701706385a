"""Composition root of workflow: every dependency is built here and overridable in tests."""

from __future__ import annotations

from pathlib import Path

from motcua_platform.auth import TokenVerifier, verifier_from_settings
from motcua_platform.clock import Clock, SystemClock
from motcua_platform.rate_limit import ApiRateLimits, install_api_rate_limits
from motcua_platform.runtime import ServiceRuntime, build_service

from workflow.adapters.offset_clock import OffsetClock
from workflow.adapters.statutory import Statutory
from workflow.adapters.tables import inbox, outbox
from workflow.application.context import Context
from workflow.entrypoints import api_actions, api_calendar, api_clock, api_worklist
from workflow.entrypoints.background import timer_jobs
from workflow.entrypoints.errors import install_error_handlers
from workflow.entrypoints.schemas import VALIDATION_VI
from workflow.entrypoints.subscriptions import subscriptions
from workflow.settings import WorkflowSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _clock(settings: WorkflowSettings) -> Clock:
    if settings.clock_offset_seconds:
        return OffsetClock(settings.clock_offset_seconds)
    return SystemClock()


def build_runtime(
    settings: WorkflowSettings | None = None,
    *,
    clock: Clock | None = None,
    statutory: Statutory | None = None,
    verifier: TokenVerifier | None = None,
) -> ServiceRuntime:
    settings = settings or WorkflowSettings()
    runtime = build_service(
        settings,
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=outbox,
        title="motcua — Theo dõi thời hạn (workflow)",
        description=(
            "Đồng hồ pháp định của từng hồ sơ: hạn từng bước, cảnh báo 50% / 75%, hạn gửi "
            "phiếu xin lỗi, quá hạn, báo cáo lãnh đạo trực, danh sách công việc. Mọi lỗi có "
            "mã ổn định (`code`) và thông báo tiếng Việt."
        ),
    )

    def nudge_relay() -> None:
        if runtime.relay is not None:
            runtime.relay.nudge()

    ctx = Context(
        sessions=runtime.sessions,
        clock=clock or _clock(settings),
        statutory=statutory or Statutory(),
        timer_batch=settings.timer_batch_size,
        recompute_batch=settings.recompute_batch_size,
        test_delay_seconds=settings.timer_test_delay_seconds,
        after_commit=nudge_relay,
    )
    app = runtime.app
    assert app is not None
    app.state.context = ctx
    app.state.verifier = verifier or verifier_from_settings(settings)
    install_api_rate_limits(app, ApiRateLimits.from_settings(settings))  # per principal, commune
    for module in (api_clock, api_worklist, api_actions, api_calendar):
        app.include_router(module.router)
    install_error_handlers(app, messages=VALIDATION_VI)
    runtime.subscriptions = subscriptions(ctx)
    runtime.timers = timer_jobs(ctx, poll_seconds=settings.timer_poll_seconds)
    return runtime
