"""Access to the real Kafka and PostgreSQL started by scripts/services-up.sh, for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
ENV_FILE = ROOT / ".run" / "services.env"


def server_env() -> dict[str, str]:
    """Values from the environment, else from the file services-up wrote; never silently absent."""
    env: dict[str, str] = {}
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            if line.startswith("export "):
                key, _, value = line[len("export ") :].partition("=")
                env[key] = value
    env.update({k: v for k, v in os.environ.items() if k.startswith("MOTCUA_")})
    missing = {"MOTCUA_KAFKA_BOOTSTRAP", "MOTCUA_PG_DSN_BASE"} - set(env)
    if missing:
        raise RuntimeError(f"run `make services-up` first (missing {sorted(missing)})")
    return env


def pg_admin_dsn(env: dict[str, str]) -> str:
    base = env["MOTCUA_PG_DSN_BASE"].replace("postgresql+asyncpg://", "postgresql://")
    return f"{base}/postgres"


async def create_database(env: dict[str, str], name: str) -> str:
    """A fresh database per test run: each service owns its own, as in production."""
    conn = await asyncpg.connect(pg_admin_dsn(env))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{env['MOTCUA_PG_DSN_BASE']}/{name}"


async def drop_database(env: dict[str, str], name: str) -> None:
    conn = await asyncpg.connect(pg_admin_dsn(env))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@dataclass
class ServiceProcess:
    """One service started as its own OS process, as Kubernetes would run it."""

    service: str
    env: dict[str, str]
    roles: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, timeout: float = 60.0) -> None:
        self.log_path = log_dir / f"{self.service}-{self.port}.log"
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                self.service,
                "serve",
                "--roles",
                self.roles,
                "--port",
                str(self.port),
            ],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.service} exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.service} not ready: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def kafka_ctl(action: str) -> None:
    subprocess.run(["bash", str(ROOT / "scripts" / "kafka-ctl.sh"), action], check=True)


async def start_groups_at_end(bootstrap: str, groups: list[str]) -> None:
    """Fresh groups would replay every earlier run's events first; skip to the end instead."""
    from aiokafka import AIOKafkaConsumer
    from motcua_contracts.topics import Topics

    for group in groups:
        consumer = AIOKafkaConsumer(
            *Topics.ALL,
            bootstrap_servers=bootstrap,
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="latest",
        )
        await consumer.start()
        try:
            for _ in range(50):
                if consumer.assignment():
                    break
                await consumer.getmany(timeout_ms=200)
            positions = {tp: await consumer.position(tp) for tp in consumer.assignment()}
            await consumer.commit(positions)
        finally:
            await consumer.stop()
