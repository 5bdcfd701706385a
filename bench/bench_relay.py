"""Outbox relay: rows per second from PostgreSQL to Kafka beside a raw aiokafka producer.

`uv run python bench/bench_relay.py [--quick]` needs the Kafka and PostgreSQL of
`make services-up`. Writes bench/results/relay.json.

N real contract events (7 per dossier, encoded by the platform's codec) are staged in the
outbox table of a scratch database with the platform's own `add_to_outbox`. The value is the
platform relay (`OutboxRelay` + `KafkaPublisher` on the FastStream broker of `make_broker`:
acks=all, idempotent, linger 5 ms) draining them: select a batch, publish, mark published.
The baseline is a bare `AIOKafkaProducer` with the same settings sending the same records
(same values, keys, headers) and awaiting every acknowledgement. Same topic, same run; the
median of 3 (quick) or 5 rounds each, alternating, so bursts of others' load hit both.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from statistics import median

from aiokafka import AIOKafkaProducer
from benchkit import Wire, drop_scratch_database, figure, lifecycle_messages, write_results
from motcua_platform.db import make_engine, make_session_factory
from motcua_platform.messaging.kafka import KafkaPublisher, make_broker
from motcua_platform.messaging.outbox import OutboxRelay, add_to_outbox
from motcua_platform.messaging.tables import outbox_table
from motcua_platform.messaging.types import OutboundMessage
from motcua_platform.settings import ServiceSettings
from sqlalchemy import MetaData, func, select

from tests.support.servers import create_database, server_env, unique


async def raw_producer(bootstrap: str, topic: str, wires: list[Wire]) -> float:
    """The same settings as make_broker: acks=all, idempotence, linger 5 ms, default batch."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}", key=b"warm-up")
        started = time.perf_counter()
        futures = [
            await producer.send(
                topic,
                w.value,
                key=w.key.encode(),
                headers=[(k, v.encode()) for k, v in w.headers.items()],
            )
            for w in wires
        ]
        await asyncio.gather(*futures)
        return len(wires) / (time.perf_counter() - started)
    finally:
        await producer.stop()


async def relay_rate(env: dict[str, str], topic: str, wires: list[Wire]) -> float:
    name = unique("bench_relay")
    url = await create_database(env, name)
    engine = make_engine(url)
    try:
        metadata = MetaData()
        table = outbox_table(metadata)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        sessions = make_session_factory(engine)
        messages = [OutboundMessage(topic, w.key, w.value, w.headers) for w in wires]
        for i in range(0, len(messages), 2000):
            async with sessions() as session, session.begin():
                await add_to_outbox(session, table, messages[i : i + 2000])
        async with engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE outbox")
        settings = ServiceSettings(
            service_name="bench-relay",
            database_url=url,
            kafka_bootstrap=env["MOTCUA_KAFKA_BOOTSTRAP"],
            environment="test",
        )
        broker = make_broker(settings)
        await broker.start()
        try:
            await broker.publish(b"{}", topic, key=b"warm-up")
            relay = OutboxRelay(
                service="bench-relay",
                session_factory=sessions,
                table=table,
                publisher=KafkaPublisher(broker),
            )
            started = time.perf_counter()
            relayed = 0
            while (n := await relay.relay_once()) > 0:
                relayed += n
            elapsed = time.perf_counter() - started
        finally:
            await broker.stop()
        async with sessions() as session:
            left = await session.scalar(
                select(func.count()).select_from(table).where(table.c.published_at.is_(None))
            )
        assert relayed == len(wires) and left == 0, (relayed, left)
        return len(wires) / elapsed
    finally:
        await engine.dispose()
        await drop_scratch_database(env, name)


async def main(quick: bool) -> None:
    env = server_env()
    bootstrap = env["MOTCUA_KAFKA_BOOTSTRAP"]
    dossiers = 1_500 if quick else 4_000
    wires = lifecycle_messages(dossiers)
    topic = f"motcua.bench.relay.{uuid.uuid4().hex[:8]}"
    raw: list[float] = []
    relay: list[float] = []
    for _ in range(3 if quick else 5):
        raw.append(await raw_producer(bootstrap, topic, wires))
        relay.append(await relay_rate(env, topic, wires))
        print(f"raw producer {raw[-1]:,.0f} msg/s, relay {relay[-1]:,.0f} rows/s", flush=True)
    sizes = sorted(len(w.value) for w in wires)
    write_results(
        "relay",
        {
            "benchmark": "outbox relay against a raw aiokafka producer",
            "quick": quick,
            "messages": len(wires),
            "value_bytes_median": sizes[len(sizes) // 2],
            "rounds": {"raw_producer": [round(x) for x in raw], "relay": [round(x) for x in relay]},
            "figures": {
                "relay_rows_per_second": figure(median(relay), median(raw), ">= 0.5 (ratio)"),
            },
        },
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    asyncio.run(main(parser.parse_args().quick))
