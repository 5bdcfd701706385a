"""Operator commands: `rebuild` the projections from the topics, print the dashboard URL."""

from __future__ import annotations

import time

from motcua_platform.auth.roles import Role
from motcua_platform.messaging.kafka import make_broker
from motcua_platform.messaging.transport import KafkaTransport
from motcua_platform.runtime import ServiceRuntime
from sqlalchemy import delete

from analytics.adapters import projection_state
from analytics.adapters.tables import PROJECTIONS, inbox


async def rebuild(runtime: ServiceRuntime) -> None:
    """Drop the projections and replay every topic from the beginning with a fresh group.

    Stop the consumers first (scale the `consumer` role to zero): the new group is stored
    with the emptied tables, so consumers started afterwards continue from the rebuild.
    """
    from analytics.bootstrap import AnalyticsRuntime, tune_gc_for_batches

    assert isinstance(runtime, AnalyticsRuntime)
    await runtime.migrate()
    group = f"{runtime.settings.group_id}.rebuild-{int(time.time() * 1000)}"
    async with runtime.sessions() as session, session.begin():
        for table in PROJECTIONS:
            await session.execute(delete(table))
        await session.execute(delete(inbox))
        await projection_state.set_consumer_group(session, group)
    transport = KafkaTransport(make_broker(runtime.settings))
    await transport.start()
    runtime.transport = transport
    tune_gc_for_batches()
    started = time.monotonic()
    try:
        count = await runtime.batch_consumer(group).run_until_caught_up()
    finally:
        await transport.stop()
        await runtime.close()
    seconds = time.monotonic() - started
    print(f"đã dựng lại số liệu từ {count} sự kiện trong {seconds:.1f} s (nhóm {group})")


async def dashboard_url(runtime: ServiceRuntime) -> None:
    """A development URL with a province_monitor token in the fragment (never production)."""
    from motcua_platform.auth.dev_tokens import mint

    from analytics.entrypoints.dashboard import dashboard_url as url

    if runtime.settings.environment == "production":
        raise SystemExit("chỉ dùng cho môi trường phát triển")
    print(url("http://127.0.0.1:8004", mint(Role.PROVINCE_MONITOR, None)))
