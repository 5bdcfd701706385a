"""Analytics on SQLite with the reference month projected, served for the browser test.

Run as its own process: `python tests/browser/dashboard_server.py DATA_DIR PORT`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import uvicorn
from analytics.adapters.fact_store import SqlProjectionStore
from analytics.adapters.working_time import CalendarWorkingTime
from analytics.application.decode import decode_event
from analytics.application.project_events import project_events
from analytics.bootstrap import build_runtime
from analytics.settings import AnalyticsSettings
from motcua_contracts.codec import encode
from motcua_platform.clock import FixedClock
from motcua_testkit.analytics import REFERENCE_NOW, reference_month


async def main(data: Path, port: int) -> None:
    settings = AnalyticsSettings(
        database_url=f"sqlite+aiosqlite:///{data / 'analytics.db'}",
        environment="test",
        dev_keys_dir=str(data / "keys"),
    )
    runtime = build_runtime(settings, clock=FixedClock(REFERENCE_NOW), gauges=False)
    await runtime.migrate()
    events = [
        decode_event(encode(e).value) for e in reference_month("14-04087", "14-04006").envelopes
    ]
    async with runtime.sessions() as session, session.begin():
        await project_events(SqlProjectionStore(session), events, CalendarWorkingTime())
    assert runtime.app is not None
    config = uvicorn.Config(runtime.app, host="127.0.0.1", port=port, log_level="warning")
    await uvicorn.Server(config).serve()
    await runtime.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
