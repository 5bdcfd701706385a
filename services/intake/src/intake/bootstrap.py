"""Composition root: every dependency is built here and can be overridden by tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from motcua_platform.clock import Clock, SystemClock
from motcua_platform.runtime import ServiceRuntime, build_service
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.adapters import repository as repo
from intake.adapters.tables import inbox, outbox
from intake.application.ports import StatutoryClock
from intake.entrypoints.api import router
from intake.entrypoints.errors import install_error_handlers
from intake.settings import IntakeSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
PILOT_TENANTS = Path(__file__).resolve().parent / "data" / "pilot_tenants.json"


@dataclass
class IntakeDeps:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    statutory: StatutoryClock
    after_commit: Callable[[], None]


def build_runtime(
    settings: IntakeSettings | None = None,
    *,
    clock: Clock | None = None,
    statutory: StatutoryClock | None = None,
) -> ServiceRuntime:
    runtime = build_service(
        settings or IntakeSettings(),
        migrations=MIGRATIONS,
        inbox=inbox,
        outbox=outbox,
        title="motcua — Tiếp nhận và trả kết quả (intake)",
        description="API của Bộ phận một cửa cấp xã: tiếp nhận hồ sơ, tra cứu, đánh giá.",
    )
    if statutory is None:
        from intake.adapters.statutory_clock import CatalogueClock

        statutory = CatalogueClock()

    def nudge_relay() -> None:
        if runtime.relay is not None:
            runtime.relay.nudge()

    app = runtime.app
    assert app is not None
    app.state.deps = IntakeDeps(runtime.sessions, clock or SystemClock(), statutory, nudge_relay)
    app.include_router(router)
    install_error_handlers(app)
    return runtime


async def seed_tenants(runtime: ServiceRuntime, path: Path = PILOT_TENANTS) -> int:
    """Idempotent: running it twice leaves the same rows."""
    rows = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))["tenants"]
    clock = SystemClock()
    async with runtime.sessions() as session, session.begin():
        for row in rows:
            await repo.upsert_tenant(
                session,
                {k: row[k] for k in ("tenant_id", "name_vi", "unit_type", "agency_code", "status")}
                | {"config": row.get("config", {})},
                clock.now(),
            )
    return len(rows)
