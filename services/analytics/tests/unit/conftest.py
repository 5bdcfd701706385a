"""Analytics on a SQLite file with the reference month projected; API through ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from analytics.adapters.fact_store import SqlProjectionStore
from analytics.adapters.working_time import CalendarWorkingTime
from analytics.application.decode import decode_event
from analytics.application.ports import Event
from analytics.application.project_events import project_events
from analytics.bootstrap import AnalyticsRuntime, build_runtime
from analytics.settings import AnalyticsSettings
from motcua_contracts.codec import encode
from motcua_platform.auth.dev_tokens import mint
from motcua_platform.clock import FixedClock
from motcua_testkit.analytics import REFERENCE_NOW, reference_month

A, B = "xa-a", "phuong-b"


def events_of(scenario_envelopes: list) -> list[Event]:  # type: ignore[type-arg]
    return [decode_event(encode(e).value) for e in scenario_envelopes]


async def project(runtime: AnalyticsRuntime, events: list[Event]) -> None:
    async with runtime.sessions() as session, session.begin():
        await project_events(SqlProjectionStore(session), events, CalendarWorkingTime())


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
async def runtime(tmp_path: Path, keys: Path) -> AsyncIterator[AnalyticsRuntime]:
    settings = AnalyticsSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}",
        environment="test",
        dev_keys_dir=str(keys),
    )
    rt = build_runtime(settings, clock=FixedClock(REFERENCE_NOW), gauges=False)
    await rt.migrate()
    yield rt
    await rt.close()


@pytest.fixture
async def projected(runtime: AnalyticsRuntime) -> AnalyticsRuntime:
    await project(runtime, events_of(reference_month(A, B).envelopes))
    return runtime


@pytest.fixture
def token(keys: Path):  # type: ignore[no-untyped-def]
    def make(role: str = "province_monitor", tenant: str | None = None) -> str:
        return mint(role, tenant, keys=keys)

    return make


@pytest.fixture
async def client(projected: AnalyticsRuntime, token) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    assert projected.app is not None
    transport = httpx.ASGITransport(app=projected.app)
    headers = {"Authorization": f"Bearer {token()}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://analytics", headers=headers
    ) as c:
        yield c
