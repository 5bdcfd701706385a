"""Analytics: events per second into the projections beside a raw aiokafka consume loop,
and the p95 of the indicator API over 10 million dossiers of history.

`uv run python bench/bench_analytics.py [--quick]` needs the Kafka and PostgreSQL of
`make services-up`. Prints a table and writes bench/results/analytics.json.

1. Throughput: lifecycles of dossiers (6 events each) are produced once to a fresh topic.
   The baseline is a bare aiokafka loop that receives the records and json-decodes each
   value (fresh group); the value is analytics' batch projector (decode, check, facts,
   daily and monthly rollups, offsets, commit) into PostgreSQL (fresh group, fresh
   database). Same topic, same run; both timed from their first records received. Five
   rounds of (raw loop, projection); the figure is the round with the median ratio.
2. Indicator API over 10 million dossiers of history (see `fill`): the service then runs
   as its own process (role api) and the indicator endpoint is called with a rotation of
   filters (province, commune, cohort, procedure, past year, small exact-median query).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from aiokafka import AIOKafkaProducer  # noqa: E402
from analytics.adapters.tables import PROJECTIONS  # noqa: E402
from analytics.bootstrap import build_runtime, tune_gc_for_batches  # noqa: E402
from analytics.domain.contributions import COUNTERS, HIST, HIST_BOUNDS_HOURS  # noqa: E402
from analytics.domain.days import local_day  # noqa: E402
from analytics.settings import AnalyticsSettings  # noqa: E402
from benchkit import (  # noqa: E402
    drop_scratch_database,
    figure,
    raw_consume_rate,
    write_results,
)
from motcua_contracts.codec import encode  # noqa: E402
from motcua_platform.auth.dev_tokens import mint  # noqa: E402
from motcua_platform.messaging.kafka import make_broker  # noqa: E402
from motcua_platform.messaging.transport import KafkaTransport  # noqa: E402
from motcua_testkit.analytics import Scenario  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tests.support.servers import (  # noqa: E402
    ServiceProcess,
    create_database,
    drop_database,
    server_env,
    unique,
)

PROCEDURES = ("1.001193", "1.000894", "1.000656", "1.004859", "2.000815", "2.000884", "2.001035")


# --- 1. throughput ---------------------------------------------------------------------


def lifecycles(dossiers: int) -> list[Any]:
    """Received, accepted, decided, ready (+ workflow's ClockCompleted), returned, rated."""
    scenario = Scenario()
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for i in range(dossiers):
        tenant = f"xa-{i % 75:02d}"
        received = start + timedelta(minutes=7 * i)
        d = scenario.dossier(
            tenant,
            received,
            procedure_code=PROCEDURES[i % len(PROCEDURES)],
            dossier_id=str(uuid.uuid4()),
        )
        d.accepted(received)
        d.ready(received + timedelta(hours=20 + i % 60), elapsed_seconds=3600 * (i % 30))
        d.returned(received + timedelta(days=3), online=i % 3 == 0)
    return scenario.envelopes


async def produce(bootstrap: str, topic: str, envelopes: list[Any]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=512 * 1024, acks=1
    )
    await producer.start()
    try:
        futures = []
        for envelope in envelopes:
            wire = encode(envelope)
            headers = [(k, v.encode()) for k, v in wire.headers.items()]
            futures.append(
                await producer.send(topic, wire.value, key=wire.key.encode(), headers=headers)
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def projection_rate(env: dict[str, str], url: str, topic: str, count: int) -> float:
    """One round: empty projections, a fresh group, the whole topic projected.

    The rounds share one database (emptied with TRUNCATE): creating and dropping a database
    per round forced PostgreSQL checkpoints, after which every page written costs a full
    image in the WAL, and the later rounds paid for the earlier ones."""
    settings = AnalyticsSettings(
        database_url=url, kafka_bootstrap=env["MOTCUA_KAFKA_BOOTSTRAP"], environment="test"
    )
    runtime = build_runtime(settings, gauges=False)
    await runtime.migrate()
    async with runtime.sessions() as session, session.begin():
        names = ", ".join(table.name for table in PROJECTIONS)
        await session.execute(text(f"TRUNCATE {names}"))
    transport = KafkaTransport(make_broker(settings))
    await transport.start()
    runtime.transport = transport
    consumer = runtime.batch_consumer(f"bench-proj-{uuid.uuid4().hex[:8]}")
    consumer._topics = [topic]  # the bench's own topic, not the platform's
    tune_gc_for_batches()  # as the service's consumer role does
    projected = await consumer.run_until_caught_up()
    # timed like the raw loop: from the first records received (group join excluded)
    assert consumer.first_batch_at is not None
    elapsed = asyncio.get_running_loop().time() - consumer.first_batch_at
    await transport.stop()
    await runtime.close()
    assert projected == count, (projected, count)
    return count / elapsed


# --- 2. the indicator API over a large history -----------------------------------------
#
# 10 million dossiers over five years. The last RECENT_DAYS are real dossier facts (what the
# live list, "open now" and exact medians read), their daily rollup rows derived from them
# in SQL by the same rules as analytics.domain.contributions. The older days are rollup rows
# generated directly (every older dossier closed), so that loading stays within minutes on
# two cores. Monthly rows are summed from the daily ones, as the projection does.

RECENT_DAYS = 60
HISTORY_DAYS = 1826

FILL_FACTS = """
INSERT INTO dossier_facts (dossier_id, tenant_id, dossier_code, version, clock_version,
  resolving_tenant_id, receiving_tenant_id, procedure_code, field_code, channel,
  received_at, due_at, due_from_clock, due_version, completed_at, decision, clock_outcome,
  clock_elapsed_seconds, processing_seconds, returned_at, returned_online, apology_at,
  apology_late, rated_at, rating_level, rating_points)
SELECT 'b' || i, t, 'X-' || i, 6, 2, t, t, p, 'ho_tich',
  CASE WHEN i % 5 = 0 THEN 'online' ELSE 'counter' END,
  r, r + interval '3 days', true, 1,
  CASE WHEN r < $2::timestamptz - interval '4 days' THEN r + (i % 97) * interval '1 hour' END,
  'approved',
  CASE WHEN r >= $2::timestamptz - interval '4 days' THEN NULL WHEN i % 97 > 72 THEN 'done_late'
       WHEN i % 97 < 24 THEN 'done_early' ELSE 'done_on_time' END,
  (i % 97) * 1800, CASE WHEN r < $2::timestamptz - interval '4 days' THEN (i % 97) * 1800 END,
  CASE WHEN r < $2::timestamptz - interval '4 days' THEN r + interval '4 days' END, i % 3 = 0,
  CASE WHEN i % 97 > 72 THEN r + interval '2 days' END, i % 97 > 90,
  CASE WHEN i % 10 < 3 AND r < $2::timestamptz - interval '4 days' THEN r + interval '4 days' END,
  CASE WHEN i % 10 < 3 AND r < $2::timestamptz - interval '4 days'
       THEN (ARRAY['khong_hai_long','hai_long','rat_hai_long'])[1 + i % 3] END,
  CASE WHEN i % 10 < 2 THEN 10 + i % 9 END
FROM (
  SELECT i, 'xa-' || lpad((i % 75)::text, 2, '0') AS t,
         (ARRAY['1.001193','1.000894','1.000656','1.004859','2.000815','2.000884',
                '2.001035'])[1 + i % 7] AS p,
         $2::timestamptz - (($1::int - i)::float8 / $1::int) * $4::int * interval '1 day' AS r
  FROM generate_series($3::int, $1::int) AS i
) s
"""

_LOCAL = "AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
_HIST_BOUNDS = ",".join(str(int(h * 3600)) for h in HIST_BOUNDS_HOURS)

# The facts' contributions as (commune, procedure, field, day, counter, value) rows.
CONTRIBUTIONS = f"""
SELECT resolving_tenant_id t, procedure_code p, field_code f, (received_at {_LOCAL} d,
  'received' k, 1 v FROM dossier_facts
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (received_at {_LOCAL},
  'received_online', 1 FROM dossier_facts WHERE channel = 'online'
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (completed_at {_LOCAL},
  'resolved_' || CASE clock_outcome WHEN 'done_early' THEN 'early'
  WHEN 'done_on_time' THEN 'on_time' ELSE 'late' END, 1
  FROM dossier_facts WHERE completed_at IS NOT NULL
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (completed_at {_LOCAL},
  x.k, x.v FROM dossier_facts, LATERAL (VALUES
    ('processing_seconds_sum', processing_seconds), ('processing_count', 1),
    ('processing_h' || lpad(width_bucket(processing_seconds,
      ARRAY[{_HIST_BOUNDS}]::int[])::text, 2, '0'), 1)) x(k, v)
  WHERE completed_at IS NOT NULL
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (apology_at {_LOCAL},
  x.k, x.v FROM dossier_facts, LATERAL (VALUES ('apologies', 1),
    ('apologies_late', apology_late::int)) x(k, v) WHERE apology_at IS NOT NULL
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (returned_at {_LOCAL},
  x.k, x.v FROM dossier_facts, LATERAL (VALUES ('returned', 1),
    ('returned_online', returned_online::int)) x(k, v) WHERE returned_at IS NOT NULL
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (rated_at {_LOCAL},
  x.k, x.v FROM dossier_facts, LATERAL (VALUES ('rated_' || rating_level, 1),
    ('evaluation_points_sum', coalesce(rating_points, 0)),
    ('evaluation_count', (rating_points IS NOT NULL)::int)) x(k, v) WHERE rated_at IS NOT NULL
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (received_at {_LOCAL},
  'open_delta', 1 FROM dossier_facts
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (completed_at {_LOCAL},
  'open_delta', -1 FROM dossier_facts WHERE completed_at IS NOT NULL
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code,
  greatest((received_at {_LOCAL}, (due_at {_LOCAL}), 'overdue_delta', 1 FROM dossier_facts
  WHERE completed_at IS NULL OR (completed_at {_LOCAL} > greatest((received_at {_LOCAL},
    (due_at {_LOCAL})
UNION ALL SELECT resolving_tenant_id, procedure_code, field_code, (completed_at {_LOCAL},
  'overdue_delta', -1 FROM dossier_facts
  WHERE completed_at IS NOT NULL AND (completed_at {_LOCAL} > greatest((received_at {_LOCAL},
    (due_at {_LOCAL})
"""

_COLUMNS = ", ".join(COUNTERS)
FILL_DAILY = f"""
INSERT INTO daily_indicators (tenant_id, procedure_code, field_code, day, {_COLUMNS})
SELECT t, p, f, d, {", ".join(f"coalesce(sum(v) FILTER (WHERE k = '{c}'), 0)" for c in COUNTERS)}
FROM ({CONTRIBUTIONS}) c GROUP BY t, p, f, d
"""


def _synthetic_counters() -> str:
    """Counters of `n` closed dossiers of one commune, procedure and day (k varies them)."""
    values = {
        "received": "n",
        "received_online": "n / 5",
        "resolved_early": "n / 4",
        "resolved_on_time": "n - n / 4 - n / 5",
        "resolved_late": "n / 5",
        "processing_seconds_sum": "n::bigint * 3600 * (8 + k % 40)",
        "processing_count": "n",
        "supplements": "n / 10",
        "apologies": "n / 15",
        "apologies_late": "n / 75",
        "returned": "n",
        "returned_online": "n / 3",
        "rated_khong_hai_long": "n / 20",
        "rated_hai_long": "n / 5",
        "rated_rat_hai_long": "n / 10",
        "evaluation_points_sum": "(n / 10) * 15",
        "evaluation_count": "n / 10",
    }
    for i, name in enumerate(HIST):  # three neighbouring buckets per row
        values[name] = (
            f"(CASE WHEN {i} = 3 + k % 8 THEN n / 2 ELSE 0 END)"
            f" + (CASE WHEN {i} = 5 + k % 8 THEN n / 4 ELSE 0 END)"
            f" + (CASE WHEN {i} = 8 + k % 8 THEN n - n / 2 - n / 4 ELSE 0 END)"
        )
    return ", ".join(values.get(c, "0") for c in COUNTERS)


# $1 dossiers, $2 first day, $3 number of days: exactly $1 dossiers over the rows.
FILL_OLD_DAILY = f"""
INSERT INTO daily_indicators (tenant_id, procedure_code, field_code, day, {_COLUMNS})
SELECT 'xa-' || lpad(t::text, 2, '0'),
  (ARRAY['1.001193','1.000894','1.000656','1.004859','2.000815','2.000884','2.001035'])[1 + p],
  'ho_tich', $2::date + di, {_synthetic_counters()}
FROM (
  SELECT t, p, di, k,
    ($1::bigint / ($3::bigint * 525))::int + (k < $1::bigint % ($3::bigint * 525))::int AS n
  FROM (SELECT t, p, di, (di * 75 + t) * 7 + p AS k
        FROM generate_series(0, $3::int - 1) di, generate_series(0, 74) t,
             generate_series(0, 6) p) g
) s WHERE n > 0
"""

FILL_MONTHLY = f"""
INSERT INTO monthly_indicators (tenant_id, procedure_code, field_code, month, {_COLUMNS})
SELECT tenant_id, procedure_code, field_code, date_trunc('month', day)::date,
  {", ".join(f"sum({c})" for c in COUNTERS)}
FROM daily_indicators GROUP BY 1, 2, 3, 4 ORDER BY 4, 1, 2, 3
"""  # in time order, as the live projection writes them


async def fill(url: str, dossiers: int, now: datetime) -> dict[str, float]:
    settings = AnalyticsSettings(database_url=url, environment="test")
    runtime = build_runtime(settings, gauges=False)
    await runtime.migrate()
    await runtime.close()
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        started = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '256MB'")
        await conn.execute("SET work_mem = '64MB'")
        await conn.execute("SET synchronous_commit = off")
        recent = dossiers * RECENT_DAYS // HISTORY_DAYS
        first_i = dossiers - recent + 1
        await conn.execute(FILL_FACTS, dossiers, now, first_i, HISTORY_DAYS)
        facts_s = time.perf_counter() - started
        await conn.execute(FILL_DAILY)
        recent_from = await conn.fetchval("SELECT min(day) FROM daily_indicators")
        old_from = (now - timedelta(days=HISTORY_DAYS)).date()
        old_days = (recent_from - old_from).days
        await conn.execute(FILL_OLD_DAILY, dossiers - recent, old_from, old_days)
        await conn.execute(FILL_MONTHLY)
        await conn.execute(
            "INSERT INTO tenants SELECT 'xa-' || lpad(i::text, 2, '0'), 'Xã số ' || i, 'xa', "
            "'active', CASE WHEN i < 3 THEN 'pilot' ELSE '' END, NULL, 1 "
            "FROM generate_series(0, 74) i"
        )
        await conn.execute("VACUUM ANALYZE")
        received = await conn.fetchval("SELECT sum(received) FROM monthly_indicators")
        assert received == dossiers, (received, dossiers)  # the history really holds N
        return {
            "facts_s": facts_s,
            "total_s": time.perf_counter() - started,
            "facts": recent,
            "daily": await conn.fetchval("SELECT count(*) FROM daily_indicators"),
            "monthly": await conn.fetchval("SELECT count(*) FROM monthly_indicators"),
            "size_mb": await conn.fetchval("SELECT pg_database_size(current_database())") / 1e6,
        }
    finally:
        await conn.close()


def api_queries(now: datetime) -> list[dict[str, Any]]:
    d = local_day(now)  # Vietnam's today: periods "to today" are live
    month = d.replace(day=1).isoformat()
    year = d.replace(month=1, day=1).isoformat()
    last_year = (d - timedelta(days=365)).isoformat()
    quarter = (d - timedelta(days=90)).isoformat()
    return [
        {"from": month, "to": d.isoformat()},  # province, this month (live in-progress)
        {"from": year, "to": d.isoformat(), "commune": "xa-07"},  # one commune, this year
        {"from": last_year, "to": d.isoformat(), "cohort": "pilot"},  # pilot, 12 months
        {"from": quarter, "to": d.isoformat(), "procedure": "1.001193"},  # one procedure
        {"from": "2024-01-01", "to": "2024-12-31"},  # province, a past year
        {"from": quarter, "to": d.isoformat(), "not_cohort": "pilot"},  # the rest
        # one commune and procedure, 30 days: few enough for the exact median from the facts
        {
            "from": (d - timedelta(days=30)).isoformat(),
            "to": d.isoformat(),
            "commune": "xa-07",
            "procedure": "1.001193",
        },
    ]


async def api_latency(env: dict[str, str], url: str, calls: int) -> dict[str, float]:
    logs = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    keys = logs / "keys"
    process = ServiceProcess(
        "analytics",
        {
            "MOTCUA_ANALYTICS_DATABASE_URL": url,
            "MOTCUA_ANALYTICS_KAFKA_BOOTSTRAP": env["MOTCUA_KAFKA_BOOTSTRAP"],
            "MOTCUA_ANALYTICS_ENVIRONMENT": "test",
            "MOTCUA_ANALYTICS_DEV_KEYS_DIR": str(keys),
            "MOTCUA_ANALYTICS_LOG_LEVEL": "WARNING",
            # One monitor as fast as it can: a latency measurement, not a flood to limit.
            "MOTCUA_ANALYTICS_PRINCIPAL_RATE_PER_SECOND": "0",
        },
        "api",
    )
    process.start(logs)
    headers = {"Authorization": f"Bearer {mint('province_monitor', None, keys=keys)}"}
    queries = api_queries(datetime.now(UTC))
    try:
        async with httpx.AsyncClient(base_url=process.url, headers=headers, timeout=30) as client:
            for q in queries:  # warm-up: one of each
                assert (await client.get("/api/v1/indicators", params=q)).status_code == 200
            samples: list[float] = []
            by_query: dict[int, list[float]] = {}
            for i in range(calls):
                started = time.perf_counter()
                response = await client.get("/api/v1/indicators", params=queries[i % len(queries)])
                samples.append((time.perf_counter() - started) * 1000)
                by_query.setdefault(i % len(queries), []).append(samples[-1])
                assert response.status_code == 200, response.text
            other: list[float] = []
            for path in ("/api/v1/ranking", "/api/v1/late-dossiers"):
                for _ in range(max(5, calls // 20)):
                    started = time.perf_counter()
                    assert (await client.get(path)).status_code == 200
                    other.append((time.perf_counter() - started) * 1000)
    finally:
        process.stop()
    return {
        "p95": statistics.quantiles(samples, n=20)[18],
        "p50": statistics.median(samples),
        "other_p95": statistics.quantiles(other, n=20)[18],
        "by_query": {  # type: ignore[dict-item]
            json.dumps(queries[k], ensure_ascii=False): round(max(v), 1)
            for k, v in by_query.items()
        },
    }


async def main(quick: bool) -> None:
    env = server_env()
    bootstrap = env["MOTCUA_KAFKA_BOOTSTRAP"]
    dossiers_tp = 4_000 if quick else 30_000
    history = 200_000 if quick else 10_000_000
    topic = f"motcua.bench.analytics.{uuid.uuid4().hex[:8]}"

    envelopes = lifecycles(dossiers_tp)
    count = len(envelopes)
    print(f"producing {count} events to {topic} …", flush=True)
    await produce(bootstrap, topic, envelopes)
    del envelopes  # the bench's own copy: the consumer below should not carry it in its heap
    # Rounds of (raw loop, projection), each projection against the raw loop just before it
    # (the machine's speed drifts by tens of percent within a minute): the median ratio.
    rounds: list[tuple[float, float]] = []
    scratch = unique("bench_analytics_tp")
    scratch_url = await create_database(env, scratch)
    for _ in range(2 if quick else 5):
        raw = await raw_consume_rate(
            bootstrap,
            [topic],
            count,
            max_records=10_000,
            commit=False,
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        projected = await projection_rate(env, scratch_url, topic, count)
        rounds.append((raw, projected))
        print(f"raw loop {raw:,.0f} ev/s, projection {projected:,.0f} ev/s", flush=True)
    await drop_scratch_database(env, scratch)
    raw, projected = sorted(rounds, key=lambda r: r[1] / r[0])[len(rounds) // 2]

    name = unique("bench_analytics_api")
    url = await create_database(env, name)
    try:
        print(f"loading {history:,} dossiers of history …", flush=True)
        loaded = await fill(url, history, datetime.now(UTC))
        print(f"loaded in {loaded['total_s']:.0f} s; measuring the API …", flush=True)
        latency = await api_latency(env, url, 120 if quick else 300)
    finally:
        await drop_database(env, name)

    figures = {
        "events_per_second_into_projections": figure(projected, raw, ">= 0.5 (ratio)"),
        "indicator_api_p95_ms": figure(latency["p95"], None, "< 100 ms (value)"),
        "indicator_api_p50_ms": figure(latency["p50"], None, ""),
        "ranking_and_late_list_p95_ms": figure(latency["other_p95"], None, ""),
    }
    result = {
        "benchmark": "analytics projections and indicator API",
        "quick": quick,
        "loaded": {
            "throughput_events": count,
            "throughput_rounds_raw_vs_projection": [[round(a), round(b)] for a, b in rounds],
            "history_dossiers": history,
            "history_dossier_facts": loaded["facts"],
            "history_daily_indicator_rows": loaded["daily"],
            "history_monthly_indicator_rows": loaded["monthly"],
            "history_database_mb": round(loaded["size_mb"]),
            "history_load_seconds": round(loaded["total_s"], 1),
            "note": (
                f"the last {RECENT_DAYS} days as dossier facts with their daily rows derived "
                "in SQL by the projection's rules; older days as generated daily rows (all "
                "closed); monthly rows summed from the daily ones; sum(received) = history"
            ),
            "baseline_note": "raw loop: aiokafka getmany + json.loads of every value",
        },
        "indicator_api_worst_ms_by_query": latency["by_query"],
        "figures": figures,
    }
    write_results("analytics", result)
    print(
        f"\nhistory: {history:,} dossiers ({loaded['facts']:,} facts for the last "
        f"{RECENT_DAYS} days, {loaded['daily']:,} daily and {loaded['monthly']:,} monthly rows, "
        f"{loaded['size_mb']:,.0f} MB, loaded in {loaded['total_s']:.0f} s); "
        f"throughput on {count:,} events; raw loop: getmany + json.loads"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    asyncio.run(main(parser.parse_args().quick))
