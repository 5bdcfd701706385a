"""Workflow's and notify's consumers beside a raw aiokafka consume loop on the same topics.

`uv run python bench/bench_consumers.py [--quick]` needs the Kafka and PostgreSQL of
`make services-up`. Writes bench/results/consumers.json.

Real contract events (a dossier's lifecycle: received, accepted, clock completed, decided,
ready, returned, rated) are produced once to bench topics standing in for the platform's
dossier and clock topics. Each service's runtime is built by its own composition root and
wired as the `consumer` role does it: its subscriptions, the platform `IdempotentConsumer`
(inbox row and handler in one transaction, retries, dead letters) on the FastStream
subscriber of `motcua_platform.messaging.kafka`, its own fresh PostgreSQL database. Only the
topic names are swapped for the bench's. The value is events per second from the first
record to the last one handled; the baseline is a bare aiokafka loop (fresh group, getmany,
json decode of every value) on the same topics, in the same run, alternating.

Intake consumes nothing (it only produces); analytics' figure is in bench_analytics.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections.abc import Sequence
from statistics import median
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from benchkit import (
    CpuMeter,
    Wire,
    drop_scratch_database,
    figure,
    lifecycle_messages,
    raw_consume_rate,
    write_results,
)
from drain import GroupLag, wait_until_idle
from motcua_contracts.topics import Topics
from motcua_platform.messaging.inbox import CONSUMED, IdempotentConsumer
from motcua_platform.messaging.kafka import make_broker
from motcua_platform.messaging.transport import KafkaTransport

from tests.support.servers import create_database, server_env, unique


class RenamedTopics:
    """The service's own transport, subscribing to the bench's topics instead of the real."""

    def __init__(self, inner: KafkaTransport, names: dict[str, str]) -> None:
        self._inner = inner
        self._names = names
        self.publisher = inner.publisher

    def subscribe(self, *, group: str, topics: Sequence[str], consumer: IdempotentConsumer) -> None:
        renamed = [self._names[t] for t in topics if t in self._names]
        self._inner.subscribe(group=group, topics=renamed, consumer=consumer)

    async def start(self) -> None:
        await self._inner.start()

    async def stop(self) -> None:
        await self._inner.stop()

    async def ready(self) -> bool:
        return await self._inner.ready()


async def produce(bootstrap: str, names: dict[str, str], wires: list[Wire]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, acks=1)
    await producer.start()
    try:
        futures = [
            await producer.send(
                names[w.topic],
                w.value,
                key=w.key.encode(),
                headers=[(k, v.encode()) for k, v in w.headers.items()],
            )
            for w in wires
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def raw_transactional_loop(
    env: dict[str, str], bootstrap: str, topics: list[str], count: int
) -> float:
    """The bare minimum of an idempotent consumer: per event, one asyncpg transaction that
    inserts the event id into an inbox, and the offset committed after it."""
    name = unique("bench_cons_raw")
    url = await create_database(env, name)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    await conn.execute(
        "CREATE TABLE inbox (consumer text, event_id text, processed_at timestamptz,"
        " PRIMARY KEY (consumer, event_id))"
    )
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"bench-rawtx-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        seen, started = 0, 0.0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            if batch and not started:
                started = time.perf_counter()
            for tp, records in batch.items():
                for record in records:
                    json.loads(record.value)
                    event_id = dict(record.headers)["ce_id"].decode()
                    async with conn.transaction():
                        await conn.execute(
                            "INSERT INTO inbox VALUES ('raw', $1, now()) ON CONFLICT DO NOTHING",
                            event_id,
                        )
                    await consumer.commit({tp: record.offset + 1})
                    seen += 1
        return count / (time.perf_counter() - started)
    finally:
        await consumer.stop()
        await conn.close()
        await drop_scratch_database(env, name)


async def raw_setwise_loop(
    env: dict[str, str], bootstrap: str, topics: list[str], count: int
) -> tuple[float, float]:
    """The baseline issue 20 sets for the consumers: a raw aiokafka loop doing the database
    work of a consumer set-wise. Per getmany batch, one asyncpg transaction of three
    multi-row statements: the events' ids into an inbox (ON CONFLICT DO NOTHING), one state
    row per dossier upserted (the dossier's last event, as a consumer keeps its projection),
    one outbox row per event (the effect it stages); then the batch's offsets committed.
    Returns (events per second, CPU-ms per event of this process and the database's backend).
    """
    name = unique("bench_cons_set")
    url = await create_database(env, name)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    await conn.execute(
        "CREATE TABLE inbox (consumer text, event_id text, processed_at timestamptz,"
        " PRIMARY KEY (consumer, event_id));"
        "CREATE TABLE state (dossier_id text PRIMARY KEY, last_type text, events int,"
        " updated_at timestamptz);"
        "CREATE TABLE outbox (id bigserial PRIMARY KEY, topic text, message_key text,"
        " value bytea, created_at timestamptz, published_at timestamptz)"
    )
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"bench-rawset-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    meter = CpuMeter({}, [name])
    await consumer.start()
    try:
        seen, started, cpu_before, process_before = 0, 0.0, meter.read(), 0.0
        while seen < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            if batch and not started:
                started = time.perf_counter()
                cpu_before, process_before = meter.read(), time.process_time()
            ids, keys, types, values = [], [], [], []
            for records in batch.values():
                for record in records:
                    json.loads(record.value or b"")
                    headers = dict(record.headers)
                    ids.append(headers["ce_id"].decode())
                    keys.append((record.key or b"").decode())
                    types.append(headers.get("ce_type", b"").decode())
                    values.append(record.value)
            if not ids:
                continue
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO inbox SELECT 'raw', e, now() FROM unnest($1::text[]) AS e"
                    " ON CONFLICT DO NOTHING",
                    ids,
                )
                await conn.execute(
                    "INSERT INTO state SELECT DISTINCT ON (k) k, t, 1, now()"
                    " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(k, t, i)"
                    " ORDER BY k, i DESC"
                    " ON CONFLICT (dossier_id) DO UPDATE SET last_type = excluded.last_type,"
                    " events = state.events + 1, updated_at = excluded.updated_at",
                    keys,
                    types,
                )
                await conn.execute(
                    "INSERT INTO outbox (topic, message_key, value, created_at)"
                    " SELECT 'bench', k, v, now() FROM unnest($1::text[], $2::bytea[]) AS u(k, v)",
                    keys,
                    values,
                )
            await consumer.commit()
            seen += len(ids)
        elapsed = time.perf_counter() - started
        cpu = CpuMeter.diff(cpu_before, meter.read())
        process_ms = (time.process_time() - process_before) * 1000
        return count / elapsed, (process_ms + cpu["postgresql"]) / count
    finally:
        await consumer.stop()
        await conn.close()
        await drop_scratch_database(env, name)


def count_statements(engine: Any) -> list[int]:
    """Statements the engine sends (every cursor execute: SELECT, INSERT, SAVEPOINT ...;
    BEGIN and COMMIT are asyncpg's own and not counted): a one-item counter."""
    from sqlalchemy import event

    counter = [0]

    def count(*_: Any) -> None:
        counter[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    return counter


def handled(service: str) -> float:
    """Messages the service's consumers have finished, whatever the outcome."""
    total = 0.0
    for metric in CONSUMED.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total") and sample.labels.get("service") == service:
                total += sample.value
    return total


def dead_lettered(service: str) -> float:
    total = 0.0
    for metric in CONSUMED.collect():
        for sample in metric.samples:
            labels = sample.labels
            if (
                sample.name.endswith("_total")
                and labels.get("service") == service
                and labels.get("outcome") == "dead_letter"
            ):
                total += sample.value
    return total


def _build(service: str, settings_values: dict[str, Any]) -> Any:
    if service == "workflow":
        from workflow.bootstrap import build_runtime as build_workflow
        from workflow.settings import WorkflowSettings

        return build_workflow(WorkflowSettings(**settings_values))
    from notify.bootstrap import build_runtime as build_notify
    from notify.settings import NotifySettings

    return build_notify(NotifySettings(**settings_values))


async def service_rate(
    env: dict[str, str], service: str, names: dict[str, str], count: int
) -> tuple[float, float, float]:
    """(events per second, CPU-ms per event, SQL statements per event) of the service's
    consumer: from its first handled record until the group has committed every record of
    the bench's topics (lag 0, bench/drain.py), not just until the handler ran for the last
    one. CPU is this process's (the runtime is in it) plus the PostgreSQL backends of the
    service's database."""
    name = unique(f"bench_cons_{service}")
    url = await create_database(env, name)
    group = f"bench-{service}-{uuid.uuid4().hex[:8]}"
    lag = GroupLag(env["MOTCUA_KAFKA_BOOTSTRAP"], {service: group})
    try:
        values = {
            "database_url": url,
            "kafka_bootstrap": env["MOTCUA_KAFKA_BOOTSTRAP"],
            "environment": "test",
            "consumer_group": group,
            "log_level": "WARNING",
        }
        runtime = _build(service, values)
        await runtime.migrate()
        transport = RenamedTopics(KafkaTransport(make_broker(runtime.settings)), names)
        runtime.wire(transport, frozenset({"consumer"}))
        statements = count_statements(runtime.engine.sync_engine)
        before, dead_before = handled(service), dead_lettered(service)
        meter = CpuMeter({}, [name])
        await lag.start()
        await transport.start()
        started, cpu_before, process_before = 0.0, meter.read(), 0.0
        deadline = time.monotonic() + 900
        while (done := handled(service) - before) < count:
            if done and not started:
                started = time.perf_counter()
                cpu_before, process_before = meter.read(), time.process_time()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{service}: {done} of {count} handled in 900 s")
            await asyncio.sleep(0.01)
        idle = await wait_until_idle([lag.probe()], limit_seconds=300, interval=0.05)
        elapsed = idle.at - time.monotonic() + time.perf_counter() - started
        cpu = CpuMeter.diff(cpu_before, meter.read())
        process_ms = (time.process_time() - process_before) * 1000
        await transport.stop()
        await runtime.close()
        dead = dead_lettered(service) - dead_before
        if dead:
            raise RuntimeError(f"{service}: {dead:.0f} messages dead-lettered")
        return count / elapsed, (process_ms + cpu["postgresql"]) / count, statements[0] / count
    finally:
        await lag.stop()
        await drop_scratch_database(env, name)


async def main(quick: bool) -> None:
    env = server_env()
    bootstrap = env["MOTCUA_KAFKA_BOOTSTRAP"]
    dossiers = 250 if quick else 400
    wires = lifecycle_messages(dossiers)
    run = uuid.uuid4().hex[:8]
    names = {
        Topics.DOSSIERS: f"motcua.bench.cons.{run}.dossiers",
        Topics.CLOCK: f"motcua.bench.cons.{run}.clock",
        Topics.TENANTS: f"motcua.bench.cons.{run}.tenants",
        Topics.NOTIFICATIONS: f"motcua.bench.cons.{run}.notifications",
    }
    await produce(bootstrap, names, wires)
    topics = sorted({names[w.topic] for w in wires})
    rounds: dict[str, list[float]] = {
        "raw": [],
        "raw_tx": [],
        "raw_setwise": [],
        "workflow": [],
        "notify": [],
    }
    cpu: dict[str, list[float]] = {"raw_setwise": [], "workflow": [], "notify": []}
    statements: dict[str, list[float]] = {"workflow": [], "notify": []}
    for service in ("workflow", "notify"):  # baselines before each, so both see the load
        rounds["raw"].append(await raw_consume_rate(bootstrap, topics, len(wires)))
        rounds["raw_tx"].append(await raw_transactional_loop(env, bootstrap, topics, len(wires)))
        rate, ms = await raw_setwise_loop(env, bootstrap, topics, len(wires))
        rounds["raw_setwise"].append(rate)
        cpu["raw_setwise"].append(ms)
        rate, ms, per_event = await service_rate(env, service, names, len(wires))
        rounds[service].append(rate)
        cpu[service].append(ms)
        statements[service].append(per_event)
        print(
            f"raw {rounds['raw'][-1]:,.0f} ev/s, raw+tx {rounds['raw_tx'][-1]:,.0f} ev/s, "
            f"raw set-wise {rounds['raw_setwise'][-1]:,.0f} ev/s, "
            f"{service} {rounds[service][-1]:,.0f} ev/s ({ms:.2f} CPU-ms/event, "
            f"{per_event:.1f} statements/event)",
            flush=True,
        )
    # Workflow on DossierReceived alone (issue 20's "about 16 round trips per DossierReceived").
    received = [w for w in wires if w.headers.get("ce_type") == "DossierReceived"]
    received_names = {t: f"{n}.received" for t, n in names.items()}
    await produce(bootstrap, received_names, received)
    received_topics = sorted({received_names[w.topic] for w in received})
    received_raw, _ = await raw_setwise_loop(env, bootstrap, received_topics, len(received))
    received_rate, received_ms, received_statements = await service_rate(
        env, "workflow", received_names, len(received)
    )
    print(
        f"DossierReceived only: raw set-wise {received_raw:,.0f} ev/s, workflow "
        f"{received_rate:,.0f} ev/s, {received_ms:.2f} CPU-ms and "
        f"{received_statements:.1f} statements per event",
        flush=True,
    )
    raw, raw_tx, raw_set = (median(rounds[k]) for k in ("raw", "raw_tx", "raw_setwise"))
    raw_set_cpu = median(cpu["raw_setwise"])
    figures = {}
    for service in ("workflow", "notify"):
        value = median(rounds[service])
        figures[f"{service}_events_per_second"] = figure(
            value,
            raw_set,
            ">= 0.5 (ratio to a raw aiokafka loop doing the database work set-wise; issue 20)"
            + ("; >= 5,000/s" if service == "workflow" else ""),
        )
        figures[f"{service}_cpu_ms_per_event"] = figure(
            median(cpu[service]),
            raw_set_cpu,
            "ratio: set-wise loop ÷ service (this process + the database's backends)",
            higher_is_better=False,
        )
        figures[f"{service}_sql_statements_per_event"] = figure(
            median(statements[service]), None, "fewer is better (lifecycle mix)"
        )
        figures[f"{service}_events_per_second_vs_bare_consume"] = figure(
            value, raw, "context: getmany + json decode, no database"
        )
        figures[f"{service}_events_per_second_vs_raw_transaction_per_event"] = figure(
            value, raw_tx, "context: raw loop + one asyncpg transaction and commit per event"
        )
    figures["workflow_dossier_received_per_second"] = figure(
        received_rate, received_raw, ">= 0.5 (ratio to the set-wise loop on the same events)"
    )
    figures["workflow_sql_statements_per_dossier_received"] = figure(
        received_statements, None, "issue 20: about 16 before the set-based consumer"
    )
    figures["workflow_cpu_ms_per_dossier_received"] = figure(received_ms, None, "")
    write_results(
        "consumers",
        {
            "benchmark": "service consumers against raw aiokafka loops",
            "quick": quick,
            "events": len(wires),
            "event_types": sorted({w.headers.get("ce_type", "") for w in wires}),
            "window": "first record handled -> the group's committed offsets at the end of "
            "the bench topics (lag 0)",
            "baseline": "raw_setwise: per getmany batch one transaction of three multi-row "
            "statements (inbox ids, one upserted state row per dossier, one outbox row per "
            "event), then the offsets committed",
            "rounds": {k: [round(x) for x in v] for k, v in rounds.items()},
            "cpu_ms_per_event_rounds": {k: [round(x, 3) for x in v] for k, v in cpu.items()},
            "statements_per_event_rounds": {
                k: [round(x, 2) for x in v] for k, v in statements.items()
            },
            "intake": "consumes nothing: no figure",
            "notes": [
                "The machine (2 cores) was shared with other engineers' work while this ran: "
                "absolute figures are noisy; the baselines run in the same run, alternating.",
            ],
            "figures": figures,
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    asyncio.run(main(parser.parse_args().quick))
