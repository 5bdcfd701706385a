"""Dossier-registration throughput of intake beside a bare FastAPI + asyncpg endpoint.

`uv run python bench/bench_intake.py [--quick]` needs the PostgreSQL of `make services-up`
(and Kafka, which intake's process connects to). Both servers run as their own processes on
loopback and write the same rows in one transaction (sequence upsert, the dossier with its
document checklist and look-up hash, the control-sheet row, the outbox row); intake adds
authentication (RS256), validation, the tenant check, the statutory clock and the event
envelope. Both run side by side and are measured in alternating rounds (the machine is
shared); the ratio is the median of the rounds' ratios. Prints a table and writes
bench/results/intake.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi import FastAPI, Request  # noqa: E402

from tests.support.servers import (  # noqa: E402
    ServiceProcess,
    create_database,
    drop_database,
    free_port,
    server_env,
    unique,
)

TENANT = "bench-xa"
RESULTS = ROOT / "bench" / "results" / "intake.json"


def payload(i: int) -> dict[str, Any]:
    return {
        "procedure_code": "2.000884",
        "channel": "counter",
        "applicant": {
            "full_name": "Lò Văn Bình",
            "id_number": f"0140950{i % 100000:05d}",
            "date_of_birth": "1995-04-12",
            "phone": "0912345678",
            "address": "Bản Hìn, xã Chiềng Khương",
        },
        "documents": [{"name": "Giấy tờ cần chứng thực chữ ký", "form": "original"}],
    }


# --- the baseline: what a hand-written endpoint would do, nothing more ---------------------


def baseline_app(dsn: str) -> Any:
    import hashlib
    import secrets
    import uuid
    from datetime import UTC, date, datetime

    import asyncpg

    app = FastAPI()
    state: dict[str, Any] = {}

    @app.on_event("startup")
    async def _start() -> None:
        state["pool"] = await asyncpg.create_pool(dsn, min_size=10, max_size=20)

    @app.post("/dossiers", status_code=201)
    async def register(request: Request) -> dict[str, str]:
        body = await request.json()
        now = datetime.now(UTC)
        dossier_id = str(uuid.uuid4())
        a = body["applicant"]
        nonce = secrets.token_hex(16)
        documents = json.dumps(
            [{"name": d["name"], "form": d["form"], "copies": 1} for d in body["documents"]],
            ensure_ascii=False,
        )
        async with state["pool"].acquire() as conn, conn.transaction():
            seq = await conn.fetchval(
                "INSERT INTO dossier_sequences (tenant_id, day, last_value) VALUES ($1, $2, 1) "
                "ON CONFLICT (tenant_id, day) DO UPDATE SET last_value = "
                "dossier_sequences.last_value + 1 RETURNING last_value",
                "bench-base",
                now.date(),
            )
            code = f"000.00.00.B00-{now:%y%m%d}-{seq:04d}"
            await conn.execute(
                "INSERT INTO dossiers (dossier_id, tenant_id, resolving_tenant_id, code, "
                "procedure_code, procedure_version, field_code, channel, status, version, "
                "received_at, due_at, verification_required, documents, applicant_name, "
                "applicant_name_folded, applicant_id_number, applicant_dob, applicant_phone, "
                "applicant_email, applicant_address, lookup_nonce, lookup_hash, updated_at) "
                "VALUES ($1,$2,$2,$3,$4,$5,$6,$7,$8,1,$9,$9,false,$10,$11,$12,$13,$14,$15,"
                "$16,$17,$18,$19,$9)",
                dossier_id,
                "bench-base",
                code,
                body["procedure_code"],
                "1",
                "chung_thuc",
                body["channel"],
                "received",
                now,
                documents,
                a["full_name"],
                a["full_name"].lower(),
                a["id_number"],
                date.fromisoformat(a["date_of_birth"]),
                a["phone"],
                a.get("email"),
                a["address"],
                nonce,
                hashlib.sha256(nonce.encode()).hexdigest(),
            )
            # The control-sheet row intake writes for the registration step.
            await conn.execute(
                "INSERT INTO dossier_steps (dossier_id, seq, tenant_id, at, action, "
                "status_after, sender, timeliness) VALUES ($1, 1, $2, $3, 'register', "
                "'received', $4, 'on_time')",
                dossier_id,
                "bench-base",
                now,
                "clerk",
            )
            await conn.execute(
                "INSERT INTO outbox (topic, message_key, value, headers, created_at) "
                "VALUES ($1, $2, $3, '{}', $4)",
                "motcua.dossiers.v1",
                dossier_id,
                json.dumps({"code": code}).encode(),
                now,
            )
        return {"dossier_id": dossier_id, "code": code}

    return app


def serve_baseline(dsn: str, port: int) -> None:
    import uvicorn

    uvicorn.run(baseline_app(dsn), host="127.0.0.1", port=port, log_level="warning")


# --- load generation -------------------------------------------------------------------------
# A minimal keep-alive HTTP/1.1 client: httpx costs more CPU per request than the servers
# under test, and on two cores the generator would otherwise set the pace for both.


class Connection:
    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parsed = urlsplit(url)
        self.host, self.port, self.path = parsed.hostname or "", parsed.port or 80, parsed.path
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: dict[str, Any]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}\r\n{self.extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        content = await self.reader.readexactly(length)
        status = int(status_line.split()[1])
        assert status == 201, content[:300]
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def closed_loop(
    url: str, headers: dict[str, str], *, concurrency: int, seconds: float, max_requests: int
) -> float:
    """Fixed concurrency, bounded in time and count: requests per second."""
    done = 0
    stop = time.monotonic() + seconds

    async def worker(w: int) -> None:
        nonlocal done
        conn = Connection(url, headers)
        i = 0
        while time.monotonic() < stop and done < max_requests:
            await conn.post(payload(w * 100_000 + i))
            done += 1
            i += 1
        await conn.close()

    started = time.monotonic()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done / (time.monotonic() - started)


async def paced(url: str, headers: dict[str, str], *, rate: float, seconds: float) -> list[float]:
    """Open loop at a fixed rate over a pool of connections: latencies in milliseconds."""
    latencies: list[float] = []
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(64):
        idle.put_nowait(Connection(url, headers))

    async def one(i: int, scheduled: float) -> None:
        conn = await idle.get()
        await conn.post(payload(500_000 + i))
        latencies.append((time.monotonic() - scheduled) * 1000)  # includes any queueing
        idle.put_nowait(conn)

    tasks = []
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        scheduled = start + i / rate
        delay = scheduled - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        await idle.get_nowait().close()
    return latencies


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else values[0]


async def rounds(
    targets: dict[str, tuple[str, dict[str, str]]], quick: bool
) -> dict[str, list[float]]:
    """Closed-loop rates of each server, in alternating rounds: the machine is shared, and a
    neighbour's burst then slows one round of both rather than all of one side."""
    count, seconds = (3, 3.0) if quick else (5, 6.0)
    for url, headers in targets.values():  # warm up
        await closed_loop(url, headers, concurrency=8, seconds=1.0, max_requests=200)
    rates: dict[str, list[float]] = {name: [] for name in targets}
    for i in range(count):
        order = list(targets) if i % 2 == 0 else list(reversed(targets))
        for name in order:
            url, headers = targets[name]
            rates[name].append(
                await closed_loop(
                    url, headers, concurrency=32, seconds=seconds, max_requests=50_000
                )
            )
    return rates


