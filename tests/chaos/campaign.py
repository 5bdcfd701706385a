"""The fault campaign: four service processes on real Kafka and PostgreSQL, registrations at a fixed
open-loop rate, faults one phase at a time, then a reconciliation of every accepted dossier.

`make chaos` runs the full campaign (`python -m tests.chaos.campaign --full`); the README test
command runs the short one (tests/chaos/test_chaos.py). Both fail on any loss or duplicate.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.chaos.reconcile import Reconciler, Tally
from tests.chaos.servers import ChaosServers
from tests.integration.conftest import _seed_tenant
from tests.support.dossiers import bearer, registration
from tests.support.servers import (
    ServiceProcess,
    create_database,
    drop_database,
    unique,
)

ROLES = {
    "intake": "api,relay",
    "workflow": "api,consumer,relay,timers",
    "notify": "api,consumer,relay,timers",
    "analytics": "api,consumer",
}
REPLICA = "workflow-replica"


@dataclass
class Attempt:
    key: str
    body: dict[str, object]
    dossier_id: str | None = None
    statuses: list[int] = field(default_factory=list)  # 0: no answer (connection, timeout)


@dataclass
class PhaseReport:
    name: str
    sent: int = 0
    accepted: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    tally: Tally | None = None
    catch_up_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.errors.items() if status >= 500 and status != 503)


class Platform:
    """The four services (and a second workflow consumer) as separate OS processes."""

    def __init__(self, servers: ChaosServers, log_dir: Path) -> None:
        self.servers = servers
        self.log_dir = log_dir
        self.run = unique("chaos")
        self.tenant = f"xa-{self.run[-6:]}"
        self.databases = {s: f"{self.run}_{s}" for s in ROLES}
        self.urls: dict[str, str] = {}
        self.processes: dict[str, ServiceProcess] = {}

    @property
    def env(self) -> dict[str, str]:
        return {
            "MOTCUA_KAFKA_BOOTSTRAP": self.servers.bootstrap,
            "MOTCUA_PG_DSN_BASE": self.servers.dsn_base,
        }

    async def start(self) -> None:
        for service, name in self.databases.items():
            self.urls[service] = await create_database(self.env, name)
        await asyncio.to_thread(_seed_tenant, self.urls["intake"], self.tenant, self.log_dir)
        intake_port = None
        for name in [*ROLES, REPLICA]:
            process = self._process(name)
            if name == "intake":
                intake_port = process.port
            await asyncio.to_thread(process.start, self.log_dir, 120.0)
            self.processes[name] = process
        assert intake_port is not None

    def _process(self, name: str, port: int | None = None) -> ServiceProcess:
        service = "workflow" if name == REPLICA else name
        prefix = f"MOTCUA_{service.upper()}_"
        env = {
            f"{prefix}DATABASE_URL": self.urls[service],
            f"{prefix}KAFKA_BOOTSTRAP": self.servers.bootstrap,
            f"{prefix}CONSUMER_GROUP": f"{self.run}-{service}",
            f"{prefix}ENVIRONMENT": "test",
        }
        if service == "notify" and "intake" in self.processes:
            env["MOTCUA_NOTIFY_INTAKE_URL"] = self.processes["intake"].url
        roles = "consumer" if name == REPLICA else ROLES[service]
        if port is None:
            return ServiceProcess(service, env, roles)
        return ServiceProcess(service, env, roles, port=port)

    def url(self, name: str) -> str:
        return self.processes[name].url

    async def kill9_and_restart(self, name: str) -> float:
        """kill -9, then the same process again on the same port: seconds until it is ready."""
        old = self.processes[name]
        old.kill()
        started = time.monotonic()
        new = self._process(name, old.port)
        await asyncio.to_thread(new.start, self.log_dir, 180.0)
        self.processes[name] = new
        return time.monotonic() - started

    async def stop(self) -> None:
        for process in self.processes.values():
            await asyncio.to_thread(process.stop)
        for name in self.databases.values():
            try:
                await drop_database(self.env, name)
            except Exception as exc:  # the cluster may be the one that failed
                print(f"  (không xoá được cơ sở dữ liệu {name}: {exc!r})", file=sys.stderr)


class Load:
    """Registrations at a fixed rate whatever the answers (open loop), each with its own key."""

    def __init__(self, platform: Platform, rate: float) -> None:
        self.platform = platform
        self.rate = rate
        self.attempts: list[Attempt] = []
        self._serial = 0

    async def run_for(
        self, seconds: float, report: PhaseReport, until: asyncio.Event | None = None
    ) -> None:
        """Open loop at `rate`: for `seconds`, and on until `until` is set (the fault's end),
        so the registrations keep arriving through the whole outage."""
        async with httpx.AsyncClient(timeout=15) as client:
            tasks: list[asyncio.Task[None]] = []
            started = time.monotonic()
            n = 0
            while time.monotonic() - started < seconds or (until and not until.is_set()):
                self._serial += 1
                attempt = Attempt(key=str(uuid.uuid4()), body=registration(self._serial))
                self.attempts.append(attempt)
                report.sent += 1
                tasks.append(asyncio.create_task(self._send(client, attempt, report)))
                n += 1
                await asyncio.sleep(max(0.0, started + n / self.rate - time.monotonic()))
            await asyncio.gather(*tasks)

    async def _send(self, client: httpx.AsyncClient, attempt: Attempt, report: PhaseReport) -> None:
        tenant = self.platform.tenant
        try:
            response = await client.post(
                f"{self.platform.url('intake')}/api/v1/communes/{tenant}/dossiers",
                json=attempt.body,
                headers={**bearer("clerk", tenant), "Idempotency-Key": attempt.key},
            )
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        attempt.statuses.append(status)
        if status == 201:
            attempt.dossier_id = response.json()["dossier_id"]
            report.accepted += 1
        else:
            report.errors[status] += 1

    async def settle(self, report: PhaseReport, within: float = 120.0) -> None:
        """A clerk whose request failed sends it again with the same key until it is taken."""
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=15) as client:
            while pending := [a for a in self.attempts if a.dossier_id is None]:
                if time.monotonic() > deadline:
                    report.notes.append(f"{len(pending)} yêu cầu vẫn chưa được tiếp nhận")
                    return
                for attempt in pending:
                    before = report.accepted
                    await self._send(client, attempt, PhaseReport("retry"))
                    if attempt.dossier_id is not None and before == report.accepted:
                        report.notes.append(f"gửi lại {attempt.key[:8]}: được tiếp nhận")
                await asyncio.sleep(1.0)

    @property
    def accepted_ids(self) -> list[str]:
        return [a.dossier_id for a in self.attempts if a.dossier_id is not None]


Fault = Callable[[Platform, ChaosServers, PhaseReport], Awaitable[None]]


def kill9(name: str) -> Fault:
    async def fault(platform: Platform, _: ChaosServers, report: PhaseReport) -> None:
        seconds = await platform.kill9_and_restart(name)
        report.notes.append(f"{name} sẵn sàng lại sau {seconds:.1f} s")

    return fault


def broker_outage(seconds: float) -> Fault:
    async def fault(_: Platform, servers: ChaosServers, report: PhaseReport) -> None:
        await asyncio.to_thread(servers.kafka, "stop")
        await asyncio.sleep(seconds)
        await asyncio.to_thread(servers.kafka, "start")
        report.notes.append(f"Kafka dừng {seconds:.0f} s")

    return fault


def postgres_outage(seconds: float) -> Fault:
    async def fault(_: Platform, servers: ChaosServers, report: PhaseReport) -> None:
        await asyncio.to_thread(servers.postgres, "stop")
        await asyncio.sleep(seconds)
        await asyncio.to_thread(servers.postgres, "start")
        report.notes.append(f"PostgreSQL dừng {seconds:.0f} s")

    return fault


@dataclass
class Phase:
    name: str
    fault: Fault | None
    load_seconds: float


def short_phases() -> list[Phase]:
    return [
        Phase("nền (không lỗi)", None, 10),
        Phase("kill -9 notify", kill9("notify"), 10),
        Phase("Kafka dừng 60 s", broker_outage(60), 5),
        Phase("PostgreSQL khởi động lại", postgres_outage(10), 5),
    ]


def full_phases(broker_seconds: float, pg_seconds: float) -> list[Phase]:
    return [
        Phase("nền (không lỗi)", None, 30),
        *(Phase(f"kill -9 {s}", kill9(s), 20) for s in ROLES),
        Phase("kill -9 bản sao workflow", kill9(REPLICA), 20),
        Phase(f"Kafka dừng {broker_seconds:.0f} s", broker_outage(broker_seconds), 10),
        Phase(f"PostgreSQL dừng {pg_seconds:.0f} s", postgres_outage(pg_seconds), 10),
    ]


async def run_phase(
    phase: Phase, platform: Platform, servers: ChaosServers, load: Load, reconciler: Reconciler
) -> PhaseReport:
    report = PhaseReport(phase.name)
    fault_done = asyncio.Event()
    loading = asyncio.create_task(load.run_for(phase.load_seconds, report, fault_done))
    try:
        if phase.fault is not None:
            await asyncio.sleep(min(2.0, phase.load_seconds / 2))
            await phase.fault(platform, servers, report)
    finally:
        fault_done.set()
    await loading
    fault_over = time.monotonic()
    await load.settle(report)
    # A bound on a hang only: a long outage leaves a backlog that takes its time to drain.
    report.tally = await reconciler.wait_for(load.accepted_ids, within=1800)
    report.catch_up_seconds = time.monotonic() - fault_over
    return report


HEADER = ("giai đoạn", "gửi", "nhận", "lỗi", "500", "mất", "trùng", "thư chết", "bắt kịp (s)")


def table(reports: list[PhaseReport]) -> str:
    rows = [HEADER]
    for r in reports:
        t = r.tally or Tally()
        rows.append(
            (
                r.name,
                str(r.sent),
                str(r.accepted),
                str(sum(r.errors.values())),
                str(r.server_errors),
                str(t.lost),
                str(t.duplicated),
                str(t.dead_letters),
                f"{r.catch_up_seconds:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    for r in reports:
        for note in [*r.notes, *(r.tally.problems if r.tally else [])][:10]:
            lines.append(f"  {r.name}: {note}")
    return "\n".join(lines)


def failures(reports: list[PhaseReport]) -> list[str]:
    found = []
    for r in reports:
        t = r.tally or Tally(problems=["chưa đối soát"])
        if t.lost or t.duplicated or t.dead_letters or r.server_errors or not t.complete:
            found.append(
                f"{r.name}: mất {t.lost}, trùng {t.duplicated}, thư chết {t.dead_letters}, "
                f"lỗi 500 {r.server_errors}; {'; '.join(t.problems[:5])}"
            )
    return found


async def campaign(
    phases: list[Phase], rate: float, log_dir: Path, servers: ChaosServers
) -> list[PhaseReport]:
    platform = Platform(servers, log_dir)
    await platform.start()
    try:
        reconciler = Reconciler(
            platform.servers.bootstrap,
            platform.env,
            platform.databases,
            platform.tenant,
            platform.url,
            platform.run,
        )
        load = Load(platform, rate)
        reports = []
        for phase in phases:
            print(f"==> {phase.name}", flush=True)
            reports.append(await run_phase(phase, platform, servers, load, reconciler))
        return reports
    finally:
        await platform.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="make chaos", description="Chiến dịch sự cố của motcua")
    parser.add_argument(
        "--full", action="store_true", help="chiến dịch đầy đủ (mặc định: bản ngắn)"
    )
    parser.add_argument("--rate", type=float, default=4.0, help="hồ sơ mỗi giây (vòng hở)")
    parser.add_argument("--broker-seconds", type=float, default=300)
    parser.add_argument("--pg-seconds", type=float, default=10)
    parser.add_argument("--logs", type=Path, default=Path(".run/chaos-logs"))
    args = parser.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    phases = full_phases(args.broker_seconds, args.pg_seconds) if args.full else short_phases()
    servers = ChaosServers()
    servers.up()
    try:
        reports = asyncio.run(campaign(phases, args.rate, args.logs, servers))
    finally:
        servers.down()
    print(table(reports))
    problems = failures(reports)
    print("ĐẠT: 0 mất, 0 trùng" if not problems else "KHÔNG ĐẠT:\n  " + "\n  ".join(problems))
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
