"""End to end: dossiers per second from intake's API to analytics' projection, latency at half
that rate, CPU milliseconds per dossier over every process, memory of each service.

`uv run python bench/bench_end_to_end.py [--quick]` needs the Kafka and PostgreSQL of
`make services-up`. Writes bench/results/end_to_end.json.

The four services run as separate processes with all their roles (api, relay, consumer,
timers), fresh databases, fresh consumer groups. A "dossier" is one registration: intake's
transaction and outbox, the relay, workflow starting the statutory clock (and its events),
notify's receipt message, analytics projecting the received dossier and the clock.

1. Capacity: N registrations from 32 concurrent clerks; the value is N ÷ the time until
   analytics' `dossier_facts` holds all N. The baseline, in the same phase, is the rate at
   which intake's API answered them (registration only): the ratio says how well the rest of
   the pipeline keeps up with the desk.
2. Latency: registrations at half the measured capacity, open loop, for a fixed time; each
   dossier's latency runs from its POST to its row in `dossier_facts` (polled every 20 ms).
3. CPU: utime+stime of the four services, Kafka's JVM and PostgreSQL (postmaster, background
   processes, our databases' backends, and backends that exited meanwhile) from /proc before
   and after phase 1, per dossier; capacity of this machine = cores × 1000 ÷ that.
4. Memory: RSS and PSS of each service at rest (after start) and the peak under phase 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

import asyncpg
from benchkit import CpuMeter, figure, memory_mb, write_results
from benchplatform import ALL_ROLES, BenchPlatform, Desk, new_platform

from tests.support.servers import server_env

SERVICES = ["intake", "workflow", "notify", "analytics"]
GOAL_PER_SECOND = 1000.0  # issue #10: 1,000 dossiers per second end to end
PEAK_NEED = 300.0  # the whole country at peak (docs/domain.md §8)


async def count_facts(conn: asyncpg.Connection, tenants: list[str]) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM dossier_facts WHERE tenant_id = ANY($1::text[])", tenants
        )
    )


async def wait_for_facts(
    conn: asyncpg.Connection, tenants: list[str], expected: int, seconds: float
) -> float:
    """Monotonic time at which analytics held `expected` facts of these communes."""
    deadline = time.monotonic() + seconds
    while (n := await count_facts(conn, tenants)) < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"analytics projected {n} of {expected} in {seconds:.0f} s")
        await asyncio.sleep(0.05)
    return time.monotonic()


class MemoryWatch:
    """Peak RSS/PSS per process, sampled while a phase runs."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak: dict[str, dict[str, float | None]] = {s: {} for s in pids}
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> None:
        for service, pid in self.pids.items():
            now = memory_mb(pid)
            for key, value in now.items():
                old = self.peak[service].get(key)
                if value is not None and (old is None or value > old):
                    self.peak[service][key] = value

    async def _loop(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(0.5)

    def __enter__(self) -> MemoryWatch:
        self._task = asyncio.ensure_future(self._loop())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task:
            self._task.cancel()
        self.sample()


async def capacity(
    platform: BenchPlatform, conn: asyncpg.Connection, desk: Desk, n: int, first: int
) -> dict[str, Any]:
    base = await count_facts(conn, platform.tenants)
    meter = CpuMeter(platform.pids(), platform.databases.values())
    before = meter.read()
    gate = asyncio.Semaphore(32)
    answered: list[float] = []

    async def one(i: int) -> None:
        async with gate:
            if await desk.register(i) is not None:
                answered.append(time.monotonic())

    with MemoryWatch(platform.pids()) as watch:
        started = time.monotonic()
        await asyncio.gather(*(one(first + i) for i in range(n)))
        if desk.errors:
            raise RuntimeError(f"{len(desk.errors)} registrations failed: {desk.errors[:3]}")
        done = await wait_for_facts(conn, platform.tenants, base + n, seconds=600)
    cpu = CpuMeter.diff(before, meter.read())
    return {
        "e2e_per_second": n / (done - started),
        "api_per_second": n / (max(answered) - started),
        "seconds": done - started,
        "cpu_ms": cpu,
        "memory_peak": watch.peak,
    }


async def latency(
    platform: BenchPlatform,
    conn: asyncpg.Connection,
    desk: Desk,
    rate: float,
    seconds: float,
    first: int,
) -> dict[str, float]:
    posted: dict[str, float] = {}
    seen: dict[str, float] = {}
    count = max(1, int(rate * seconds))
    started = time.monotonic()

    async def one(i: int) -> None:
        await asyncio.sleep(max(0.0, started + i / rate - time.monotonic()))
        sent = time.monotonic()
        made = await desk.register(first + i)
        if made is not None:
            posted[made["dossier_id"]] = sent

    async def poll() -> None:
        while True:
            pending = [d for d in posted if d not in seen]
            if pending:
                rows = await conn.fetch(
                    "SELECT dossier_id FROM dossier_facts WHERE dossier_id = ANY($1::text[])",
                    pending,
                )
                now = time.monotonic()
                for r in rows:
                    seen[r["dossier_id"]] = now
            await asyncio.sleep(0.02)

    poller = asyncio.ensure_future(poll())
    try:
        await asyncio.gather(*(one(i) for i in range(count)))
        deadline = time.monotonic() + 120
        while len(seen) < len(posted) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    finally:
        poller.cancel()
    if desk.errors or len(seen) < count:
        raise RuntimeError(f"{len(seen)} of {count} seen; errors {desk.errors[:3]}")
    samples = sorted((seen[d] - posted[d]) * 1000 for d in posted)
    return {
        "p50_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "dossiers": len(samples),
        "offered_per_second": rate,
    }


async def main(quick: bool) -> None:
    env = server_env()
    n = 600 if quick else 2000
    latency_seconds = 15.0 if quick else 30.0
    platform = await new_platform(env, 20, SERVICES)
    try:
        platform.start({s: ALL_ROLES for s in SERVICES})
        print(f"platform up ({platform.run}); logs in {platform.log_dir}", flush=True)
        await asyncio.sleep(5)  # tenants reach every service; the processes settle
        at_rest = {s: memory_mb(pid) for s, pid in platform.pids().items()}
        conn = await asyncpg.connect(platform.dsn("analytics"))
        desk = Desk(platform.processes["intake"].url, platform.tenants, platform.run)
        try:
            await capacity(platform, conn, desk, 50, first=900_000)  # warm-up, not counted
            cap = await capacity(platform, conn, desk, n, first=0)
            print(
                f"end to end {cap['e2e_per_second']:.1f}/s; intake API "
                f"{cap['api_per_second']:.1f}/s; CPU {cap['cpu_ms']}",
                flush=True,
            )
            lat = await latency(
                platform, conn, desk, cap["e2e_per_second"] / 2, latency_seconds, first=n
            )
            print(f"latency at half rate: {lat}", flush=True)
        finally:
            await desk.close()
            await conn.close()
    finally:
        await platform.stop()

    cpu = {k: v for k, v in cap["cpu_ms"].items() if not k.startswith("_")}
    cpu_total = sum(cpu.values())
    per_dossier = cpu_total / n
    cores = os.cpu_count() or 1
    machine_capacity = cores * 1000 / per_dossier
    budget = cores * 1000 / GOAL_PER_SECOND
    figures = {
        "dossiers_per_second_end_to_end": figure(
            cap["e2e_per_second"], cap["api_per_second"], "ratio to intake API rate; goal 1,000/s"
        ),
        "p50_ms_at_half_rate": figure(lat["p50_ms"], None, ""),
        "p99_ms_at_half_rate": figure(lat["p99_ms"], None, "< 2000 ms (value)"),
        "cpu_ms_per_dossier_all_processes": figure(
            per_dossier,
            budget,
            f"<= {budget:g} ms ({GOAL_PER_SECOND:,.0f}/s on {cores} cores)",
            higher_is_better=False,
        ),
        "capacity_dossiers_per_second_this_machine": figure(
            machine_capacity,
            GOAL_PER_SECOND,
            f">= 1 (ratio to the goal); country peak {PEAK_NEED:.0f}",
        ),
    }
    for service in SERVICES:
        rest = at_rest[service].get("rss_mb") or 0.0
        peak = cap["memory_peak"][service].get("rss_mb") or 0.0
        figures[f"{service}_rss_mb_under_load"] = figure(peak, rest, "ratio to at rest")
    write_results(
        "end_to_end",
        {
            "benchmark": "end to end through four service processes",
            "quick": quick,
            "dossiers": n,
            "cpu_ms_by_process": cpu,
            "cpu_ms_per_dossier_by_process": {k: round(v / n, 3) for k, v in cpu.items()},
            "wall_seconds_phase_1": round(cap["seconds"], 2),
            "memory_mb_at_rest": at_rest,
            "memory_mb_peak_under_load": cap["memory_peak"],
            "latency": lat,
            "notes": [
                "Kafka and PostgreSQL are shared with other work on this machine: their CPU is "
                "an upper bound (the JVM cannot be split; PostgreSQL counts our databases' "
                "backends plus background processes and any backend that exited meanwhile).",
                "The services consume the shared topics: events other runs produce at the same "
                "time are processed (and counted) too.",
            ],
            "figures": figures,
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    asyncio.run(main(parser.parse_args().quick))