async def latency(url: str, headers: dict[str, str], rate: float, quick: bool) -> dict[str, float]:
    latencies = await paced(url, headers, rate=rate / 2, seconds=2.0 if quick else 5.0)
    return {"p99_ms": p99(latencies), "p50_ms": statistics.median(latencies)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve-baseline", nargs=2, metavar=("DSN", "PORT"))
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(args.serve_baseline[0], int(args.serve_baseline[1]))
        return 0
    return asyncio.run(run(args.quick))


async def run(quick: bool) -> int:
    from intake.auth import dev_tokens

    env = server_env()
    name = unique("bench_intake")
    url = await create_database(env, name)
    tmp = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    keys = dev_tokens.ensure_keys(tmp / "keys")
    intake = ServiceProcess(
        "intake",
        {
            "MOTCUA_INTAKE_DATABASE_URL": url,
            "MOTCUA_INTAKE_KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
            "MOTCUA_INTAKE_ENVIRONMENT": "test",
            "MOTCUA_INTAKE_DEV_KEYS_DIR": str(keys),
            "MOTCUA_INTAKE_LOG_LEVEL": "WARNING",
            # One commune on purpose: the per-commune fairness limit would cap the load.
            "MOTCUA_INTAKE_TENANT_RATE_PER_SECOND": "0",
            "MOTCUA_INTAKE_PRINCIPAL_RATE_PER_SECOND": "0",
        },
        "api",
    )
    baseline: subprocess.Popen[bytes] | None = None
    try:
        intake.start(tmp)
        operator = {"Authorization": f"Bearer {dev_tokens.mint('operator', None, keys_dir=keys)}"}
        await asyncio.to_thread(
            httpx.put,
            f"{intake.url}/api/v1/tenants/{TENANT}",
            headers=operator,
            json={"name_vi": "Xã Đo Tải", "agency_code": "000.00.00.H00"},
        )
        clerk = {"Authorization": f"Bearer {dev_tokens.mint('clerk', TENANT, keys_dir=keys)}"}
        port = free_port()
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        baseline = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, __file__, "--serve-baseline", dsn, str(port)],
            cwd=ROOT,
        )
        async with httpx.AsyncClient() as probe:
            for _ in range(100):
                try:
                    await probe.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        targets = {
            "intake": (f"{intake.url}/api/v1/communes/{TENANT}/dossiers", clerk),
            "bare": (f"http://127.0.0.1:{port}/dossiers", {}),
        }
        rates = await rounds(targets, quick)
        ours: dict[str, Any] = {"rates": rates["intake"]}
        base: dict[str, Any] = {"rates": rates["bare"]}
        for side in (ours, base):
            side["rate"] = statistics.median(side["rates"])
        ours |= await latency(*targets["intake"], ours["rate"], quick)
        base |= await latency(*targets["bare"], base["rate"], quick)
    finally:
        intake.stop()
        if baseline is not None:
            baseline.terminate()
            baseline.wait(10)
        await drop_database(env, name)
    report(ours, base, quick)
    return 0


