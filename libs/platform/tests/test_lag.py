"""motcua_consumer_lag_messages: what a consumer group has still to process, per topic."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition
from motcua_platform.messaging import lag
from motcua_platform.messaging.inbox import IdempotentConsumer
from motcua_platform.messaging.local_bus import LocalBus
from motcua_platform.messaging.types import OutboundMessage
from motcua_testkit.platform import scratch_schema
from prometheus_client import REGISTRY, generate_latest

_, _outbox, inbox, _effects = scratch_schema()


def _lag(service: str, group: str, topic: str) -> float | None:
    return REGISTRY.get_sample_value(lag.NAME, {"service": service, "group": group, "topic": topic})


async def test_standalone_log_lag_counts_what_is_left_even_while_stuck(
    sessions,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def handler(session, message) -> None:  # type: ignore[no-untyped-def]
        started.set()
        await release.wait()

    consumer = IdempotentConsumer(
        service="lagtest",
        consumer="g-lag",
        session_factory=sessions,
        inbox=inbox,
        handlers={"Happened": handler},
        dead_letters=None,  # type: ignore[arg-type]
    )
    bus = LocalBus(tmp_path / "bus.db")
    await bus.start()
    await bus.publish_many(
        [
            OutboundMessage("t1", f"d{i}", b"", {"ce_id": f"e{i}", "ce_type": "Happened"})
            for i in range(3)
        ]
    )
    stop = asyncio.Event()
    task = asyncio.create_task(
        bus.consume(group="g-lag", topics=["t1", "t2"], consumer=consumer, stop=stop)
    )
    try:
        await asyncio.wait_for(started.wait(), 10)
        # Stuck on the first of three: all three are still to do; the idle topic shows 0.
        assert _lag("lagtest", "g-lag", "t1") == 3
        assert _lag("lagtest", "g-lag", "t2") == 0
        release.set()
        async with asyncio.timeout(10):
            while _lag("lagtest", "g-lag", "t1") != 0:  # noqa: ASYNC110 - another task's loop
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        release.set()
        await task
        await bus.close()
    assert _lag("lagtest", "g-lag", "t1") is None  # a stopped consumer reports nothing


class _FakeConsumer:
    def __init__(self, held: set[TopicPartition], high: dict[TopicPartition, int]) -> None:
        self.held, self.high = held, high

    def assignment(self) -> set[TopicPartition]:
        return self.held

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.high.get(tp)


def test_kafka_lag_sums_the_held_partitions_and_forgets_revoked_ones() -> None:
    p0, p1, other = TopicPartition("a", 0), TopicPartition("a", 1), TopicPartition("b", 0)
    kafka = _FakeConsumer({p0, p1, other}, {p0: 100, p1: 50, other: 7})
    progress = lag.KafkaLag()
    assert progress.lags() == {}  # nothing read yet: unknown, not 0
    progress.started(kafka, p0, 90)  # on offset 90: 90..99 left
    progress.started(kafka, p1, 49)
    progress.finished(p1, 49)  # p1 done up to its high-water mark
    progress.started(kafka, other, 3)
    assert progress.lags() == {"a": 10, "b": 4}
    kafka.held = {p1}  # a rebalance gave p0 and b/0 to another member
    assert progress.lags() == {"a": 0}


def test_exposition_has_one_series_per_service_group_topic() -> None:
    class Fixed:
        def __init__(self, values: dict[str, int]) -> None:
            self.values = values

        def lags(self) -> dict[str, Any]:
            return self.values

    first, second = Fixed({"x": 1}), Fixed({"x": 5, "y": 2})
    lag.track("svc-expo", "grp", first)
    lag.track("svc-expo", "grp", second)  # a new subscription replaces the old one
    try:
        text = generate_latest(REGISTRY).decode()
        assert f"# TYPE {lag.NAME} gauge" in text
        assert 'motcua_consumer_lag_messages{group="grp",service="svc-expo",topic="x"} 5.0' in text
        assert _lag("svc-expo", "grp", "y") == 2
    finally:
        lag.untrack("svc-expo", "grp", second)
    assert _lag("svc-expo", "grp", "x") is None
