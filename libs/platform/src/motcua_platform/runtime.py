"""One service's moving parts, started and stopped together in the roles asked for.

Roles let Kubernetes scale the parts separately (api, relay, consumer, timers) while the
standalone mode runs every role of every service in one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from motcua_platform.faults import StallTracker
from motcua_platform.messaging.inbox import Handler, IdempotentConsumer
from motcua_platform.messaging.outbox import OutboxRelay
from motcua_platform.messaging.transport import Transport
from motcua_platform.migrations import upgrade_head
from motcua_platform.settings import ServiceSettings
from motcua_platform.tasks import stop_gracefully

log = logging.getLogger(__name__)

Background = Callable[[asyncio.Event], Awaitable[None]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
ALL_ROLES = frozenset({"api", "relay", "consumer", "timers"})


@dataclass
class Subscription:
    topics: Sequence[str]
    handlers: dict[str, Handler]


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    migrations: Path
    read_sessions: async_sessionmaker[AsyncSession] | None = None  # reads only: db.py
    inbox: Table | None = None
    outbox: Table | None = None
    subscriptions: list[Subscription] = field(default_factory=list)
    timers: list[Background] = field(default_factory=list)
    app: FastAPI | None = None
    relay: OutboxRelay | None = None
    transport: Transport | None = None
    roles: frozenset[str] = ALL_ROLES
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.settings.service_name

    def nudge_relay(self) -> None:
        """After a commit that staged events: the relay (when this process runs one) sends
        them now rather than at its next poll. Safe to pass as an `after_commit` callback."""
        if self.relay is not None:
            self.relay.nudge()

    async def database_ready(self) -> bool:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    def optional_checks(self) -> frozenset[str]:
        """Only consumers need the broker to be ready; the outbox covers everyone else."""
        return frozenset() if "consumer" in self.roles else frozenset({"broker"})

    async def consumers_ready(self) -> bool:
        """Down once a consumer of this service has been stalled (transient failure) longer
        than `consumer_stall_unready_seconds`."""
        stalled = StallTracker.longest_stall(self.name)
        return stalled < self.settings.consumer_stall_unready_seconds

    async def broker_ready(self) -> bool:
        return self.transport is not None and await self.transport.ready()

    async def migrate(self) -> None:
        await upgrade_head(self.engine, self.migrations)

    def wire(self, transport: Transport, roles: frozenset[str] = ALL_ROLES) -> None:
        """Register subscriptions and build the relay; call before `transport.start()`."""
        self.transport = transport
        self.roles = roles
        if "consumer" in roles and self.inbox is not None:
            for sub in self.subscriptions:
                consumer = IdempotentConsumer(
                    service=self.name,
                    consumer=self.settings.group_id,
                    session_factory=self.sessions,
                    inbox=self.inbox,
                    handlers=sub.handlers,
                    dead_letters=transport.publisher,
                    max_attempts=self.settings.consumer_max_attempts,
                    base_backoff_seconds=self.settings.consumer_backoff_base_seconds,
                    max_backoff_seconds=self.settings.consumer_backoff_cap_seconds,
                )
                transport.subscribe(
                    group=self.settings.group_id, topics=sub.topics, consumer=consumer
                )
        if self.outbox is not None:
            self.relay = OutboxRelay(
                service=self.name,
                session_factory=self.sessions,
                table=self.outbox,
                publisher=transport.publisher,
                batch_size=self.settings.relay_batch_size,
                poll_seconds=self.settings.relay_poll_seconds,
            )

    def start_background(self, roles: frozenset[str] = ALL_ROLES) -> None:
        self._stop.clear()
        if "relay" in roles and self.relay is not None:
            self._spawn(self.relay.run)
        if "timers" in roles:
            for timer in self.timers:
                self._spawn(timer)

    def _spawn(self, job: Background) -> None:
        async def guarded() -> None:
            while not self._stop.is_set():
                try:
                    await job(self._stop)
                    return
                except Exception:
                    log.exception("background job crashed; restarting", extra={"svc": self.name})
                    await asyncio.sleep(1.0)

        self._tasks.append(asyncio.create_task(guarded()))

    async def stop_background(self) -> None:
        await stop_gracefully(self._tasks, self._stop)
        self._tasks.clear()

    async def close(self) -> None:
        await self.engine.dispose()


def make_app(**kwargs: Any) -> FastAPI:
    """A FastAPI app whose /docs and /redoc load Swagger UI and ReDoc from the package's own
    files (fastapi-offline), not a CDN: the documentation works on an offline commune network."""
    from fastapi_offline import FastAPIOffline

    from motcua_platform.errors import errors_as_json

    app = FastAPIOffline(**kwargs)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = errors_as_json(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def build_service(
    settings: ServiceSettings,
    *,
    migrations: Path,
    inbox: Table | None,
    outbox: Table | None,
    title: str,
    description: str,
    lifespan: Lifespan | None = None,
    runtime_type: type[ServiceRuntime] = ServiceRuntime,
) -> ServiceRuntime:
    """The parts every service shares: engine, sessions, runtime and an app with health.

    `lifespan`: what the API process runs while it serves (analytics' business gauges);
    `runtime_type`: a subclass that adds its own background work (analytics' batch consumer).
    """
    from motcua_platform.db import (
        make_engine,
        make_read_only_session_factory,
        make_session_factory,
    )
    from motcua_platform.health import health_router
    from motcua_platform.observability import instrument_app
    from motcua_platform.security_headers import install_security_headers
    from motcua_platform.unavailable import install_unavailable_handler

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    runtime = runtime_type(
        settings=settings,
        engine=engine,
        sessions=sessions,
        migrations=migrations,
        read_sessions=make_read_only_session_factory(engine),
        inbox=inbox,
        outbox=outbox,
    )
    # Our middleware (observability.py) makes the server span and the request metrics; FastAPI's
    # own telemetry would add a second span per request and spans around every dependency.
    app = make_app(
        title=title,
        version="1.0.0",
        description=description,
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.sessions = sessions
    instrument_app(app, settings.service_name)
    install_security_headers(app, settings)  # CSP, nosniff, frames refused, HSTS
    install_unavailable_handler(app)  # database/broker away: 503 + Retry-After, not 500
    app.include_router(
        health_router(
            {
                "database": runtime.database_ready,
                "broker": runtime.broker_ready,
                "consumers": runtime.consumers_ready,
            },
            optional=runtime.optional_checks,
        )
    )
    runtime.app = app
    return runtime
