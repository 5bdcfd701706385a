"""A whole platform: four services as separate processes on the real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    server_env,
    start_groups_at_end,
    unique,
)

SERVICES = {
    "intake": "api,relay",
    "workflow": "api,consumer,relay",
    "notify": "api,consumer,relay",
    "analytics": "api,consumer",
}


@dataclass
class Platform:
    tenant_id: str
    processes: dict[str, ServiceProcess]
    env: dict[str, str]

    def url(self, service: str) -> str:
        return self.processes[service].url


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    return server_env()


@pytest.fixture(scope="module")
def platform(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    run = unique("it")
    tenant = f"xa-{run[-6:]}"
    log_dir = tmp_path_factory.mktemp("logs")
    dbs = {s: f"{run}_{s}" for s in SERVICES}
    urls = {s: asyncio.run(create_database(env, name)) for s, name in dbs.items()}
    processes: dict[str, ServiceProcess] = {}
    # New groups start at the end of the topics: the test waits for its own events only.
    asyncio.run(
        start_groups_at_end(env["MOTCUA_KAFKA_BOOTSTRAP"], [f"{run}-{s}" for s in SERVICES])
    )
    try:
        _seed_tenant(urls["intake"], tenant, log_dir)
        for service, roles in SERVICES.items():
            prefix = f"MOTCUA_{service.upper()}_"
            process = ServiceProcess(
                service,
                {
                    f"{prefix}DATABASE_URL": urls[service],
                    f"{prefix}KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
                    f"{prefix}CONSUMER_GROUP": f"{run}-{service}",
                    f"{prefix}ENVIRONMENT": "test",
                },
                roles,
            )
            process.start(log_dir)
            processes[service] = process
        yield Platform(tenant, processes, env)
    finally:
        for process in processes.values():
            process.stop()
        for name in dbs.values():
            asyncio.run(drop_database(env, name))


def _seed_tenant(database_url: str, tenant: str, tmp: Path) -> None:
    from intake.bootstrap import build_runtime, seed_tenants
    from intake.settings import IntakeSettings

    seed = tmp / "tenant.json"
    seed.write_text(
        json.dumps(
            {
                "tenants": [
                    {
                        "tenant_id": tenant,
                        "name_vi": "Xã Kiểm Thử",
                        "unit_type": "xa",
                        "agency_code": "000.99.99.H50",
                        "status": "active",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )

    async def _run() -> None:
        runtime = build_runtime(IntakeSettings(database_url=database_url, environment="test"))
        await runtime.migrate()
        await seed_tenants(runtime, seed)
        await runtime.close()

    asyncio.run(_run())


@pytest.fixture
async def kafka_bootstrap(env: dict[str, str]) -> AsyncIterator[str]:
    yield env["MOTCUA_KAFKA_BOOTSTRAP"]
