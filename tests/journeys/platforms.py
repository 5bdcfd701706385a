"""The platform the journeys walk through, started once per mode.

- `standalone`: `python -m motcua_standalone` as one subprocess (SQLite, in-process bus);
- `kafka`: the four services as separate processes on the real Kafka and PostgreSQL.
Both are seeded with the pilot communes; the stories only see URLs and dev tokens.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from motcua_platform.auth.dev_tokens import mint

from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    free_port,
    server_env,
    start_groups_at_end,
    unique,
)

T = TypeVar("T")

SERVICES = ("intake", "workflow", "notify", "analytics")
# Each service's own default roles, as its Deployment runs it (timers: notify's dispatcher,
# workflow's deadlines; intake's consumer: the apology's new date and other facts).
KAFKA_ROLES = {
    "intake": "api,relay,consumer",
    "workflow": "api,relay,consumer,timers",
    "notify": "api,relay,consumer,timers",
    "analytics": "api,consumer",
}
PILOT = ("quyet-thang", "chieng-khuong", "moc-chau-tt")
READY_TIMEOUT = 120.0  # bounds a hang only


def _run_async(coro: Coroutine[Any, Any, T]) -> T:
    """In a thread of its own: Playwright's sync API keeps an event loop running on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass
class RunningPlatform:
    mode: str
    urls: dict[str, str]
    dashboard_url: str  # with the monitor's token in the fragment, as the banner prints it
    logs: list[Path] = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.urls[service]

    def token(self, role: str, tenant: str | None) -> str:
        return mint(role, tenant, subject=f"journey-{role}-{tenant or 'tinh'}")

    def headers(self, role: str, tenant: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, tenant)}"}

    def log_tail(self, chars: int = 3000) -> str:
        return "\n".join(p.read_text(errors="replace")[-chars:] for p in self.logs if p.exists())


def _four_free_ports() -> int:
    import socket

    for _ in range(50):
        base = free_port()
        try:
            for offset in range(4):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no four consecutive free ports")


def _wait_ready(urls: dict[str, str], proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    pending = set(urls)
    while pending and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the platform exited: {log.read_text()[-3000:]}")
        for name in sorted(pending):
            try:
                if httpx.get(f"{urls[name]}/health/ready", timeout=2).status_code == 200:
                    pending.discard(name)
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    if pending:
        raise RuntimeError(f"not ready: {sorted(pending)}: {log.read_text()[-3000:]}")


@contextmanager
def standalone(tmp: Path) -> Iterator[RunningPlatform]:
    base = _four_free_ports()
    log = tmp / "standalone.log"
    urls = {name: f"http://127.0.0.1:{base + i}" for i, name in enumerate(SERVICES)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "motcua_standalone",
                "--data-dir",
                str(tmp / "data"),
                "--base-port",
                str(base),
                "--log-level",
                "WARNING",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        _wait_ready(urls, proc, log)
        banner = log.read_text()
        found = re.search(r"(http://\S+/bang-dieu-khien#token=\S+)", banner)
        assert found, f"the banner prints no dashboard URL: {banner[-2000:]}"
        yield RunningPlatform("standalone", urls, found.group(1), [log])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _seed_pilot(database_url: str) -> None:
    """The pilot communes, exactly as standalone seeds them (intake's own seed file)."""
    from intake.bootstrap import build_runtime, seed_tenants
    from intake.settings import IntakeSettings

    async def run() -> None:
        runtime = build_runtime(IntakeSettings(database_url=database_url, environment="test"))
        await runtime.migrate()
        await seed_tenants(runtime)
        await runtime.close()

    _run_async(run())


@contextmanager
def kafka(tmp: Path) -> Iterator[RunningPlatform]:
    env = server_env()
    run = unique("jr")
    dbs = {s: f"{run}_{s}" for s in SERVICES}
    created: list[str] = []
    processes: dict[str, ServiceProcess] = {}
    try:
        urls = {}
        for service, name in dbs.items():
            urls[service] = _run_async(create_database(env, name))
            created.append(name)
        _run_async(
            start_groups_at_end(env["MOTCUA_KAFKA_BOOTSTRAP"], [f"{run}-{s}" for s in SERVICES])
        )
        _seed_pilot(urls["intake"])
        ports = {s: free_port() for s in SERVICES}
        for service in SERVICES:
            prefix = f"MOTCUA_{service.upper()}_"
            settings = {
                f"{prefix}DATABASE_URL": urls[service],
                f"{prefix}KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
                f"{prefix}CONSUMER_GROUP": f"{run}-{service}",
                f"{prefix}ENVIRONMENT": "test",
            }
            if service in ("workflow", "notify"):  # the escalation story moves their clock
                settings[f"{prefix}DEV_CLOCK"] = "true"
            intake_url = f"http://127.0.0.1:{ports['intake']}"
            if service == "intake":
                settings[f"{prefix}PUBLIC_BASE_URL"] = intake_url
            if service == "notify":  # letters ask intake for the addressee, by its API
                settings[f"{prefix}INTAKE_URL"] = intake_url
                settings[f"{prefix}PUBLIC_BASE_URL"] = intake_url
                # The apology story's SMS gateway stand-in listens on loopback (declared, as a
                # deployment declares its gateways).
                settings[f"{prefix}GATEWAY_HOSTS"] = "127.0.0.1,localhost"
            process = ServiceProcess(service, settings, KAFKA_ROLES[service], port=ports[service])
            process.start(tmp, timeout=READY_TIMEOUT)
            processes[service] = process
        analytics = processes["analytics"].url
        monitor = mint("province_monitor", None, subject="journey-monitor")
        yield RunningPlatform(
            "kafka",
            {s: p.url for s, p in processes.items()},
            f"{analytics}/bang-dieu-khien#token={monitor}",
            [p.log_path for p in processes.values() if p.log_path],
        )
    finally:
        for process in processes.values():
            process.stop()
        for name in created:
            _run_async(drop_database(env, name))