def report(ours: dict[str, Any], base: dict[str, Any], quick: bool) -> None:
    # Each round's ratio pairs two measurements taken seconds apart; their median is the figure.
    round_ratios = [o / b for o, b in zip(ours["rates"], base["rates"], strict=True)]
    figures = {
        "registrations_per_second": {
            "value": round(ours["rate"], 1),
            "baseline": round(base["rate"], 1),
            "ratio": round(statistics.median(round_ratios), 3),
            "target": ">= 0.6 (ratio)",
        },
        "p99_ms_at_half_max_rate": {
            "value": round(ours["p99_ms"], 1),
            "baseline": round(base["p99_ms"], 1),
            "ratio": round(ours["p99_ms"] / base["p99_ms"], 3),
            "target": "< 50 ms (value)",
        },
        "p50_ms_at_half_max_rate": {
            "value": round(ours["p50_ms"], 1),
            "baseline": round(base["p50_ms"], 1),
            "ratio": round(ours["p50_ms"] / base["p50_ms"], 3),
            "target": None,
        },
    }
    print("ratio per round:", ", ".join(f"{r:.3f}" for r in round_ratios))
    print(f"{'figure':28} {'intake':>10} {'bare':>10} {'ratio':>7}  target")
    for key, f in figures.items():
        print(f"{key:28} {f['value']:>10} {f['baseline']:>10} {f['ratio']:>7}  {f['target'] or ''}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "intake registration",
                "quick": quick,
                "round_ratios": [round(r, 3) for r in round_ratios],
                "figures": figures,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
