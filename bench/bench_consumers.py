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
    Wire,
    drop_scratch_database,
    figure,
    lifecycle_messages,
    raw_consume_rate,
    write_results,
)
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
) -> float:
    name = unique(f"bench_cons_{service}")
    url = await create_database(env, name)
    try:
        values = {
            "database_url": url,
            "kafka_bootstrap": env["MOTCUA_KAFKA_BOOTSTRAP"],
            "environment": "test",
            "consumer_group": f"bench-{service}-{uuid.uuid4().hex[:8]}",
            "log_level": "WARNING",
        }
        runtime = _build(service, values)
        await runtime.migrate()
        transport = RenamedTopics(KafkaTransport(make_broker(runtime.settings)), names)
        runtime.wire(transport, frozenset({"consumer"}))
        before, dead_before = handled(service), dead_lettered(service)
        await transport.start()
        started = 0.0
        deadline = time.monotonic() + 900
        while (done := handled(service) - before) < count:
            if done and not started:
                started = time.perf_counter()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{service}: {done} of {count} handled in 900 s")
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
        await transport.stop()
        await runtime.close()
        dead = dead_lettered(service) - dead_before
        if dead:
            raise RuntimeError(f"{service}: {dead:.0f} messages dead-lettered")
        return count / elapsed
    finally:
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
    rounds: dict[str, list[float]] = {"raw": [], "raw_tx": [], "workflow": [], "notify": []}
    for service in ("workflow", "notify"):  # baselines before each, so both see the load
        rounds["raw"].append(await raw_consume_rate(bootstrap, topics, len(wires)))
        rounds["raw_tx"].append(await raw_transactional_loop(env, bootstrap, topics, len(wires)))
        rounds[service].append(await service_rate(env, service, names, len(wires)))
        print(
            f"raw {rounds['raw'][-1]:,.0f} ev/s, raw+tx {rounds['raw_tx'][-1]:,.0f} ev/s, "
            f"{service} {rounds[service][-1]:,.0f} ev/s",
            flush=True,
        )
    raw, raw_tx = median(rounds["raw"]), median(rounds["raw_tx"])
    figures = {}
    for service in ("workflow", "notify"):
        value = median(rounds[service])
        figures[f"{service}_events_per_second"] = figure(value, raw, ">= 0.5 (ratio)")
        figures[f"{service}_events_per_second_vs_raw_transaction_per_event"] = figure(
            value, raw_tx, "context: raw loop + one asyncpg transaction and commit per event"
        )
    write_results(
        "consumers",
        {
            "benchmark": "service consumers against a raw aiokafka consume loop",
            "quick": quick,
            "events": len(wires),
            "event_types": sorted({w.headers.get("ce_type", "") for w in wires}),
            "rounds": {k: [round(x) for x in v] for k, v in rounds.items()},
            "intake": "consumes nothing: no figure",
            "figures": figures,
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    asyncio.run(main(parser.parse_args().quick))
