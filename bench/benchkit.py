"""Helpers shared by the benches: figures, result files, realistic messages, /proc readings.

A bench script runs as `python bench/bench_x.py`, so this module is importable as `benchkit`.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_TICK = os.sysconf("SC_CLK_TCK")
PROCEDURES = ("1.001193", "1.000894", "1.000656", "1.004859", "2.000815", "2.000884", "2.001035")


# --- figures and results ---------------------------------------------------------------


def figure(
    value: float, baseline: float | None, target: str, *, higher_is_better: bool = True
) -> dict[str, Any]:
    """{value, baseline, ratio, target}; the ratio is value ÷ baseline unless stated."""
    ratio = None
    if baseline:
        ratio = value / baseline if higher_is_better else baseline / value if value else None
    return {
        "value": _round(value),
        "baseline": None if baseline is None else _round(baseline),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
    }


def _round(x: float) -> float:
    return round(x, 3) if abs(x) < 10 else round(x, 1)


def write_results(name: str, result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    figures: dict[str, dict[str, Any]] = result["figures"]
    print(f"\n{'figure':46} {'value':>11} {'baseline':>11} {'ratio':>7}  target")
    for key, f in figures.items():
        base = "" if f["baseline"] is None else f["baseline"]
        ratio = "" if f["ratio"] is None else f["ratio"]
        print(f"{key:46} {f['value']!s:>11} {base!s:>11} {ratio!s:>7}  {f['target']}")


async def drop_scratch_database(env: dict[str, str], name: str, attempts: int = 20) -> None:
    """DROP ... WITH (FORCE) cannot end an autovacuum worker (the superuser's) busy on a table
    the bench just filled: wait for it to finish instead of failing the run."""
    import asyncpg

    from tests.support.servers import drop_database

    for attempt in range(attempts):
        try:
            await drop_database(env, name)
            return
        except (asyncpg.InsufficientPrivilegeError, asyncpg.ObjectInUseError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(1.0)


# --- realistic messages ------------------------------------------------------------------


@dataclass(frozen=True)
class Wire:
    """One record as the platform writes it: key = dossier id, CloudEvents headers, JSON."""

    key: str
    value: bytes
    headers: dict[str, str]
    topic: str = ""  # the platform topic the contract registry routes it to


def lifecycle_messages(dossiers: int, *, tenants: int = 75) -> list[Wire]:
    """Real contract events (7 per dossier) encoded by the platform's codec."""
    from motcua_contracts.codec import encode
    from motcua_testkit.analytics import Scenario

    scenario = Scenario()
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for i in range(dossiers):
        received = start + timedelta(minutes=7 * i)
        d = scenario.dossier(
            f"xa-{i % tenants:02d}",
            received,
            procedure_code=PROCEDURES[i % len(PROCEDURES)],
            dossier_id=str(uuid.uuid4()),
        )
        d.accepted(received)
        d.ready(received + timedelta(hours=20 + i % 60), elapsed_seconds=3600 * (i % 30))
        d.returned(received + timedelta(days=3), online=i % 3 == 0)
    from motcua_clock.catalogue import load_catalogue

    catalogue = load_catalogue()
    out = []
    for envelope in scenario.envelopes:
        payload = envelope.payload
        if isinstance(payload, dict) and "procedure_version" in payload:
            # As intake writes it: the catalogue's version in force when the dossier came in.
            received = datetime.fromisoformat(
                str(payload.get("received_at") or envelope.occurred_at)
            )
            code = payload["procedure_code"]
            payload["procedure_version"] = catalogue.version_at(code, received).version
        wire = encode(envelope)
        out.append(Wire(wire.key, wire.value, dict(wire.headers), wire.topic))
    return out


# --- /proc: CPU and memory ---------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()  # fields from 3 (state) on


def cpu_ms(pid: int, *, children: bool = False) -> float:
    """utime + stime (+ cutime + cstime: children already reaped) in milliseconds."""
    try:
        f = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks * 1000 / _TICK


def parent_of(pid: int) -> int:
    try:
        return int(_stat(pid)[1])
    except (FileNotFoundError, ProcessLookupError):
        return -1


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""


def all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def tree_ms(pid: int) -> float:
    """CPU of a process, its reaped children and every live descendant (a service that
    forks workers counts them all)."""
    children: dict[int, list[int]] = {}
    for p in all_pids():
        children.setdefault(parent_of(p), []).append(p)
    total, stack = 0.0, [pid]
    while stack:
        p = stack.pop()
        total += cpu_ms(p, children=True)
        stack.extend(children.get(p, []))
    return total


def memory_mb(pid: int) -> dict[str, float | None]:
    """RSS, and PSS where /proc/<pid>/smaps_rollup is readable."""
    out: dict[str, float | None] = {"rss_mb": None, "pss_mb": None}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss"):
                out[f"{name.lower()}_mb"] = round(int(rest.split()[0]) / 1024, 1)
    except (FileNotFoundError, PermissionError, ProcessLookupError):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out["rss_mb"] = round(int(line.split()[1]) / 1024, 1)
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out


def kafka_pid() -> int | None:
    """This checkout's broker, else the one broker running on the machine (a worktree uses
    the main checkout's: its .run has no kafka.pid)."""
    path = ROOT / ".run" / "kafka" / "kafka.pid"
    try:
        pid = int(path.read_text().strip())
        if "kafka.Kafka" in cmdline(pid):
            return pid
    except (FileNotFoundError, ValueError):
        pass
    found = [p for p in all_pids() if "kafka.Kafka" in cmdline(p)]
    return found[0] if len(found) == 1 else None


def postmaster_pid() -> int | None:
    """This checkout's PostgreSQL, else the one postmaster on the machine (see kafka_pid)."""
    data = str(ROOT / ".run" / "pg" / "data")
    postmasters = []
    for pid in all_pids():
        line = cmdline(pid)
        if "postgres" in line and f"-D {data}" in line:
            return pid
        if "bin/postgres" in line and " -D " in line:
            postmasters.append(pid)
    return postmasters[0] if len(postmasters) == 1 else None


class CpuMeter:
    """CPU time of named processes, plus Kafka's JVM and PostgreSQL, between two readings.

    PostgreSQL: the postmaster with its reaped children (cutime/cstime), its background
    processes, and the live backends of `databases` only: the server is shared with other
    benches, and a backend serving another database is not our cost. Kafka's JVM is shared
    too and cannot be split; it counts whole (an upper bound when others use it).
    """

    def __init__(self, processes: dict[str, int], databases: Iterable[str]) -> None:
        self.processes = dict(processes)
        self.databases = tuple(databases)
        self.kafka = kafka_pid()
        self.postmaster = postmaster_pid()

    def _postgres_ms(self) -> tuple[float, float]:
        """(postmaster + background + our live backends, backends that exited meanwhile)."""
        if self.postmaster is None:
            return 0.0, 0.0
        reaped = cpu_ms(self.postmaster, children=True) - cpu_ms(self.postmaster)
        total = cpu_ms(self.postmaster)
        for pid in all_pids():
            if parent_of(pid) != self.postmaster:
                continue
            line = cmdline(pid)
            is_backend = "(" in line  # "postgres: user db 127.0.0.1(port) state"
            if not is_backend or any(f" {db} " in line for db in self.databases):
                total += cpu_ms(pid)
        return total, reaped

    def read(self) -> dict[str, float]:
        out = {name: tree_ms(pid) for name, pid in self.processes.items()}
        out["kafka"] = cpu_ms(self.kafka) if self.kafka else 0.0
        out["postgresql"], out["postgresql_exited_backends"] = self._postgres_ms()
        out["_wall_ms"] = time.monotonic() * 1000
        return out

    @staticmethod
    def diff(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {k: round(after[k] - before[k], 1) for k in before}


async def raw_consume_rate(
    bootstrap: str,
    topics: Iterable[str],
    count: int,
    *,
    max_records: int = 500,
    commit: bool = True,
    max_partition_fetch_bytes: int = 1024 * 1024,
) -> float:
    """The baseline every consumer is measured against: a bare aiokafka loop, getmany +
    json.loads per record (+ an offset commit per batch when asked), from the first batch."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=max_partition_fetch_bytes,
    )
    await consumer.start()
    try:
        seen, started = 0, 0.0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=max_records)
            if batch and not started:
                started = time.perf_counter()
            for records in batch.values():
                for record in records:
                    json.loads(record.value or b"")
                seen += len(records)
            if batch and commit:
                await consumer.commit()
        return count / (time.perf_counter() - started)
    finally:
        await consumer.stop()
