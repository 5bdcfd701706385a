"""Analytics' pipelined batch consumer on the real Kafka and PostgreSQL: tiny batches, two in
flight, dossiers split across batches (each later batch computes from the facts of the one
still writing ahead of it), must leave exactly the projection that one single batch leaves.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from analytics.adapters.tables import daily_indicators, dossier_facts, monthly_indicators
from analytics.bootstrap import build_runtime
from analytics.settings import AnalyticsSettings
from motcua_contracts.codec import encode
from motcua_contracts.envelope import EventEnvelope
from motcua_platform.messaging.kafka import make_broker
from motcua_platform.messaging.transport import KafkaTransport
from motcua_testkit.analytics import Scenario, reference_month
from sqlalchemy import select

from tests.support.servers import create_database, drop_database, unique

pytestmark = pytest.mark.integration


def _events() -> list[EventEnvelope]:
    """The reference month and 60 more lifecycles (supplements, apologies, refusals, ratings),
    shuffled: the projection is order-tolerant, and the shuffle spreads every dossier's
    events over many batches."""
    envelopes = list(reference_month("xa-pipe-a", "xa-pipe-b").envelopes)
    scenario = Scenario()
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    for i in range(60):
        received = start + timedelta(hours=5 * i)
        d = scenario.dossier(f"xa-pipe-{i % 3}", received, channel="online" if i % 4 else "counter")
        d.accepted(received).clock_started()
        if i % 5 == 0:
            d.supplement(received + timedelta(hours=3), received + timedelta(days=1))
        if i % 7 == 0:
            d.refused(received + timedelta(hours=30))
            continue
        if i % 6 == 0:
            d.apology(
                received + timedelta(days=2), late=i % 12 == 0, new_due=d.due_at + timedelta(days=2)
            )
        d.ready(received + timedelta(hours=10 + 9 * (i % 8)), elapsed_seconds=1800 * (i % 40))
        d.returned(received + timedelta(days=4), online=i % 2 == 0)
        if i % 3 == 0:
            d.rated(received + timedelta(days=5), "hai_long", points=12 + i % 6)
    envelopes += scenario.envelopes
    random.Random(7).shuffle(envelopes)
    return envelopes


async def _produce(bootstrap: str, topic: str, envelopes: list[EventEnvelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for envelope in envelopes:
            wire = encode(envelope)
            headers = [(k, v.encode()) for k, v in wire.headers.items()]
            await producer.send(topic, wire.value, key=wire.key.encode(), headers=headers)
        await producer.flush()
    finally:
        await producer.stop()


async def _project(env: dict[str, str], topic: str, max_records: int) -> tuple[Any, ...]:
    """Projects the whole topic into a fresh database; returns its facts and rollups."""
    name = unique("it_pipe")
    url = await create_database(env, name)
    try:
        settings = AnalyticsSettings(
            database_url=url,
            kafka_bootstrap=env["MOTCUA_KAFKA_BOOTSTRAP"],
            environment="test",
            batch_max_records=max_records,
        )
        runtime = build_runtime(settings, gauges=False)
        await runtime.migrate()
        transport = KafkaTransport(make_broker(settings))
        await transport.start()
        runtime.transport = transport
        try:
            consumer = runtime.batch_consumer(f"it-pipe-{uuid.uuid4().hex[:8]}")
            consumer._topics = [topic]
            await consumer.run_until_caught_up()
            state = []
            async with runtime.sessions() as session:
                for table in (dossier_facts, daily_indicators, monthly_indicators):
                    rows = [tuple(row) for row in (await session.execute(select(table))).all()]
                    if table is not dossier_facts:
                        # a rollup row a later batch brought back to zero means nothing: small
                        # batches leave some (say, an overdue day a later due date took away)
                        rows = [row for row in rows if any(row[4:])]
                    state.append(sorted(rows))
        finally:
            await transport.stop()
            await runtime.close()
        return tuple(state)
    finally:
        await drop_database(env, name)


async def test_tiny_pipelined_batches_project_exactly_what_one_batch_does(
    env: dict[str, str],
) -> None:
    envelopes = _events()
    topic = f"motcua.it.analytics-pipeline.{uuid.uuid4().hex[:8]}"
    await _produce(env["MOTCUA_KAFKA_BOOTSTRAP"], topic, envelopes)

    whole = await _project(env, topic, max_records=50_000)
    facts, daily, monthly = whole
    assert len(facts) == 60 + 11  # every dossier, none twice
    assert sum(row[4] for row in daily) == len(facts)  # "received", as in the reference month
    assert monthly

    pipelined = await _project(env, topic, max_records=7)  # ~90 batches, two in flight
    assert pipelined == whole
