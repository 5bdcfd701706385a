"""Composition root of analytics: every dependency is built here and can be overridden."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from motcua_platform.auth import verifier_from_settings
from motcua_platform.clock import Clock, SystemClock
from motcua_platform.errors import install_error_handlers
from motcua_platform.faults import RetryPolicy
from motcua_platform.messaging.transport import KafkaTransport, Transport
from motcua_platform.rate_limit import ApiRateLimits, install_api_rate_limits
from motcua_platform.runtime import ALL_ROLES, ServiceRuntime, build_service
from sqlalchemy import event

from analytics.adapters import projection_state
from analytics.adapters.batch_projector import BatchProjector
from analytics.adapters.kafka_batch import KafkaBatchConsumer
from analytics.adapters.tables import inbox
from analytics.adapters.working_time import CalendarWorkingTime
from analytics.application.ports import WorkingTime
from analytics.entrypoints import api, dashboard
from analytics.entrypoints.deps import AnalyticsDeps
from analytics.entrypoints.metrics import run_gauges
from analytics.entrypoints.subscriptions import TOPICS, subscriptions
from analytics.settings import AnalyticsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@dataclass
class AnalyticsRuntime(ServiceRuntime):
    """The platform runtime, but on Kafka the projection consumes in batches."""

    deps: AnalyticsDeps | None = None
    batch_on_kafka: bool = True
    _batch_transport: Transport | None = None

    def wire(self, transport: Transport, roles: frozenset[str] = ALL_ROLES) -> None:
        if not (self.batch_on_kafka and isinstance(transport, KafkaTransport)):
            super().wire(transport, roles)
            return
        per_message, self.subscriptions = self.subscriptions, []
        try:
            super().wire(transport, roles)
        finally:
            self.subscriptions = per_message
        self._batch_transport = transport if "consumer" in roles else None

    def start_background(self, roles: frozenset[str] = ALL_ROLES) -> None:
        super().start_background(roles)
        if self._batch_transport is not None:
            self._spawn(self._consume)

    def batch_consumer(self, group: str) -> KafkaBatchConsumer:
        assert self.deps is not None and self.transport is not None
        settings = self.deps.settings
        policy = RetryPolicy(
            base_seconds=settings.consumer_backoff_base_seconds,
            cap_seconds=settings.consumer_backoff_cap_seconds,
            unknown_max_attempts=settings.consumer_max_attempts,
        )
        projector = BatchProjector(
            service=self.name,
            group=group,
            sessions=self.sessions,
            working_time=self.deps.working_time,
            dead_letters=self.transport.publisher,
            max_attempts=settings.consumer_max_attempts,
            retry_policy=policy,
        )
        return KafkaBatchConsumer(
            settings=settings,
            topics=TOPICS,
            group=group,
            projector=projector,
            max_records=settings.batch_max_records,
            wait_ms=settings.batch_wait_ms,
            retry_policy=policy,
        )

    async def _consume(self, stop: asyncio.Event) -> None:
        group = await projection_state.consumer_group(self.sessions, self.settings.group_id)
        tune_gc_for_batches()
        await self.batch_consumer(group).run(stop)


def tune_gc_for_batches() -> None:
    """For a process that projects batches (the consumer role, a rebuild).

    The cyclic collector cost a third of the projection's time: a batch allocates hundreds
    of thousands of objects that live until it is written, and with the default thresholds
    the collector walked them again and again (a young pass every 700, a full pass over the
    whole heap every few batches). What the process loaded to get here lives as long as it
    does: frozen, never scanned again. The batches' objects hold no cycles and are freed by
    reference counting, so a young pass is needed only when a million objects piled up.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(1_000_000, 10, 10)


def _no_parallel_workers(dbapi_connection: Any, _record: Any) -> None:
    """The API's queries read at most tens of thousands of narrow rows; on a small machine
    starting parallel workers for them costs more (≈15 ms) than the work itself."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SET max_parallel_workers_per_gather = 0")
    cursor.close()


def build_runtime(
    settings: AnalyticsSettings | None = None,
    *,
    clock: Clock | None = None,
    working_time: WorkingTime | None = None,
    gauges: bool = True,
) -> AnalyticsRuntime:
    settings = settings or AnalyticsSettings()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(run_gauges(deps, stop)) if gauges else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task

    runtime = build_service(
        settings,
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=None,
        title="motcua — Giám sát của tỉnh (analytics)",
        description=(
            "Chỉ số đúng hạn, trễ hạn, xin lỗi, hài lòng và các chỉ số Quyết định 766 theo "
            "từng xã, thủ tục, lĩnh vực và thời gian. Tỉnh xem mọi xã; tài khoản của xã chỉ "
            "xem xã mình. Không có dữ liệu cá nhân. Bảng điều khiển: /bang-dieu-khien"
        ),
        lifespan=lifespan,
        runtime_type=AnalyticsRuntime,
    )
    assert isinstance(runtime, AnalyticsRuntime) and runtime.app is not None
    if runtime.engine.dialect.name == "postgresql":
        event.listen(runtime.engine.sync_engine, "connect", _no_parallel_workers)
    deps = AnalyticsDeps(
        sessions=runtime.sessions,
        clock=clock or SystemClock(),
        settings=settings,
        working_time=working_time or CalendarWorkingTime(),
    )
    runtime.deps = deps
    app = runtime.app
    app.add_middleware(GZipMiddleware, minimum_size=800)
    app.state.deps = deps
    app.state.verifier = verifier_from_settings(settings)
    install_api_rate_limits(app, ApiRateLimits.from_settings(settings))  # per principal, commune
    app.include_router(api.router)
    app.include_router(dashboard.router)
    # The platform's error bodies; only query parameters here, hence "tham số".
    install_error_handlers(app, messages={"missing": "Thiếu tham số bắt buộc."})
    runtime.subscriptions = subscriptions()
    return runtime
