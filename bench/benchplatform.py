"""The platform as a bench runs it: each service its own OS process on the real Kafka and
PostgreSQL, fresh databases, fresh consumer groups positioned at the end of the topics."""

from __future__ import annotations

import asyncio
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from benchkit import drop_scratch_database  # also puts the repository root on sys.path
from motcua_platform.auth.dev_tokens import mint

from tests.support.dossiers import registration
from tests.support.servers import (
    ServiceProcess,
    create_database,
    start_groups_at_end,
    unique,
)

ALL_ROLES = "api,relay,consumer,timers"


@dataclass
class BenchPlatform:
    env: dict[str, str]
    run: str
    tenants: list[str]
    log_dir: Path
    databases: dict[str, str] = field(default_factory=dict)  # service -> database name
    urls: dict[str, str] = field(default_factory=dict)  # service -> SQLAlchemy URL
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def pids(self) -> dict[str, int]:
        return {s: p.proc.pid for s, p in self.processes.items() if p.proc is not None}

    def dsn(self, service: str) -> str:
        return self.urls[service].replace("postgresql+asyncpg://", "postgresql://")

    async def create(self, services: list[str]) -> None:
        for service in services:
            name = f"{self.run}_{service}"
            self.urls[service] = await create_database(self.env, name)
            self.databases[service] = name

    def start(self, roles: dict[str, str], extra: dict[str, dict[str, str]] | None = None) -> None:
        """Starts the services in order (intake first: notify is told intake's URL)."""
        for service, service_roles in roles.items():
            prefix = f"MOTCUA_{service.upper()}_"
            values = {
                f"{prefix}DATABASE_URL": self.urls[service],
                f"{prefix}KAFKA_BOOTSTRAP": self.env["MOTCUA_KAFKA_BOOTSTRAP"],
                f"{prefix}CONSUMER_GROUP": f"{self.run}-{service}",
                f"{prefix}ENVIRONMENT": "test",
                f"{prefix}LOG_LEVEL": "WARNING",
            }
            # The bench is one clerk desk sending as fast as it can, not a flood to limit.
            values[f"{prefix}TENANT_RATE_PER_SECOND"] = "0"
            values[f"{prefix}PRINCIPAL_RATE_PER_SECOND"] = "0"
            if service == "notify" and "intake" in self.processes:
                values[f"{prefix}INTAKE_URL"] = self.processes["intake"].url
            values.update((extra or {}).get(service, {}))
            process = ServiceProcess(service, values, service_roles)
            process.start(self.log_dir, timeout=120)
            self.processes[service] = process

    async def stop(self) -> None:
        for process in self.processes.values():
            await asyncio.to_thread(process.stop)
        for name in self.databases.values():
            await drop_scratch_database(self.env, name)


async def new_platform(env: dict[str, str], communes: int, services: list[str]) -> BenchPlatform:
    run = unique("bench")
    platform = BenchPlatform(
        env,
        run,
        [f"bx-{run[-6:]}-{i:02d}" for i in range(communes)],
        Path(tempfile.mkdtemp(prefix=f"{run}-")),
    )
    await platform.create(services)
    # Fresh groups would first replay every earlier run's events: start them at the end.
    await start_groups_at_end(env["MOTCUA_KAFKA_BOOTSTRAP"], [f"{run}-{s}" for s in services])
    if "intake" in services:
        await seed_tenants(platform.urls["intake"], platform.tenants, platform.log_dir)
    return platform


async def seed_tenants(database_url: str, tenants: list[str], tmp: Path) -> None:
    """Migrates intake's database and onboards the communes (their events go to the outbox)."""
    from intake.bootstrap import build_runtime
    from intake.bootstrap import seed_tenants as seed
    from intake.settings import IntakeSettings

    path = tmp / "tenants.json"
    rows = [
        {
            "tenant_id": t,
            "name_vi": f"Xã Đo Tải {i}",
            "unit_type": "xa",
            "agency_code": f"000.{i:02d}.99.H50",
            "status": "active",
        }
        for i, t in enumerate(tenants)
    ]
    path.write_text(json.dumps({"tenants": rows}), encoding="utf-8")
    runtime = build_runtime(IntakeSettings(database_url=database_url, environment="test"))
    await runtime.migrate()
    await seed(runtime, path)
    await runtime.close()


class Desk:
    """Clerks registering dossiers through intake's API, one token per commune."""

    def __init__(self, intake_url: str, tenants: list[str], run: str) -> None:
        self.tenants = tenants
        self.run = run
        self.client = httpx.AsyncClient(
            base_url=intake_url,
            timeout=60,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        self._headers = {
            t: {"Authorization": f"Bearer {mint('clerk', t, subject=f'bench-{t}')}"}
            for t in tenants
        }
        self.errors: list[str] = []

    async def register(self, i: int) -> dict[str, Any] | None:
        tenant = self.tenants[i % len(self.tenants)]
        # A kept-alive connection the server closed meanwhile fails the send; the
        # Idempotency-Key makes the retry safe whatever the server had done.
        headers = {**self._headers[tenant], "Idempotency-Key": f"{self.run}-{i}"}
        for attempt in range(3):
            try:
                response = await self.client.post(
                    f"/api/v1/communes/{tenant}/dossiers",
                    json=registration(i % 1_000_000),
                    headers=headers,
                )
                break
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError):
                if attempt == 2:
                    raise
        if response.status_code != 201:
            self.errors.append(f"{response.status_code} {response.text[:200]}")
            return None
        return response.json()  # type: ignore[no-any-return]

    async def close(self) -> None:
        await self.client.aclose()
