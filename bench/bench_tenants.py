"""Onboarding 1,000 communes through the API while a desk registers dossiers, in one run.

`uv run python bench/bench_tenants.py [--quick]` needs the PostgreSQL and Kafka of
`make services-up`. Intake runs as its own process (api + relay, so every TenantConfigured is
also published). In the same run:

1. registration throughput of one busy commune alone (the baseline);
2. the same load while an operator onboards 1,000 units through `PUT /api/v1/tenants/{id}`
   (4 concurrent requests), 100 units at a time with a slice of registrations alone between
   chunks (the baseline is the mean of the first measurement and those slices, so a
   neighbour's burst on the shared machine weighs on both sides): onboarding time (the sum
   of the chunks) and the registration throughput meanwhile;
3. the whole file again: every unit `unchanged`, nothing published (idempotency), and its time.

The per-commune rate limit is off here: the load comes from one commune on purpose.
Prints a table and writes bench/results/tenants.json ({name, value, baseline, ratio, target}).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from bench_intake import closed_loop  # noqa: E402

from tests.support.servers import (  # noqa: E402
    ServiceProcess,
    create_database,
    drop_database,
    server_env,
    unique,
)

BUSY = "bench.ban-ron"
RESULTS = ROOT / "bench" / "results" / "tenants.json"
CONCURRENCY = 4  # registration clients of the busy desk
ONBOARDERS = 4  # concurrent PUTs of the operator's onboarding command
CHUNK = 100  # units onboarded between two slices of registrations alone


def unit(i: int) -> tuple[str, dict[str, Any]]:
    return (
        f"bench.xa-{i:04d}",
        {
            "name_vi": f"Xã Đo Tải {i}",
            "unit_type": "phuong" if i % 9 == 0 else "xa",
            "agency_code": f"BENCH.14.{i:04d}",
            "status": "pilot" if i % 10 == 0 else "active",
            "cohorts": ["bench"] + (["pilot"] if i % 10 == 0 else []),
            "office_hours": {"morning": ["07:30", "11:30"], "afternoon": ["13:30", "17:00"]},
            "closures": ["2026-03-02"],
            "enabled_procedures": [
                {"procedure_code": "1.000689", "promised_working_days": 2},
                {"procedure_code": "1.001193"},
            ],
            "leader_on_duty": {"official_id": f"ld-{i}"},
            "credentials": {"sms": "secret:son-la-sms"},
        },
    )


async def onboard_all(
    base_url: str, token: str, count: int, concurrency: int = ONBOARDERS
) -> tuple[float, dict[str, int]]:
    return await onboard_rows(base_url, token, range(1, count + 1), concurrency)


async def onboard_rows(
    base_url: str, token: str, numbers: range, concurrency: int = ONBOARDERS
) -> tuple[float, dict[str, int]]:
    from intake.onboard import onboard

    rows = [unit(i) for i in numbers]
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        report = await onboard(client, rows, token=token, concurrency=concurrency)
    assert not report.errors, report.errors[:3]
    return time.monotonic() - started, dict(report.counts)


async def run(quick: bool, count: int) -> int:
    from intake.auth import dev_tokens

    env = server_env()
    name = unique("bench_tenants")
    url = await create_database(env, name)
    tmp = Path(tempfile.mkdtemp(prefix="bench-tenants-"))
    keys = dev_tokens.ensure_keys(tmp / "keys")
    intake = ServiceProcess(
        "intake",
        {
            "MOTCUA_INTAKE_DATABASE_URL": url,
            "MOTCUA_INTAKE_KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
            "MOTCUA_INTAKE_ENVIRONMENT": "test",
            "MOTCUA_INTAKE_DEV_KEYS_DIR": str(keys),
            "MOTCUA_INTAKE_LOG_LEVEL": "WARNING",
            "MOTCUA_INTAKE_TENANT_RATE_PER_SECOND": "0",
            "MOTCUA_INTAKE_PRINCIPAL_RATE_PER_SECOND": "0",
        },
        "api,relay",
    )
    seconds = 3.0 if quick else 15.0
    try:
        intake.start(tmp)
        operator = dev_tokens.mint("operator", None, keys_dir=keys)
        _, busy_body = unit(0)
        async with httpx.AsyncClient(base_url=intake.url) as client:
            r = await client.put(
                f"/api/v1/tenants/{BUSY}",
                json={**busy_body, "agency_code": "BENCH.14.BUSY"},
                headers={"Authorization": f"Bearer {operator}"},
            )
            assert r.status_code == 200, r.text
        clerk = {"Authorization": f"Bearer {dev_tokens.mint('clerk', BUSY, keys_dir=keys)}"}
        target = f"{intake.url}/api/v1/communes/{BUSY}/dossiers"
        await closed_loop(target, clerk, concurrency=4, seconds=1.0, max_requests=200)  # warm up
        alone = await closed_loop(
            target, clerk, concurrency=CONCURRENCY, seconds=seconds, max_requests=100_000
        )

        alone_done = alone_seconds = during_done = during_seconds = onboard_seconds = 0.0
        first_counts: dict[str, int] = {}
        # Alternating: registrations alone for a slice, then beside the onboarding of the next
        # chunk of units. Neighbours on the shared machine then slow both sides alike.
        for start in range(1, count + 1, CHUNK):
            rows = range(start, min(start + CHUNK, count + 1))
            await asyncio.sleep(0.3)  # the relay publishes the last chunk's events first
            slice_started = time.monotonic()
            rate = await closed_loop(
                target, clerk, concurrency=CONCURRENCY, seconds=0.5, max_requests=100_000
            )
            alone_seconds += time.monotonic() - slice_started
            alone_done += rate * (time.monotonic() - slice_started)
            onboarding = asyncio.create_task(onboard_rows(intake.url, operator, rows))
            while not onboarding.done():
                slice_started = time.monotonic()
                rate = await closed_loop(
                    target, clerk, concurrency=CONCURRENCY, seconds=0.5, max_requests=100_000
                )
                during_seconds += time.monotonic() - slice_started
                during_done += rate * (time.monotonic() - slice_started)
            chunk_seconds, counts = await onboarding
            onboard_seconds += chunk_seconds
            for k, v in counts.items():
                first_counts[k] = first_counts.get(k, 0) + v
        during = during_done / max(during_seconds, 1e-6)
        alone = (alone + alone_done / max(alone_seconds, 1e-6)) / 2  # before and between

        # The last unit is usable right away (no restart, no cache to wait for).
        last_id = unit(count)[0]
        usable_started = time.monotonic()
        async with httpx.AsyncClient(base_url=intake.url, timeout=10) as client:
            from tests.support.dossiers import registration

            last = {"Authorization": f"Bearer {dev_tokens.mint('clerk', last_id, keys_dir=keys)}"}
            r = await client.post(
                f"/api/v1/communes/{last_id}/dossiers", json=registration(1), headers=last
            )
            assert r.status_code == 201, r.text
        usable_ms = (time.monotonic() - usable_started) * 1000
        again_seconds, again_counts = await onboard_all(intake.url, operator, count, 8)
    finally:
        intake.stop()
        await drop_database(env, name)
    assert first_counts.get("created") == count, first_counts
    assert again_counts.get("unchanged") == count, again_counts
    report(
        quick=quick,
        count=count,
        alone=alone,
        during=during,
        onboard_seconds=onboard_seconds,
        again_seconds=again_seconds,
        usable_ms=usable_ms,
    )
    return 0


def report(
    *,
    quick: bool,
    count: int,
    alone: float,
    during: float,
    onboard_seconds: float,
    again_seconds: float,
    usable_ms: float,
) -> None:
    figures = [
        {
            "name": "registrations_per_second_during_onboarding",
            "value": round(during, 1),
            "baseline": round(alone, 1),
            "ratio": round(during / alone, 3),
            "target": ">= 0.5 (ratio; 2 shared cores, onboarding and load on the same process)",
        },
        {
            "name": f"seconds_to_onboard_{count}_units",
            "value": round(onboard_seconds, 2),
            "baseline": None,
            "ratio": None,
            "target": "< 60 s (value)",
        },
        {
            "name": "units_onboarded_per_second",
            "value": round(count / onboard_seconds, 1),
            "baseline": None,
            "ratio": None,
            "target": None,
        },
        {
            "name": f"seconds_to_rerun_{count}_units_unchanged",
            "value": round(again_seconds, 2),
            "baseline": round(onboard_seconds, 2),
            "ratio": round(again_seconds / onboard_seconds, 3),
            "target": "no revision, no event (asserted)",
        },
        {
            "name": "ms_until_last_new_unit_registers",
            "value": round(usable_ms, 1),
            "baseline": None,
            "ratio": None,
            "target": "< 10000 ms (value)",
        },
    ]
    print(f"{'figure':44} {'value':>10} {'baseline':>10} {'ratio':>7}  target")
    for f in figures:
        print(
            f"{f['name']:44} {f['value']!s:>10} {f['baseline']!s:>10} {f['ratio']!s:>7}  "
            f"{f['target'] or ''}"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"benchmark": "tenants onboarding", "quick": quick, "units": count, "figures": figures},
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    return asyncio.run(run(args.quick, args.units))


if __name__ == "__main__":
    sys.exit(main())
