"""Composition root of workflow: every dependency is built here and overridable in tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from motcua_platform import devclock
from motcua_platform.auth import TokenVerifier, verifier_from_settings
from motcua_platform.clock import Clock, MovableClock, SystemClock
from motcua_platform.rate_limit import ApiRateLimits, install_api_rate_limits
from motcua_platform.runtime import ServiceRuntime, build_service

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


def _clock(settings: WorkflowSettings, given: Clock | None) -> Clock:
    """The given clock (standalone's, tests'), else the system's; shifted by
    `clock_offset_seconds` and movable at run time with `dev_clock` (never production)."""
    if given is None and settings.clock_offset_seconds:
        given = MovableClock(offset=timedelta(seconds=settings.clock_offset_seconds))
    return devclock.service_clock(settings.dev_clock, given, SystemClock())


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

    clock = _clock(settings, clock)
    ctx = Context(
        sessions=runtime.sessions,
        clock=clock,
        statutory=statutory or Statutory(),
        timer_batch=settings.timer_batch_size,
        recompute_batch=settings.recompute_batch_size,
        test_delay_seconds=settings.timer_test_delay_seconds,
        after_commit=runtime.nudge_relay,
    )
    app = runtime.app
    assert app is not None
    app.state.context = ctx
    app.state.verifier = verifier or verifier_from_settings(settings)
    install_api_rate_limits(app, ApiRateLimits.from_settings(settings))  # per principal, commune
    for module in (api_clock, api_worklist, api_actions, api_calendar):
        app.include_router(module.router)
    devclock.mount(app, clock, enabled=settings.dev_clock)
    install_error_handlers(app, messages=VALIDATION_VI)
    runtime.subscriptions = subscriptions(ctx)
    runtime.timers = timer_jobs(ctx, poll_seconds=settings.timer_poll_seconds)
    return runtime
